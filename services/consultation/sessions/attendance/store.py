"""The attendance register: plain SQL. attendee_name and attendee_role are personal data: only
`register`, `get` and `update` return them, and the service logs every such read and write."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from services.consultation.sessions.store import update_versioned

FACTS = ("a.id, a.seq, a.session_id, a.organisation_id, o.name AS organisation_name, o.type AS organisation_type,"
         " a.mode, a.arrived_at, a.left_at, a.erased_at, a.recorded_at, a.updated_at, a.version")
PERSONAL = ", a.attendee_name, a.attendee_role"
FROM = " FROM attendance a JOIN organisations o ON o.organisation_id = a.organisation_id"


def insert(conn: psycopg.Connection, **values) -> dict:
    conn.execute("INSERT INTO attendance (id, session_id, organisation_id, mode, arrived_at, left_at, attendee_name,"
                 " attendee_role, recorded_by) VALUES (%(id)s, %(session_id)s, %(organisation_id)s, %(mode)s,"
                 " %(arrived_at)s, %(left_at)s, %(attendee_name)s, %(attendee_role)s, %(recorded_by)s)", values)
    return get(conn, values["id"])


def get(conn: psycopg.Connection, entry_id, *, session_id=None, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE OF a" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {FACTS}{PERSONAL}{FROM} WHERE a.id = %s"
                           f" AND (%s::uuid IS NULL OR a.session_id = %s){lock}",
                           (entry_id, session_id, session_id)).fetchone()


def update(conn: psycopg.Connection, entry_id, **changes) -> dict:
    update_versioned(conn, table="attendance", row_id=entry_id, changes=changes, returning="id")
    return get(conn, entry_id)


def register(conn: psycopg.Connection, *, session_id, after_seq: int, limit: int) -> list[dict]:
    """The register with the attendees' names, in the order it was recorded."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {FACTS}{PERSONAL}{FROM} WHERE a.session_id = %s AND a.seq > %s"
                           " ORDER BY a.seq LIMIT %s", (session_id, after_seq, limit)).fetchall()


def summary(conn: psycopg.Connection, session_id) -> list[dict]:
    """Per organisation present: how many attendees in person and remote (no names)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT a.organisation_id, o.name AS organisation_name, o.type AS organisation_type,"
            " count(*) FILTER (WHERE a.mode = 'in_person')::int AS in_person,"
            " count(*) FILTER (WHERE a.mode = 'remote')::int AS remote"
            f"{FROM} WHERE a.session_id = %s GROUP BY a.organisation_id, o.name, o.type"
            " ORDER BY min(a.seq)", (session_id,)).fetchall()


def totals(conn: psycopg.Connection, session_id) -> dict:
    """Organisations present and attendees by mode: the counts events may carry."""
    organisations, in_person, remote = conn.execute(
        "SELECT count(DISTINCT organisation_id)::int, count(*) FILTER (WHERE mode = 'in_person')::int,"
        " count(*) FILTER (WHERE mode = 'remote')::int FROM attendance WHERE session_id = %s",
        (session_id,)).fetchone()
    return {"organisations": organisations, "in_person": in_person, "remote": remote}
