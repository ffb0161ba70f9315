"""The personal-data access log (DESIGN.md §4): who read, wrote or erased which personal record, by id.

The table `personal_data_access_log` is created by each service that holds personal data, in its own
tenant databases (the registry's people, consultation's attendance entries), with a CHECK naming its
own kinds of record; erasure, what it matches and what it removes, stays each service's own.
"""
from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from shared.http.pagination import decode_cursor, page


def record_access(conn: psycopg.Connection, *, subject: str, action: str, resource: str, resource_id,
                  request_id: str | None = None) -> None:
    """Who read or changed whose personal data (by record id, never by content)."""
    conn.execute("INSERT INTO personal_data_access_log (subject, action, resource, resource_id, request_id)"
                 " VALUES (%s, %s, %s, %s, %s)", (subject, action, resource, str(resource_id), request_id))


def entries(conn: psycopg.Connection, *, after_id: int, limit: int, subject: str | None = None,
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


def access_log_page(*, conn: psycopg.Connection, after: str | None, limit: int, **filters) -> dict:
    """A page of the access log, oldest first, after the cursor `after`; `filters` as `entries` takes them."""
    return page(entries(conn, after_id=decode_cursor(after), limit=limit + 1, **filters), limit)
