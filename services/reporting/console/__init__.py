"""The regional admin's pages (issue 13 item 4): the region's Ambiti with their state in the planning
cycle and their completeness for each campaign deadline, and a read-only drill-down into each Ambito.

Served by reporting (the regional service) from its own read model, never another service's API;
registered with `pages=` in services/reporting/app.py. docs/console.md, section Regione.
"""
from __future__ import annotations

from services.reporting.console.blueprint import blp
# Importing the view module registers its routes on `blp`.
from services.reporting.console import views  # noqa: F401,E402

pages = [blp]
