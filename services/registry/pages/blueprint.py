"""The one page blueprint of the registry: every working page lives under /{tenant}/ (DESIGN §6)."""
from __future__ import annotations

from shared.web import PageBlueprint

# A merged Ambito's pages are read only (the web layer answers its POSTs 409: shared/web/merger.py).
blp = PageBlueprint("registry_pages", __name__)
