"""The one page blueprint of budget: every working page lives under /{tenant}/bilancio (DESIGN §6)."""
from __future__ import annotations

from shared.web import PageBlueprint

# A merged Ambito's pages are read only (the web layer answers its POSTs 409: shared/web/merger.py).
blp = PageBlueprint("budget_pages", __name__)
