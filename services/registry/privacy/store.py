"""Access log and erasures: plain SQL."""
from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb


def record_access(conn: psycopg.Connection, *, subject: str, action: str, resource: str, resource_id,
                  request_id: str | None = None) -> None:
    """Who read or changed whose personal data (by record id, never by content)."""
    conn.execute("INSERT INTO personal_data_access_log (subject, action, resource, resource_id, request_id)"
                 " VALUES (%s, %s, %s, %s, %s)", (subject, action, resource, str(resource_id), request_id))


def access_log(conn: psycopg.Connection, *, after_id: int, limit: int, subject: str | None = None,
               action: str | None = None, resource: str | None = None, resource_id: str | None = None,
               since: datetime | None = None, until: datetime | None = None) -> list[dict]:
    """Entries in id order; each filter given narrows it; `since` included, `until` excluded."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT id AS seq, at, subject, action, resource, resource_id, request_id"
            " FROM personal_data_access_log WHERE id > %(after)s"
            " AND (%(subject)s::text IS NULL OR subject = %(subject)s)"
            " AND (%(action)s::text IS NULL OR action = %(action)s)"
            " AND (%(resource)s::text IS NULL OR resource = %(resource)s)"
            " AND (%(resource_id)s::text IS NULL OR resource_id = %(resource_id)s)"
            " AND (%(since)s::timestamptz IS NULL OR at >= %(since)s)"
            " AND (%(until)s::timestamptz IS NULL OR at < %(until)s)"
            " ORDER BY id LIMIT %(limit)s",
            {"after": after_id, "subject": subject, "action": action, "resource": resource,
             "resource_id": resource_id, "since": since, "until": until, "limit": limit}).fetchall()


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
