"""A merged Ambito's pages are read only, as its API is: a POST answers the 409 page naming the successor.

The web layer calls `refuse_writes_when_merged` for every request of a page blueprint, after the session
and the CSRF check (install.py). A form a merged Ambito may still post (a data subject's erasure: the right
survives the merger) marks its view with `allowed_after_merger`, the same mark the API's views carry
(shared/http/sharing_api.py).
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import Conflict

from shared.http.sharing_api import allowed_after_merger, is_allowed_after_merger

__all__ = ["allowed_after_merger", "refuse_writes_when_merged"]


def refuse_writes_when_merged() -> None:
    """Raise the 409 page for a logged-in person's POST at a merged Ambito, unless the view is marked.

    Nobody logged in is left to the view's own check (the login, then 403), as before the merger."""
    tenant = g.get("tenant")
    if request.method != "POST" or tenant is None or not tenant.merged or g.get("principal") is None:
        return
    if is_allowed_after_merger(current_app.view_functions.get(request.endpoint)):
        return
    refusal = Conflict()
    refusal.pdz_detail = _("L'Ambito è confluito in «%(successore)s»: qui i dati si consultano soltanto.",
                           successore=tenant.merged_into or "")
    raise refusal
