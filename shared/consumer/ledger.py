"""processed_events: which events a consumer has applied to a database (dedupe), and its purge."""
from __future__ import annotations

import psycopg

from shared.consumer.decode import Item

# One statement for a whole batch: rows already there (a redelivery) come back missing.
_CLAIM = ("INSERT INTO processed_events (consumer, event_id, event_type, topic, kafka_partition, kafka_offset)"
          " SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[], %s::bigint[])"
          " ON CONFLICT DO NOTHING RETURNING event_id")
_CLAIM_ONE = ("INSERT INTO processed_events (consumer, event_id, event_type, topic, kafka_partition, kafka_offset)"
              " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING")
# Batched by ctid so a purge never holds a long transaction or lock.
_PURGE = ("DELETE FROM processed_events WHERE ctid IN (SELECT ctid FROM processed_events"
          " WHERE consumer = %s AND processed_at < now() - make_interval(days => %s) LIMIT %s)")


def claim(conn: psycopg.Connection, *, consumer: str, items: list[Item]) -> set[str]:
    """Record the items' events as processed; returns the ids that were not there before."""
    records = [i.record for i in items]
    rows = conn.execute(_CLAIM, (consumer, [i.event.id for i in items], [i.event.type for i in items],
                                 [r.topic for r in records], [r.partition for r in records],
                                 [r.offset for r in records])).fetchall()
    return {row[0] for row in rows}


def claim_one(conn: psycopg.Connection, *, consumer: str, item: Item) -> bool:
    """Record one event as processed; False if it already was."""
    r = item.record
    return conn.execute(_CLAIM_ONE, (consumer, item.event.id, item.event.type, r.topic, r.partition,
                                     r.offset)).rowcount == 1


def purge(conn: psycopg.Connection, *, consumer: str, days: int, limit: int = 5000) -> int:
    """Delete up to `limit` of the consumer's records older than `days`; returns how many went."""
    return conn.execute(_PURGE, (consumer, days, limit)).rowcount
