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
