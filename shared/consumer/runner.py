"""The consumer runner: Kafka in, projection rows out, offsets committed after the database.

For each record: parse the CloudEvent; in one transaction record it in
`processed_events` (skip it if it is already there) and apply the projector's
rows; commit; then, once a polled batch is handled, commit the Kafka offsets.
A record that cannot be handled (bad envelope, schema or projector error) goes
to the dead-letter topic with the reason, and the consumer goes on. A database
that is down is not the event's fault: the record is retried, not dead-lettered.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

import psycopg
from kafka import OffsetAndMetadata
from prometheus_client import Counter, Gauge

from shared.consumer.rows import apply_rows
from shared.events.envelope import CloudEvent, EnvelopeError, from_kafka
from shared.events.topics import deadletter_topic

log = logging.getLogger(__name__)

HANDLED = Counter("pdz_consumer_events_total", "Records handled", ["consumer", "outcome"])
LAG = Gauge("pdz_consumer_lag", "Records behind the end of the partition", ["consumer", "topic", "partition"])

Projector = Callable[[CloudEvent], list]


class Rejected(Exception):
    """The event is well-formed but this consumer cannot accept it (schema, tenant, …)."""


@dataclass
class Outcome:
    status: str  # "applied", "duplicate", "ignored", "deadlettered"
    reason: str = ""


class ConsumerRunner:
    """Runs one projection (a consumer group) against one database."""

    def __init__(self, *, name: str, consumer, producer, connect: Callable[[], psycopg.Connection],
                 projector: Projector, accepts: Callable[[CloudEvent], bool] = lambda e: True,
                 validate: Callable[[CloudEvent], None] = lambda e: None):
        self.name = name
        self.consumer = consumer
        self.producer = producer
        self.connect = connect
        self.projector = projector
        self.accepts = accepts
        self.validate = validate
        self.stopping = threading.Event()
        self._conn: psycopg.Connection | None = None

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = self.connect()
        return self._conn

    def handle(self, record) -> Outcome:
        """Handle one Kafka record; database errors propagate, event errors dead-letter."""
        try:
            event = from_kafka(record.value, record.headers)
            if not self.accepts(event):
                return Outcome("ignored")
            self.validate(event)
            rows = self.projector(event)
        except (EnvelopeError, Rejected, KeyError, TypeError, ValueError) as exc:
            self.deadletter(record, f"{type(exc).__name__}: {exc}")
            return Outcome("deadlettered", str(exc))
        conn = self._connection()
        with conn.transaction():
            inserted = conn.execute(
                "INSERT INTO processed_events (consumer, event_id, event_type, topic, kafka_partition,"
                " kafka_offset) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (self.name, event.id, event.type, record.topic, record.partition, record.offset)).rowcount
            if not inserted:
                return Outcome("duplicate")
            try:
                apply_rows(conn, rows)
            except (psycopg.DataError, psycopg.IntegrityError) as exc:
                # The event's values do not fit the read model: its fault, not the database's.
                raise Rejected(f"{type(exc).__name__}: {exc}") from exc
        return Outcome("applied")

    def deadletter(self, record, reason: str) -> None:
        headers = list(record.headers or []) + [
            ("pdz_dlq_reason", reason[:2000].encode("utf-8")),
            ("pdz_dlq_consumer", self.name.encode()),
            ("pdz_dlq_origin", f"{record.topic}/{record.partition}/{record.offset}".encode()),
        ]
        self.producer.send(deadletter_topic(), key=record.key, value=record.value, headers=headers).get(timeout=30)
        log.warning("event dead-lettered", extra={"consumer": self.name, "reason": reason,
                                                  "origin": f"{record.topic}/{record.partition}/{record.offset}"})

    def _handle_with_retry(self, record) -> Outcome:
        delay = 0.5
        while True:
            try:
                return self.handle(record)
            except Rejected as exc:
                self.deadletter(record, f"Rejected: {exc}")
                return Outcome("deadlettered", str(exc))
            except psycopg.OperationalError as exc:
                if self.stopping.is_set():
                    raise
                log.warning("database unavailable, retrying", extra={"error": str(exc)})
                if self._conn is not None:
                    self._conn.close()
                self.stopping.wait(delay)
                delay = min(delay * 2, 10.0)

    def poll_once(self, timeout_ms: int = 1000) -> int:
        """Handle one polled batch and commit its offsets; returns the records seen."""
        batches = self.consumer.poll(timeout_ms=timeout_ms)
        seen = 0
        for tp, records in batches.items():
            for record in records:
                outcome = self._handle_with_retry(record)
                HANDLED.labels(self.name, outcome.status).inc()
                seen += 1
            offsets = {tp: OffsetAndMetadata(records[-1].offset + 1, "", -1)}
            self.consumer.commit(offsets)  # after the database commit, never before
        if seen:
            self._report_lag()
        return seen

    def _report_lag(self) -> None:
        try:
            assigned = list(self.consumer.assignment())
            ends = self.consumer.end_offsets(assigned)
            for tp in assigned:
                LAG.labels(self.name, tp.topic, tp.partition).set(max(0, ends[tp] - self.consumer.position(tp)))
        except Exception:  # lag is a metric, never a reason to stop consuming
            pass

    def run(self) -> None:
        while not self.stopping.is_set():
            self.poll_once()
        self.close()

    def close(self) -> None:
        self.consumer.close(autocommit=False)
        self.producer.flush()
        self.producer.close()
        if self._conn is not None:
            self._conn.close()

    def stop(self, *_args) -> None:
        self.stopping.set()

