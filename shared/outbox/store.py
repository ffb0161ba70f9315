"""Outbox rows: written in the caller's transaction, read and marked by the relay."""
from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from shared.events.envelope import CloudEvent
from shared.events.topics import service_topic

# Only one relay drains a tenant database at a time, whatever the replica count:
# that is what keeps per-aggregate order across relay replicas.
RELAY_LOCK_KEY = 7_285_002


def add_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    """Record an event in the outbox, inside the caller's open transaction."""
    conn.execute(
        "INSERT INTO outbox (event_id, topic, type, source, tenant, subject, event_time, data)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (event.id, service_topic(event.service), event.type, event.source, event.tenantid,
         event.subject, event.time, Jsonb(event.data)))


@dataclass(frozen=True)
class PendingEvent:
    row_id: int
    topic: str
    event: CloudEvent


def lock_for_relay(conn: psycopg.Connection) -> bool:
    """Take the transaction-scoped relay lock; False if another relay holds it."""
    return conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (RELAY_LOCK_KEY,)).fetchone()[0]


def pending(conn: psycopg.Connection, *, limit: int) -> list[PendingEvent]:
    """The oldest unpublished events, in the order they were written."""
    rows = conn.execute(
        "SELECT id, topic, event_id, type, source, tenant, subject, event_time, data"
        " FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT %s", (limit,)).fetchall()
    return [PendingEvent(row[0], row[1], CloudEvent(
        id=str(row[2]), type=row[3], source=row[4], tenantid=row[5], subject=row[6],
        time=row[7], data=row[8])) for row in rows]


def mark_published(conn: psycopg.Connection, row_ids: list[int]) -> None:
    conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY(%s)", (row_ids,))


def backlog(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0]


def purge_published(conn: psycopg.Connection, *, older_than_days: int) -> int:
    """Delete rows published long ago; the outbox is a queue, not an archive."""
    cur = conn.execute("DELETE FROM outbox WHERE published_at < now() - make_interval(days => %s)",
                       (older_than_days,))
    return cur.rowcount
