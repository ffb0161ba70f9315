"""Erasures: plain SQL (the access log's is the platform's: shared/access_log.py)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb


def matching_entries(conn: psycopg.Connection, *, name: str, organisation_id=None) -> list[dict]:
    """Attendance entries naming the person (case-insensitive), locked for the erasure."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT a.id, a.session_id, s.table_id, a.organisation_id,"
            " a.attendee_name IS NOT NULL AS had_name, a.attendee_role IS NOT NULL AS had_role"
            " FROM attendance a JOIN sessions s ON s.id = a.session_id"
            " WHERE lower(a.attendee_name) = lower(%(name)s)"
            " AND (%(org)s::uuid IS NULL OR a.organisation_id = %(org)s)"
            " ORDER BY a.seq FOR UPDATE OF a", {"name": name, "org": organisation_id}).fetchall()


def clear_names(conn: psycopg.Connection, ids: list, *, erasure_id) -> int:
    """Remove the attendee's name and role; the presence (organisation, mode, times) stays."""
    return conn.execute("UPDATE attendance SET attendee_name = NULL, attendee_role = NULL, erased_at = now(),"
                        " erasure_id = %s, version = version + 1, updated_at = now() WHERE id = ANY(%s)",
                        (erasure_id, ids)).rowcount


def insert_erasure(conn: psycopg.Connection, *, id, requested_by: str, removed: list) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("INSERT INTO erasures (id, requested_by, removed) VALUES (%s, %s, %s)"
                           " RETURNING id, requested_by, requested_at, removed",
                           (id, requested_by, Jsonb(removed))).fetchone()
