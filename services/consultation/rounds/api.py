"""Prioritisation rounds HTTP API: /v1/{tenant}/rounds (open, read, close, cancel)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems

from services.consultation.rounds import service
from services.consultation.rounds.http import NOT_PERMITTED, caller, run
from services.consultation.rounds.schemas import CancelIn, RoundIn, RoundListQuery, RoundOut, RoundPage

blp = Blueprint("rounds", __name__, url_prefix="/v1/<tenant>/rounds",
                description="Turni di priorità: le organizzazioni del tavolo distribuiscono punti sulle proposte")

OFFICE = (OPERATOR, COORDINATOR)
CLOSED = ("round-closed", "the round is closed (its closing time passed, or the office closed it)")
CANCELLED = ("round-cancelled", "the round was cancelled")
TABLE_CLOSED = ("table-closed", "the table is closed")


def answer(round_: dict, status: int = 200):
    return round_, status, {"ETag": etag(round_["version"])}


def _closed_if_due(round_: dict) -> dict:
    """A round found due on read: store its closure (results, event) now, in a write transaction."""
    if not round_["closure_due"]:
        return round_
    with current_platform().write(g.tenant) as conn:
        return service.close_due(conn=conn, tenant=g.tenant.slug, round_id=round_["id"])


@blp.route("")
class Rounds(MethodView):
    @requires(*ROLES)
    @blp.arguments(RoundListQuery, location="query")
    @blp.response(200, RoundPage)
    def get(self, query, tenant):
        """List the rounds (filters: table, status); a round whose closing time has passed is closed, with results."""
        platform = current_platform()
        with platform.read(g.tenant) as conn:
            due = service.due_rounds(conn=conn)
        for round_id in due:
            with platform.write(g.tenant) as conn:
                service.close_due(conn=conn, tenant=tenant, round_id=round_id)
        with platform.read(g.tenant) as conn:
            return service.list_rounds(conn=conn, table_id=query.get("table_id"), status=query.get("status"),
                                       after=query.get("after"), limit=query["limit"])

    @requires(*OFFICE)
    @idempotent
    @blp.arguments(RoundIn)
    @blp.response(201, RoundOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(TABLE_CLOSED))
    def post(self, body, tenant):
        """Open a round on proposals of a table: the Ufficio di Piano or the table's coordinator; Idempotency-Key."""
        who = caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.open_round(conn=conn, tenant=tenant, caller=who, **body)), 201)


@blp.route("/<uuid:round_id>")
class RoundById(MethodView):
    @requires(*ROLES)
    @blp.response(200, RoundOut)
    def get(self, tenant, round_id):
        """One round, with ETag: its proposals, how many have voted, and the results once closed."""
        with current_platform().read(g.tenant) as conn:
            found = run(lambda: service.get_round(conn=conn, round_id=round_id))
        return answer(run(lambda: _closed_if_due(found)))


@blp.route("/<uuid:round_id>/close")
class CloseRound(MethodView):
    @requires(*OFFICE)
    @blp.response(200, RoundOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(CLOSED, CANCELLED))
    def post(self, tenant, round_id):
        """Close the round now and compute its results: the table's managers (If-Match)."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.close_round(conn=conn, tenant=tenant, caller=who, round_id=round_id,
                                                          version=version)))


@blp.route("/<uuid:round_id>/cancel")
class CancelRound(MethodView):
    @requires(*OFFICE)
    @blp.arguments(CancelIn)
    @blp.response(200, RoundOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(CLOSED, CANCELLED))
    def post(self, body, tenant, round_id):
        """Cancel an open round (no results): the table's managers (If-Match; optional reason)."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.cancel_round(conn=conn, tenant=tenant, caller=who, round_id=round_id,
                                                           version=version, reason=body.get("reason"))))
