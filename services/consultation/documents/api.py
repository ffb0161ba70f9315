"""Documents as PDF/A: /v1/{tenant}/sessions/{id}/attendance.pdf (internal: names of attendees),
/sessions/{id}/minutes.pdf (the approved minutes in force) and /community-profile.pdf (profilo di comunità).

Rebuilt on each request (about a second of CPU for a few pages): nothing is cached, so a register erased
or minutes corrected a moment ago never come back from a copy. Every reader of the Ambito holds a token:
see docs/consultation.md "Documents (PDF)" for why the public documents are not anonymous here.
"""
from __future__ import annotations

from flask import Response, g
from flask.views import MethodView

from shared.documents import pdf
from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, requires
from shared.http.blueprint import Blueprint
from shared.http.openapi import problems
from shared.http.problems import Problem

from services.consultation.documents import service
from services.consultation.sessions.api import READERS, caller, run as run_session

blp = Blueprint("consultation_documents", __name__, url_prefix="/v1/<tenant>",
                description="Documenti in PDF/A: registro presenze (interno), verbale approvato, profilo di comunità")

PDF = "application/pdf"
NO_MINUTES = ("no-approved-minutes", "the session has no approved minutes yet")


def _responses(description: str, cache: str) -> dict:
    return {"200": {"description": f"{description} (PDF/A-2u, A4, in italiano)",
                    "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
                    "headers": {
                        "Content-Disposition": {"description": "inline; filename=<documento>.pdf", "required": True,
                                                "schema": {"type": "string"}},
                        "Cache-Control": {"description": cache, "required": True, "schema": {"type": "string"}}}}}


def _pdf(html: str, *, filename: str, cache: str) -> Response:
    response = Response(pdf.to_pdf(html), content_type=PDF)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    return response


def _areas() -> dict[str, str]:
    region = current_platform().regions.get(g.tenant.region)
    return {} if region is None else {a.code: a.name for a in region.areas}


def _region_name() -> str | None:
    region = current_platform().regions.get(g.tenant.region)
    return None if region is None else region.name


# Personal data: no copy anywhere (browser, proxy). Public documents: any copy, revalidated before reuse.
PRIVATE = "no-store"
SHARED = "private, no-cache"


@blp.route("/sessions/<uuid:session_id>/attendance.pdf")
class AttendancePdf(MethodView):
    @requires(OPERATOR, COORDINATOR)
    @blp.doc(etag=False, responses=_responses("Il registro delle presenze con i nomi dei partecipanti",
                                              "`no-store`: personal data"))
    def get(self, tenant, session_id):
        """The attendance register with the attendees' names (operator or the table's coordinator; each named
        entry logged)."""
        with current_platform().write(g.tenant) as conn:
            html = run_session(lambda: service.attendance_register_html(
                conn=conn, caller=caller(), request_id=g.request_id, tenant=tenant, ambito=g.tenant.name,
                session_id=session_id))
        return _pdf(html, filename=f"registro-presenze-{session_id}.pdf", cache=PRIVATE)


@blp.route("/sessions/<uuid:session_id>/minutes.pdf")
class MinutesPdf(MethodView):
    @requires(*READERS)
    @blp.doc(etag=False, responses=_responses("Il verbale approvato in vigore", "`private, no-cache`"))
    @blp.alt_response(404, **problems(404, NO_MINUTES))
    def get(self, tenant, session_id):
        """The approved minutes in force (the last approved version) of a session: a public document."""
        with current_platform().read(g.tenant) as conn:
            try:
                html = run_session(lambda: service.minutes_html(conn=conn, tenant=tenant, ambito=g.tenant.name,
                                                                session_id=session_id))
            except service.NoApprovedMinutes:
                raise Problem(404, "Not Found", "This session has no approved minutes yet.",
                              slug=NO_MINUTES[0]) from None
        return _pdf(html, filename=f"verbale-{session_id}.pdf", cache=SHARED)


@blp.route("/community-profile.pdf")
class CommunityProfilePdf(MethodView):
    @requires(*READERS)
    @blp.doc(etag=False, responses=_responses("Il profilo di comunità dell'Ambito", "`private, no-cache`"))
    def get(self, tenant):
        """The community profile (profilo di comunità): territory, offer, needs, proposals, priorities, participation."""
        with current_platform().read(g.tenant) as conn:
            html = service.community_profile_html(conn=conn, tenant=tenant, ambito=g.tenant.name, areas=_areas(),
                                                  region_name=_region_name())
        return _pdf(html, filename=f"profilo-di-comunita-{tenant}.pdf", cache=SHARED)
