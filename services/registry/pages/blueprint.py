"""The one page blueprint of the registry: every working page lives under /{tenant}/ (DESIGN §6)."""
from __future__ import annotations

from shared.web import PageBlueprint

blp = PageBlueprint("registry_pages", __name__, url_prefix="/<tenant>", template_folder="templates")
