"""The one page blueprint of budget: every working page lives under /{tenant}/bilancio (DESIGN §6)."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from werkzeug.exceptions import Conflict

from shared.web import PageBlueprint

blp = PageBlueprint("budget_pages", __name__, url_prefix="/<tenant>", template_folder="templates")


@blp.before_request
def _merged_ambito_is_read_only():
    """A merged Ambito stays readable and refuses changes, as its API does (409, naming the successor)."""
    tenant = g.get("tenant")
    if request.method == "POST" and tenant is not None and tenant.merged and g.get("principal") is not None:
        refusal = Conflict()
        refusal.pdz_detail = _("L'Ambito è confluito in «%(successore)s»: qui i dati si consultano soltanto.",
                               successore=tenant.merged_into or "")
        raise refusal
