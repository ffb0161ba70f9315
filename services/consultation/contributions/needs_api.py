"""Needs (bisogni) HTTP API: /v1/{tenant}/needs."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, ROLES, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems
from shared.http.pagination import decode_cursor, page

from services.consultation.contributions import needs_service as service
from services.consultation.contributions.http import NOT_PERMITTED, ORGANISATION, REPLICA, area_codes, caller, run
from services.consultation.contributions.schemas import NeedIn, NeedListQuery, NeedOut, NeedPage, NeedPatch

blp = Blueprint("needs", __name__, url_prefix="/v1/<tenant>/needs",
                description="Bisogni emersi ai tavoli, per area tematica e area di utenza")

CONTRIBUTORS = (OPERATOR, COORDINATOR, STAKEHOLDER)
OFFICE = (OPERATOR, COORDINATOR)
FILTERS = ("table_id", "session_id", "area", "target_group", "organisation_id", "comune", "status", "origin")


def answer(need: dict, status: int = 200):
    return {"origin": g.tenant.slug, **need}, status, {"ETag": etag(need["version"])}


@blp.route("")
class Needs(MethodView):
    @requires(*ROLES)
    @blp.arguments(NeedListQuery, location="query")
    @blp.response(200, NeedPage)
    def get(self, query, tenant):
        """List the needs, the Ambito's and its former Ambiti's (each with `origin`; filters: table, session, area,
        target group, organisation, comune, status, origin); cursor over both."""
        after = decode_cursor(query.get("after"))
        with current_platform().read(g.tenant) as conn:
            rows = service.list_needs(conn=conn, filters={k: query.get(k) for k in FILTERS}, after_seq=after,
                                      limit=query["limit"] + 1, tenant=g.tenant.slug)
        return page(rows, query["limit"])

    @requires(*CONTRIBUTORS)
    @idempotent
    @blp.arguments(NeedIn)
    @blp.response(201, NeedOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(*ORGANISATION))
    def post(self, body, tenant):
        """Record a need of a member organisation: its representative, or the office on_behalf; Idempotency-Key."""
        codes, who = area_codes(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.record_need(conn=conn, tenant=tenant, caller=who, area_codes=codes,
                                                          **body)), 201)


@blp.route("/<uuid:need_id>")
class NeedById(MethodView):
    @requires(*ROLES)
    @blp.response(200, NeedOut)
    def get(self, tenant, need_id):
        """One need, with ETag."""
        with current_platform().read(g.tenant) as conn:
            return answer(run(lambda: service.get_need(conn=conn, need_id=need_id)))

    @requires(*CONTRIBUTORS)
    @blp.arguments(NeedPatch(partial=True))
    @blp.response(200, NeedOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(("contribution-state", "the need is closed"), REPLICA, *ORGANISATION))
    def patch(self, body, tenant, need_id):
        """Edit an open need: its organisation's representatives at the table, or the office (If-Match required)."""
        version, codes, who = required_version(), area_codes(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.edit_need(conn=conn, tenant=tenant, caller=who, area_codes=codes,
                                                        need_id=need_id, version=version, changes=body)))


@blp.route("/<uuid:need_id>/close")
class CloseNeed(MethodView):
    @requires(*OFFICE)
    @blp.response(200, NeedOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(("contribution-state", "the need is already closed"), REPLICA))
    def post(self, tenant, need_id):
        """Close a need (no more edits; proposals may still answer it): the office or the table's coordinator."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.close_need(conn=conn, tenant=tenant, caller=who, need_id=need_id,
                                                         version=version)))
