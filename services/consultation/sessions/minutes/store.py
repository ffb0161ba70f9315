"""Minutes versions: plain SQL (the database refuses any change to an approved version, migration 004)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from services.consultation.sessions.store import update_versioned

COLUMNS = ("id, seq, session_id, number, body, status, corrects, reason, drafted_by, drafted_at, approved_by,"
           " approved_at, version, updated_at")


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO minutes (id, session_id, number, body, corrects, reason, drafted_by) VALUES (%(id)s,"
            f" %(session_id)s, %(number)s, %(body)s, %(corrects)s, %(reason)s, %(drafted_by)s) RETURNING {COLUMNS}",
            values).fetchone()


def get(conn: psycopg.Connection, *, session_id, number: int, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM minutes WHERE session_id = %s AND number = %s{lock}",
                           (session_id, number)).fetchone()


def versions(conn: psycopg.Connection, session_id) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM minutes WHERE session_id = %s ORDER BY number",
                           (session_id,)).fetchall()


def update(conn: psycopg.Connection, minutes_id, **changes) -> dict:
    return update_versioned(conn, table="minutes", row_id=minutes_id, changes=changes, returning=COLUMNS)
