"""Minutes use cases: draft, edit the draft, approve, correct, read; one transaction each.

Drafts are seen by the table's managers only; approved versions are public documents (no personal
data: the body is written by the coordinator, who names organisations, not people).
"""
from __future__ import annotations

import uuid

import psycopg

from shared.outbox.store import add_event

from services.consultation.sessions import domain as sessions_domain
from services.consultation.sessions import events
from services.consultation.sessions.minutes import domain, store
from services.consultation.sessions.service import Stale, now, session_and_table
from services.consultation.tables import access


class MinutesNotFound(LookupError):
    """No such version of the session's minutes (or not one the caller may see)."""


def _managed(conn, *, caller: access.Caller, session_id) -> dict:
    # The session is locked: two drafts or corrections at once are decided one after the other.
    session, table = session_and_table(conn, session_id, for_update=True)
    access.ensure_manages(caller, table)
    return session


def _versions(rows: list[dict]) -> list[domain.Version]:
    return [domain.Version(r["number"], r["status"]) for r in rows]


def draft(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id, body: str,
          corrects: int | None = None, reason: str | None = None) -> dict:
    """The first draft of a held session's minutes, or (with `corrects` and `reason`) a correction."""
    with conn.transaction():
        session = _managed(conn, caller=caller, session_id=session_id)
        sessions_domain.check_minutes(session["status"])
        existing = _versions(store.versions(conn, session_id))
        if corrects is None:
            number = domain.first_number(existing)
        else:
            if not (reason or "").strip():
                raise domain.MinutesRuleError("a correction says what it corrects (reason)")
            number = domain.correction_number(existing, corrects=corrects)
        minutes = store.insert(conn, id=uuid.uuid4(), session_id=session_id, number=number, body=body,
                               corrects=corrects, reason=reason if corrects is not None else None,
                               drafted_by=caller.subject)
        type_ = events.MINUTES_DRAFTED if corrects is None else events.MINUTES_CORRECTED
        add_event(conn, events.minutes_event(type_, tenant=tenant, session=session, minutes=minutes))
    return minutes


def _locked_version(conn, *, caller, session_id, number: int, version: int) -> tuple[dict, dict]:
    session = _managed(conn, caller=caller, session_id=session_id)
    minutes = store.get(conn, session_id=session_id, number=number, for_update=True)
    if minutes is None:
        raise MinutesNotFound(number)
    # Approved first: an approved version refuses every write with 409, whatever ETag is sent.
    domain.check_editable(minutes["status"])
    if minutes["version"] != version:
        raise Stale(minutes["version"])
    return session, minutes


def edit(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id, number: int, version: int,
         changes: dict) -> dict:
    """Change a draft's body (or a correction draft's reason)."""
    with conn.transaction():
        session, minutes = _locked_version(conn, caller=caller, session_id=session_id, number=number,
                                           version=version)
        if "reason" in changes and minutes["corrects"] is None:
            raise domain.MinutesRuleError("only a correction has a reason")
        if "reason" in changes and not (changes["reason"] or "").strip():
            raise domain.MinutesRuleError("a correction says what it corrects (reason)")
        minutes = store.update(conn, minutes["id"], **changes)
        add_event(conn, events.minutes_event(events.MINUTES_UPDATED, tenant=tenant, session=session, minutes=minutes))
    return minutes


def approve(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id, number: int,
            version: int) -> dict:
    """Approve a draft: from now on it never changes (a correction is a new version)."""
    with conn.transaction():
        session, minutes = _locked_version(conn, caller=caller, session_id=session_id, number=number,
                                           version=version)
        domain.check_approvable(minutes["status"])
        minutes = store.update(conn, minutes["id"], status=domain.APPROVED, approved_by=caller.subject,
                               approved_at=now())
        add_event(conn, events.minutes_event(events.MINUTES_APPROVED, tenant=tenant, session=session,
                                             minutes=minutes))
    return minutes


def _visible(caller: access.Caller, table: dict, rows: list[dict]) -> list[dict]:
    """Managers see drafts too; everyone else the approved versions only."""
    if access.manages(caller, table):
        return rows
    return [r for r in rows if r["status"] == domain.APPROVED]


def list_versions(*, conn: psycopg.Connection, caller: access.Caller, session_id) -> dict:
    """The versions of a session's minutes, oldest first, and the number of the one in force."""
    _session, table = session_and_table(conn, session_id)
    rows = store.versions(conn, session_id)
    return {"items": _visible(caller, table, rows), "in_force": domain.in_force(_versions(rows))}


def get_version(*, conn: psycopg.Connection, caller: access.Caller, session_id, number: int) -> dict:
    """One version of the minutes (a draft only for the table's managers)."""
    _session, table = session_and_table(conn, session_id)
    minutes = store.get(conn, session_id=session_id, number=number)
    if minutes is None or not _visible(caller, table, [minutes]):
        raise MinutesNotFound(number)
    return minutes
