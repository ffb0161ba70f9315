"""Minutes HTTP API: /v1/{tenant}/sessions/{id}/minutes (numbered versions)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.problems import Problem

from services.consultation.sessions.api import MANAGERS, READERS, caller, run as run_session
from services.consultation.sessions.minutes import domain, service
from services.consultation.sessions.minutes.schemas import MinutesIn, MinutesList, MinutesOut, MinutesPatch

blp = Blueprint("session_minutes", __name__, url_prefix="/v1/<tenant>/sessions/<uuid:session_id>/minutes",
                description="Verbali delle sessioni: bozza, approvazione, rettifiche numerate")

APPROVED = ("minutes-approved", "approved minutes are immutable: write a correction")


def run(action):
    try:
        return run_session(action)
    except service.MinutesNotFound:
        raise Problem(404, "Not Found", "No such version of the minutes.", slug="not-found") from None
    except domain.MinutesRuleError as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None


def version_number(number: str) -> int:
    """The minutes' number in the path; 404 for anything that is not one (e.g. a UUID)."""
    if not (number.isascii() and number.isdigit()) or not 1 <= int(number) <= 10000:
        raise Problem(404, "Not Found", "No such version of the minutes.", slug="not-found")
    return int(number)


def _answer(minutes: dict, status: int = 200):
    return minutes, status, {"ETag": etag(minutes["version"])}


@blp.route("")
class Minutes(MethodView):
    @requires(*READERS)
    @blp.response(200, MinutesList)
    def get(self, tenant, session_id):
        """The versions, oldest first, and the one in force (drafts only for the table's managers)."""
        with current_platform().read(g.tenant) as conn:
            return run(lambda: service.list_versions(conn=conn, caller=caller(), session_id=session_id))

    @requires(*MANAGERS)
    @idempotent
    @blp.arguments(MinutesIn)
    @blp.response(201, MinutesOut)
    @blp.alt_response(409, **conflicts(
        ("session-state", "minutes are written for a held session"),
        ("minutes-exist", "the session has minutes: edit the draft or write a correction"),
        ("minutes-draft-pending", "a draft is pending"),
        ("minutes-not-in-force", "only the version in force (the last approved) can be corrected"),
        ("minutes-state", "the correction has no reason")))
    def post(self, body, tenant, session_id):
        """Draft the minutes (version 1), or a correction of the version in force (corrects + reason)."""
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.draft(conn=conn, tenant=tenant, caller=caller(),
                                                     session_id=session_id, **body)), 201)


@blp.route("/<number>")
class MinutesVersion(MethodView):
    @requires(*READERS)
    @blp.response(200, MinutesOut)
    def get(self, tenant, session_id, number):
        """One version, with ETag (a draft only for the table's managers)."""
        number = version_number(number)
        with current_platform().read(g.tenant) as conn:
            return _answer(run(lambda: service.get_version(conn=conn, caller=caller(), session_id=session_id,
                                                           number=number)))

    @requires(*MANAGERS)
    @blp.arguments(MinutesPatch)
    @blp.response(200, MinutesOut)
    @blp.alt_response(409, **conflicts(APPROVED, ("minutes-state", "only a correction has a reason")))
    def patch(self, body, tenant, session_id, number):
        """Edit a draft (If-Match required); approved minutes answer 409."""
        number, version = version_number(number), required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.edit(conn=conn, tenant=tenant, caller=caller(), session_id=session_id,
                                                    number=number, version=version, changes=body)))


@blp.route("/<number>/approve")
class ApproveMinutes(MethodView):
    @requires(*MANAGERS)
    @blp.response(200, MinutesOut)
    @blp.alt_response(409, **conflicts(APPROVED))
    def post(self, tenant, session_id, number):
        """Approve a draft (If-Match required): who and when are recorded; it never changes again."""
        number, version = version_number(number), required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.approve(conn=conn, tenant=tenant, caller=caller(),
                                                       session_id=session_id, number=number, version=version)))
