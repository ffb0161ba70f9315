"""The Ambito's home in the registry: what needs attention (office) or what one can do (representative)."""
from __future__ import annotations

from flask import g

from shared.http.auth import ROLES
from shared.web import page_requires

from services.registry.applications import service as applications
from services.registry.calls import service as calls
from services.registry.corrections import service as corrections
from services.registry.pages import labels
from services.registry.pages.blueprint import blp
from services.registry.pages.common import is_reader, page, reading
from services.registry.profile import service as profile


@blp.route("/")
@page_requires(*ROLES)
def home(tenant):
    """Office: what needs attention (applications, corrections, drafts); representative: calls, its applications."""
    only_of = None if is_reader() else g.principal.subject
    with reading() as conn:
        every_call = calls.list_calls(conn=conn, status=None, after=None, limit=500)["items"]
        to_review = applications.list_applications(
            conn=conn, call_id=None, status="submitted" if is_reader() else None, submitted_by=None,
            only_of=only_of, after=None, limit=100)["items"]
        has_profile = profile.get_profile(conn=conn) is not None
        # The organisations' requests to correct the register wait for the office like applications do.
        to_correct = (corrections.list_corrections(conn=conn, status="pending", limit=100)["items"]
                      if is_reader() else [])
    titles = {c["id"]: c["title"] for c in every_call}
    return page("home.html", drafts=[c for c in every_call if c["status"] == "draft"],
                open_calls=[c for c in every_call if c["accepting_applications"]],
                applications=to_review, corrections=to_correct, titles=titles, has_profile=has_profile,
                labels=labels)
