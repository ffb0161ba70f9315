"""Erasures: plain SQL (the access log's is the platform's: shared/access_log.py)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from shared.access_log import record_access  # noqa: F401  (applications/service.py imports it from here)


def matching_people(conn: psycopg.Connection, *, tax_code: str | None, email: str | None) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT p.id, p.role, p.application_id, p.stakeholder_id, a.protocol_number"
            " FROM people p LEFT JOIN applications a ON a.id = p.application_id"
            " WHERE (%(tax)s::text IS NOT NULL AND p.tax_code = %(tax)s)"
            " OR (%(email)s::text IS NOT NULL AND lower(p.email) = lower(%(email)s))"
            " ORDER BY p.created_at FOR UPDATE OF p", {"tax": tax_code, "email": email}).fetchall()


def delete_people(conn: psycopg.Connection, ids: list) -> int:
    return conn.execute("DELETE FROM people WHERE id = ANY(%s)", (ids,)).rowcount


def insert_erasure(conn: psycopg.Connection, *, id, requested_by: str, matched_by: str, removed: list) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("INSERT INTO erasures (id, requested_by, matched_by, removed) VALUES (%s, %s, %s, %s)"
                           " RETURNING id, requested_by, requested_at, matched_by, removed",
                           (id, requested_by, matched_by, Jsonb(removed))).fetchone()
