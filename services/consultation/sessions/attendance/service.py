"""Attendance use cases: record, change, read the register (logged), summarise (no names).

The register names people (attendee_name, attendee_role): only the table's managers (the Ufficio di
Piano's operators and the table's coordinator) read or write it, and each entry naming someone that is
shown, written or changed leaves a line in the personal-data access log in the same transaction.
"""
from __future__ import annotations

import uuid

import psycopg

from shared.access_log import record_access
from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.consultation.sessions import domain, events
from services.consultation.sessions import store as sessions_store
from services.consultation.sessions.attendance import store
from services.consultation.sessions.service import Stale, session_and_table
from services.consultation.tables import access

RESOURCE = "attendee"
PERSONAL_FIELDS = ("attendee_name", "attendee_role")


class EntryNotFound(LookupError):
    """No such attendance entry for this session."""


class AttendanceRuleError(ValueError):
    """The entry cannot be recorded; `code` names why."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


def _managed(conn, *, caller: access.Caller, session_id, for_update: bool = False) -> tuple[dict, dict]:
    session, table = session_and_table(conn, session_id, for_update=for_update)
    access.ensure_manages(caller, table)
    return session, table


def _names_someone(entry: dict) -> bool:
    return any(entry.get(f) for f in PERSONAL_FIELDS)


def _check_times(arrived_at, left_at) -> None:
    if arrived_at is not None and left_at is not None and left_at < arrived_at:
        raise AttendanceRuleError("attendance-times", "left_at must not come before arrived_at")


def _announce(conn, *, tenant: str, session: dict, entry: dict) -> None:
    add_event(conn, events.attendance_event(tenant=tenant, session=session, entry=entry,
                                            organisation_type=entry["organisation_type"],
                                            totals=store.totals(conn, session["id"])))


def record(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, request_id: str | None,
           session_id, organisation_id, mode: str, arrived_at=None, left_at=None, attendee_name: str | None = None,
           attendee_role: str | None = None) -> dict:
    """Record an organisation present (one entry per attendee), with the attendee's name and role if given."""
    _check_times(arrived_at, left_at)
    with conn.transaction():
        session, table = _managed(conn, caller=caller, session_id=session_id, for_update=True)
        domain.check_attendance(session["status"])
        is_member = any(m["organisation_id"] == organisation_id and m["state"] == "member"
                        for m in sessions_store.members(conn, table["id"]))
        if not is_member and not sessions_store.invited(conn, session_id=session_id, organisation_id=organisation_id):
            raise AttendanceRuleError("not-invited", "the organisation is neither invited nor a member of the table")
        entry = store.insert(conn, id=uuid.uuid4(), session_id=session_id, organisation_id=organisation_id,
                             mode=mode, arrived_at=arrived_at, left_at=left_at, attendee_name=attendee_name,
                             attendee_role=attendee_role, recorded_by=caller.subject)
        if _names_someone(entry):
            record_access(conn, subject=caller.subject, action="create", resource=RESOURCE,
                          resource_id=entry["id"], request_id=request_id)
        _announce(conn, tenant=tenant, session=session, entry=entry)
    return entry


def change(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, request_id: str | None, session_id,
           entry_id, version: int, changes: dict) -> dict:
    """Change an entry (e.g. record when the attendee left)."""
    with conn.transaction():
        session, _table = _managed(conn, caller=caller, session_id=session_id, for_update=True)
        domain.check_attendance(session["status"])
        entry = store.get(conn, entry_id, session_id=session_id, for_update=True)
        if entry is None:
            raise EntryNotFound(entry_id)
        if entry["version"] != version:
            raise Stale(entry["version"])
        merged = {**entry, **changes}
        _check_times(merged["arrived_at"], merged["left_at"])
        entry = store.update(conn, entry_id, **changes)
        if _names_someone(entry) or any(f in changes for f in PERSONAL_FIELDS):
            record_access(conn, subject=caller.subject, action="update", resource=RESOURCE,
                          resource_id=entry["id"], request_id=request_id)
        _announce(conn, tenant=tenant, session=session, entry=entry)
    return entry


def read_entry(*, conn: psycopg.Connection, caller: access.Caller, request_id: str | None, session_id,
               entry_id) -> dict:
    """One entry with the attendee's name (logged)."""
    with conn.transaction():
        _managed(conn, caller=caller, session_id=session_id)
        entry = store.get(conn, entry_id, session_id=session_id)
        if entry is None:
            raise EntryNotFound(entry_id)
        if _names_someone(entry):
            record_access(conn, subject=caller.subject, action="read", resource=RESOURCE, resource_id=entry["id"],
                          request_id=request_id)
    return entry


def read_register(*, conn: psycopg.Connection, caller: access.Caller, request_id: str | None, session_id,
                  after: str | None, limit: int) -> dict:
    """A page of the register with the attendees' names; each entry shown that names someone is logged."""
    with conn.transaction():
        _managed(conn, caller=caller, session_id=session_id)
        result = page(store.register(conn, session_id=session_id, after_seq=decode_cursor(after), limit=limit + 1),
                      limit)
        for entry in result["items"]:
            if _names_someone(entry):
                record_access(conn, subject=caller.subject, action="read", resource=RESOURCE,
                              resource_id=entry["id"], request_id=request_id)
    return result


def summary(*, conn: psycopg.Connection, session_id) -> dict:
    """Who was present, per organisation and mode, without names: for every reader of the Ambito."""
    session_and_table(conn, session_id)
    return {"session_id": session_id, "organisations": store.summary(conn, session_id),
            "totals": store.totals(conn, session_id)}
