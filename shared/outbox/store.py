"""Outbox rows: written in the caller's transaction, read and marked by the relay."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.types.json import Jsonb

from shared.events.envelope import CloudEvent
from shared.events.topics import service_topic

# Only one relay drains a tenant database at a time, whatever the replica count:
# that is what keeps per-aggregate order across relay replicas.
RELAY_LOCK_KEY = 7_285_002
# A re-published snapshot (the `pdzreplay` extension) is marked in the row's source, so that the outbox
# table needs no new column (no migration on hundreds of tenant databases); the relay strips the marker.
REPLAY_MARK = "#replay"


def add_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    """Record an event in the outbox, inside the caller's open transaction."""
    conn.execute(
        "INSERT INTO outbox (event_id, topic, type, source, tenant, subject, event_time, data)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (event.id, service_topic(event.service), event.type, _source(event), event.tenantid,
         event.subject, event.time, Jsonb(event.data)))


def add_events(conn: psycopg.Connection, events: list[CloudEvent]) -> None:
    """Record many events in the outbox in one round trip, inside the caller's open transaction."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO outbox (event_id, topic, type, source, tenant, subject, event_time, data)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(e.id, service_topic(e.service), e.type, _source(e), e.tenantid, e.subject, e.time, Jsonb(e.data))
             for e in events])


def _source(event: CloudEvent) -> str:
    return event.source + REPLAY_MARK if event.replay else event.source


def _event(event_id, type, source: str, tenant, subject, time, data) -> CloudEvent:
    replay = source.endswith(REPLAY_MARK)
    return CloudEvent(id=str(event_id), type=type, source=source.removesuffix(REPLAY_MARK), tenantid=tenant,
                      subject=subject, time=time, data=data, replay=replay)


@dataclass(frozen=True)
class PendingEvent:
    row_id: int
    topic: str
    event: CloudEvent
    attempts: int = 0
    created_at: datetime | None = None


def lock_for_relay(conn: psycopg.Connection) -> bool:
    """Take the session-level relay lock; False if another relay holds it.

    Session-level, so that the lock outlives the short read and mark
    transactions (it is taken in the first, released in the last) and no
    transaction stays open while Kafka acknowledges.
    """
    return conn.execute("SELECT pg_try_advisory_lock(%s)", (RELAY_LOCK_KEY,)).fetchone()[0]


def unlock_for_relay(conn: psycopg.Connection) -> None:
    """Release the relay lock (in the caller's transaction: it takes effect at once)."""
    conn.execute("SELECT pg_advisory_unlock(%s)", (RELAY_LOCK_KEY,))


def pending(conn: psycopg.Connection, *, limit: int) -> list[PendingEvent]:
    """The oldest unpublished events, in the order they were written."""
    rows = conn.execute(
        "SELECT id, topic, event_id, type, source, tenant, subject, event_time, data, attempts, created_at"
        " FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT %s", (limit,)).fetchall()
    return [PendingEvent(row[0], row[1], _event(*row[2:9]), attempts=row[9], created_at=row[10]) for row in rows]


def mark_published(conn: psycopg.Connection, row_ids: list[int]) -> None:
    conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY(%s)", (row_ids,))


def mark_dead_lettered(conn: psycopg.Connection, failures: list[tuple[int, str]]) -> None:
    """Rows sent to the dead-letter topic instead: they leave the queue with the reason."""
    with conn.cursor() as cur:
        cur.executemany("UPDATE outbox SET published_at = now(), dead_lettered_at = now(),"
                        " attempts = attempts + 1, last_error = %s WHERE id = %s",
                        [(error, row_id) for row_id, error in failures])


def note_failure(conn: psycopg.Connection, row_id: int, error: str) -> None:
    """One more failed attempt of a row that stays pending."""
    conn.execute("UPDATE outbox SET attempts = attempts + 1, last_error = %s WHERE id = %s", (error, row_id))


def backlog(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0]


def purge_published(conn: psycopg.Connection, *, older_than_days: int) -> int:
    """Delete rows published long ago; the outbox is a queue, not an archive."""
    cur = conn.execute("DELETE FROM outbox WHERE published_at < now() - make_interval(days => %s)",
                       (older_than_days,))
    return cur.rowcount


def backlog_and_oldest(conn: psycopg.Connection) -> tuple[int, datetime | None]:
    """Pending rows and when the oldest was written (only after a full batch: one query)."""
    return conn.execute("SELECT count(*), min(created_at) FROM outbox WHERE published_at IS NULL").fetchone()
