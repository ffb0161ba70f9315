"""Registrations: plain SQL. Callers hold the session row locked (FOR UPDATE) while they count seats."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

COLUMNS = ("r.id, r.seq, r.session_id, r.organisation_id, o.name AS organisation_name, r.seats, r.status,"
           " r.on_behalf, r.registered_by, r.registered_at, r.promoted_at, r.cancelled_by, r.cancelled_at,"
           " r.version")
FROM = " FROM session_registrations r JOIN organisations o ON o.organisation_id = r.organisation_id"


def insert(conn: psycopg.Connection, **values) -> dict:
    conn.execute("INSERT INTO session_registrations (id, session_id, organisation_id, seats, status, on_behalf,"
                 " registered_by) VALUES (%(id)s, %(session_id)s, %(organisation_id)s, %(seats)s, %(status)s,"
                 " %(on_behalf)s, %(registered_by)s)", values)
    return get(conn, values["id"])


def get(conn: psycopg.Connection, registration_id, *, session_id=None) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS}{FROM} WHERE r.id = %s AND (%s::uuid IS NULL OR r.session_id = %s)",
                           (registration_id, session_id, session_id)).fetchone()


def standing(conn: psycopg.Connection, *, session_id, organisation_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS}{FROM} WHERE r.session_id = %s AND r.organisation_id = %s"
                           " AND r.status IN ('registered', 'waiting')", (session_id, organisation_id)).fetchone()


def counts(conn: psycopg.Connection, session_id) -> tuple[int, int]:
    """(seats allotted, registrations waiting)."""
    return conn.execute(
        "SELECT coalesce(sum(seats) FILTER (WHERE status = 'registered'), 0)::int,"
        " count(*) FILTER (WHERE status = 'waiting')::int FROM session_registrations WHERE session_id = %s",
        (session_id,)).fetchone()


def waiting(conn: psycopg.Connection, session_id) -> list[dict]:
    """The waiting list in registration order."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT id, seats FROM session_registrations WHERE session_id = %s"
                           " AND status = 'waiting' ORDER BY seq", (session_id,)).fetchall()


def position(conn: psycopg.Connection, registration: dict) -> int | None:
    """Place on the waiting list (1 = next), or None if not waiting."""
    if registration["status"] != "waiting":
        return None
    return conn.execute("SELECT count(*) FROM session_registrations WHERE session_id = %s AND status = 'waiting'"
                        " AND seq <= %s", (registration["session_id"], registration["seq"])).fetchone()[0]


def set_status(conn: psycopg.Connection, registration_id, *, status: str, stamp: str, by: str | None = None) -> dict:
    """Move a registration to `status`, stamping `stamp` (promoted_at or cancelled_at) with now()."""
    extra = ", cancelled_by = %(by)s" if stamp == "cancelled_at" else ""
    conn.execute(f"UPDATE session_registrations SET status = %(status)s, {stamp} = now(), version = version + 1"
                 f"{extra} WHERE id = %(id)s", {"status": status, "id": registration_id, "by": by})
    return get(conn, registration_id)


def page(conn: psycopg.Connection, *, session_id, status: str | None, organisation_ids: list | None,
         after_seq: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS}{FROM} WHERE r.session_id = %(session)s AND r.seq > %(after)s"
            " AND (%(status)s::text IS NULL OR r.status = %(status)s)"
            " AND (%(orgs)s::uuid[] IS NULL OR r.organisation_id = ANY(%(orgs)s::uuid[]))"
            " ORDER BY r.seq LIMIT %(limit)s",
            {"session": session_id, "after": after_seq, "status": status, "orgs": organisation_ids,
             "limit": limit}).fetchall()
