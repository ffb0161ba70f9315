"""The one page blueprint of the regional pages: under /regioni/ (the public portal stays under /portale/)."""
from __future__ import annotations

from shared.web import PageBlueprint

blp = PageBlueprint("reporting_console", __name__, url_prefix="/regioni", template_folder="templates")
