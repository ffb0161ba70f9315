"""Attendance HTTP API: /v1/{tenant}/sessions/{id}/attendance (the register: personal data) and
/attendance-summary (organisations and counts only)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.problems import Problem

from services.consultation.sessions.api import READERS, caller, run as run_session
from services.consultation.sessions.attendance import service
from services.consultation.sessions.attendance.schemas import (AttendanceEntryIn, AttendanceEntryOut,
                                                               AttendanceEntryPatch, AttendanceRegisterPage,
                                                               AttendanceRegisterQuery, AttendanceSummaryOut)

blp = Blueprint("session_attendance", __name__, url_prefix="/v1/<tenant>/sessions/<uuid:session_id>",
                description="Registro presenze delle sessioni (nomi dei partecipanti: dati personali,"
                            " solo Ufficio di Piano e coordinatore del tavolo, ogni accesso registrato)")

# The register names people: the office and the table's coordinator only (checked against the table).
KEEPERS = (OPERATOR, COORDINATOR)


def run(action):
    try:
        return run_session(action)
    except service.EntryNotFound:
        raise Problem(404, "Not Found", "No such attendance entry for this session.", slug="not-found") from None
    except service.AttendanceRuleError as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None


def _answer(entry: dict, status: int = 200):
    return entry, status, {"ETag": etag(entry["version"])}


@blp.route("/attendance")
class Register(MethodView):
    @requires(*KEEPERS)
    @blp.arguments(AttendanceRegisterQuery, location="query")
    @blp.response(200, AttendanceRegisterPage)
    def get(self, query, tenant, session_id):
        """The attendance register with attendees' names (operator or the table's coordinator; each read logged)."""
        with current_platform().write(g.tenant) as conn:
            return run(lambda: service.read_register(conn=conn, caller=caller(), request_id=g.request_id,
                                                     session_id=session_id, after=query.get("after"),
                                                     limit=query["limit"]))

    @requires(*KEEPERS)
    @idempotent
    @blp.arguments(AttendanceEntryIn)
    @blp.response(201, AttendanceEntryOut)
    @blp.alt_response(409, **conflicts(
        ("session-state", "a cancelled session has no attendance register"),
        ("not-invited", "the organisation is neither invited to the session nor a member of the table")))
    def post(self, body, tenant, session_id):
        """Record an organisation present: mode, arrival and departure, the attendee's name and role."""
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.record(conn=conn, tenant=tenant, caller=caller(),
                                                      request_id=g.request_id, session_id=session_id, **body)), 201)


@blp.route("/attendance/<uuid:entry_id>")
class Entry(MethodView):
    @requires(*KEEPERS)
    @blp.response(200, AttendanceEntryOut)
    def get(self, tenant, session_id, entry_id):
        """One entry of the register with the attendee's name (logged) and ETag."""
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.read_entry(conn=conn, caller=caller(), request_id=g.request_id,
                                                          session_id=session_id, entry_id=entry_id)))

    @requires(*KEEPERS)
    @blp.arguments(AttendanceEntryPatch(partial=True, exclude=("organisation_id",)))
    @blp.response(200, AttendanceEntryOut)
    @blp.alt_response(409, **conflicts(("session-state", "a cancelled session has no attendance register"),
                                       ("attendance-times", "the departure would come before the arrival")))
    def patch(self, body, tenant, session_id, entry_id):
        """Change an entry, e.g. the departure time (If-Match required)."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.change(conn=conn, tenant=tenant, caller=caller(),
                                                      request_id=g.request_id, session_id=session_id,
                                                      entry_id=entry_id, version=version, changes=body)))


@blp.route("/attendance-summary")
class Summary(MethodView):
    @requires(*READERS)
    @blp.response(200, AttendanceSummaryOut)
    def get(self, tenant, session_id):
        """Who was present: organisations and attendees per mode, without names (every reader of the Ambito)."""
        with current_platform().read(g.tenant) as conn:
            return run(lambda: service.summary(conn=conn, session_id=session_id))
