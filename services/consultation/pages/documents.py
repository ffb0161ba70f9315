"""The documents as PDF/A from the pages (the session cookie, not a token): the approved minutes, the
attendance register (names: the table's managers only, each named entry logged), the community profile."""
from __future__ import annotations

from flask import Response, abort, g

from shared.documents import pdf
from shared.http.app import current_platform
from shared.web import page_requires

from services.consultation.documents import service
from services.consultation.pages.blueprint import blp
from services.consultation.pages.common import EVERYONE, MANAGERS, area_names, caller, reading, writing
from services.consultation.sessions.service import SessionNotFound
from services.consultation.tables.access import NotAllowed

# Personal data: no copy anywhere. Public documents: revalidated before reuse (as the API's).
PRIVATE, SHARED = "no-store", "private, no-cache"


def _pdf(html: str, *, filename: str, cache: str) -> Response:
    response = Response(pdf.to_pdf(html), content_type="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    return response


@blp.route("/sessioni/<uuid:session_id>/verbale.pdf")
@page_requires(*EVERYONE)
def minutes_pdf(tenant, session_id):
    """The approved minutes in force, with the organisations present."""
    try:
        with reading() as conn:
            html = service.minutes_html(conn=conn, tenant=tenant, ambito=g.tenant.name, session_id=session_id)
    except (SessionNotFound, service.NoApprovedMinutes):
        abort(404)
    return _pdf(html, filename=f"verbale-{session_id}.pdf", cache=SHARED)


@blp.route("/sessioni/<uuid:session_id>/registro-presenze.pdf")
@page_requires(*MANAGERS)
def attendance_pdf(tenant, session_id):
    """The attendance register with the attendees' names (the office or the table's coordinator)."""
    try:
        with writing() as conn:
            html = service.attendance_register_html(conn=conn, caller=caller(), request_id=g.get("request_id"),
                                                    tenant=tenant, ambito=g.tenant.name, session_id=session_id)
    except SessionNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    return _pdf(html, filename=f"registro-presenze-{session_id}.pdf", cache=PRIVATE)


@blp.route("/profilo-di-comunita.pdf")
@page_requires(*EVERYONE)
def community_profile_pdf(tenant):
    """The community profile: territory, network, offer, needs, proposals, priorities, participation."""
    region = current_platform().regions.get(g.tenant.region)
    with reading() as conn:
        html = service.community_profile_html(conn=conn, tenant=tenant, ambito=g.tenant.name, areas=area_names(),
                                              region_name=region.name if region else None)
    return _pdf(html, filename=f"profilo-di-comunita-{tenant}.pdf", cache=SHARED)


