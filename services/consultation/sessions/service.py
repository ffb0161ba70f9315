"""Session use cases: schedule, change, hold, cancel, list; one transaction each, the connection passed in."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.consultation.sessions import domain, events, seats, store
from services.consultation.sessions.registrations import promotion
from services.consultation.tables import access


class TableNotFound(LookupError):
    """No such table in this Ambito."""


class SessionNotFound(LookupError):
    """No such session in this Ambito."""


class Stale(Exception):
    """The row's version is not the one the client read."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def now() -> datetime:
    return datetime.now(timezone.utc)


def managed_table(conn: psycopg.Connection, *, caller: access.Caller, table_id) -> dict:
    """The table, if the caller manages it (access.NotAllowed otherwise)."""
    table = store.table(conn, table_id)
    if table is None:
        raise TableNotFound(table_id)
    access.ensure_manages(caller, table)
    return table


def session_and_table(conn: psycopg.Connection, session_id, *, for_update: bool = False) -> tuple[dict, dict]:
    """The session (locked if asked) and its table."""
    session = store.get(conn, session_id, for_update=for_update)
    if session is None:
        raise SessionNotFound(session_id)
    return session, store.table(conn, session["table_id"])


def locked(conn: psycopg.Connection, *, caller: access.Caller, session_id, version: int | None = None) -> tuple:
    """The session locked for a change by one of its table's managers, at the version the client read."""
    session, table = session_and_table(conn, session_id, for_update=True)
    access.ensure_manages(caller, table)
    if version is not None and session["version"] != version:
        raise Stale(session["version"])
    return session, table


def seats_taken(conn: psycopg.Connection, session_id) -> int:
    return conn.execute("SELECT coalesce(sum(seats), 0) FROM session_registrations"
                        " WHERE session_id = %s AND status = 'registered'", (session_id,)).fetchone()[0]


def schedule(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, table_id, title: str,
             starts_at: datetime, ends_at: datetime | None = None, place: str | None = None,
             video_link: str | None = None, agenda: list[str], seat_limit: int | None = None) -> dict:
    """Schedule a session of a table the caller manages."""
    domain.check_where(place, video_link)
    domain.check_times(starts_at, ends_at)
    with conn.transaction():
        managed_table(conn, caller=caller, table_id=table_id)
        session = store.insert(conn, id=uuid.uuid4(), table_id=table_id, title=title, starts_at=starts_at,
                               ends_at=ends_at, place=place, video_link=video_link, agenda=agenda,
                               seat_limit=seat_limit, created_by=caller.subject)
        add_event(conn, events.session_event(events.SESSION_SCHEDULED, tenant=tenant, session=session))
    return session


def get_session(*, conn: psycopg.Connection, session_id) -> dict:
    """One session (any reader of the Ambito may see it)."""
    return session_and_table(conn, session_id)[0]


def list_sessions(*, conn: psycopg.Connection, table_id, status: str | None, after: str | None,
                  limit: int) -> dict:
    """A page of a table's sessions in the order they were scheduled."""
    if store.table(conn, table_id) is None:
        raise TableNotFound(table_id)
    rows = store.page(conn, table_id=table_id, status=status, after_seq=decode_cursor(after), limit=limit + 1)
    return page(rows, limit)


def change(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id, version: int,
           changes: dict) -> dict:
    """Change a scheduled session; a higher seat limit promotes the waiting list at once."""
    with conn.transaction():
        session, _table = locked(conn, caller=caller, session_id=session_id, version=version)
        domain.check_editable(session["status"])
        merged = {**session, **changes}
        domain.check_where(merged["place"], merged["video_link"])
        domain.check_times(merged["starts_at"], merged["ends_at"])
        if "seat_limit" in changes:
            domain.check_seat_limit(seat_limit=changes["seat_limit"], seats_taken=seats_taken(conn, session_id))
        session = store.update(conn, session_id, **changes)
        add_event(conn, events.session_event(events.SESSION_UPDATED, tenant=tenant, session=session))
        if "seat_limit" in changes:
            promotion.promote_waiting(conn, tenant=tenant, session=session)
    return session


def hold(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id, version: int) -> dict:
    """Record that a scheduled session took place."""
    with conn.transaction():
        session, _table = locked(conn, caller=caller, session_id=session_id, version=version)
        at = now()
        domain.check_holdable(status=session["status"], starts_at=session["starts_at"], now=at)
        session = store.update(conn, session_id, status=domain.HELD, held_at=at)
        add_event(conn, events.session_event(events.SESSION_HELD, tenant=tenant, session=session))
    return session


def cancel(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id, version: int,
           reason: str | None = None) -> dict:
    """Cancel a scheduled session (its registrations stay, for the record)."""
    with conn.transaction():
        session, _table = locked(conn, caller=caller, session_id=session_id, version=version)
        domain.check_transition(session["status"], domain.CANCELLED)
        session = store.update(conn, session_id, status=domain.CANCELLED, cancelled_at=now(),
                               cancel_reason=reason)
        add_event(conn, events.session_event(events.SESSION_CANCELLED, tenant=tenant, session=session))
    return session


def with_seats(conn: psycopg.Connection, session: dict) -> dict:
    """The session as clients see it: seats taken and free, and how many wait."""
    taken, waiting = conn.execute(
        "SELECT coalesce(sum(seats) FILTER (WHERE status = 'registered'), 0),"
        " count(*) FILTER (WHERE status = 'waiting') FROM session_registrations WHERE session_id = %s",
        (session["id"],)).fetchone()
    return {**session, "seats_taken": taken, "seats_free": seats.free_seats(limit=session["seat_limit"], taken=taken),
            "waiting": waiting}
