"""Calls persistence: plain SQL."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from services.registry.sql import update_versioned

COLUMNS = ("id, seq, title, description, areas, requirements, opens_at, closes_at, status,"
           " published_at, closed_at, version, created_at, updated_at")


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"INSERT INTO calls (id, title, description, areas, requirements, opens_at, closes_at)"
            f" VALUES (%(id)s, %(title)s, %(description)s, %(areas)s, %(requirements)s, %(opens_at)s,"
            f" %(closes_at)s) RETURNING {COLUMNS}", values).fetchone()


def get(conn: psycopg.Connection, call_id, *, for_update: bool = False, for_share: bool = False) -> dict | None:
    # FOR SHARE: an application being filed holds the call, so a concurrent close waits for it.
    lock = " FOR UPDATE" if for_update else " FOR SHARE" if for_share else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM calls WHERE id = %s{lock}", (call_id,)).fetchone()


def update(conn: psycopg.Connection, call_id, **changes) -> dict:
    return update_versioned(conn, table="calls", row_id=call_id, changes=changes, returning=COLUMNS,
                            stamp="updated_at")


def page(conn: psycopg.Connection, *, status: str | None, after_seq: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM calls WHERE seq > %s AND (%s::text IS NULL OR status = %s)"
            " ORDER BY seq LIMIT %s", (after_seq, status, status, limit)).fetchall()
