"""Budget's working pages (FASE 3): plan versions, interventions, allocations with live totals per fund,
commitments and payments, progress uploads, the Piano's documents.

Pages call budget's own use-case functions with a connection of the page's Ambito, never its HTTP API.
"""
from __future__ import annotations

from services.budget.pages.blueprint import blp
# Importing the view modules registers their routes on `blp`.
from services.budget.pages import (allocations, expenditure, home, interventions, plan_documents,  # noqa: F401,E402
                                   plan_steps, plans, progress)
from services.budget.pages import allocation_edit  # noqa: F401,E402

pages = [blp]
