"""The regional admin's pages (issue 13 item 4): the region's Ambiti with their state in the planning
cycle and their completeness for each campaign deadline, and a read-only drill-down into each Ambito;
and the Ambito's own view of its deadlines, /{tenant}/scadenze (item 2), for its office (ambito_pages).

Served by reporting (the regional service) from its own read model, never another service's API;
registered with `pages=` in services/reporting/app.py. docs/console.md, section Regione.
"""
from __future__ import annotations

from services.reporting.console.blueprint import blp
# Importing the view module registers its routes on `blp`.
from services.reporting.console import views  # noqa: F401,E402
from services.reporting.console.ambito_pages import blp as ambito_blp  # noqa: E402

pages = [blp, ambito_blp]
