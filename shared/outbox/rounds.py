"""One round of the outbox relay: lock and read every due tenant, send, flush once, mark each.

A tenant is claimed with the *session-level* relay lock and its oldest
pending rows are read in one short transaction; the rows of every claimed
tenant are sent, the producer is flushed once for the round (no transaction
open while Kafka acknowledges), and each tenant then marks what Kafka took
and unlocks in a second short transaction. A row Kafka refuses for good goes
to the dead-letter topic with the reason (shared/outbox/failures.py) and the
tenant's later rows go on; a row that must wait keeps every later row of its
tenant waiting (per-aggregate order).

`Rounds` is the half of the Relay that talks to the databases and Kafka; the
Relay (shared/outbox/relay.py) decides which tenants are due and when.
"""
from __future__ import annotations

import logging
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

import psycopg
from kafka.errors import KafkaError, KafkaTimeoutError

from shared.events.envelope import to_kafka
from shared.events.topics import deadletter_topic
from shared.outbox import failures, metrics, store

log = logging.getLogger(__name__)


@dataclass
class _Sent:
    row: store.PendingEvent
    future: object = None
    error: BaseException | None = None
    step: str | None = None  # None: acknowledged; else a failures decision
    deadletter: object = None  # the dead-letter record's future


@dataclass
class _Hold:
    """A tenant database connection and whether it still holds the relay lock."""
    conn: psycopg.Connection
    locked: bool = True


@dataclass
class _Claim:
    """One tenant locked for one round."""
    slug: str
    hold: _Hold
    rows: list
    sent: list = field(default_factory=list)

    @property
    def conn(self) -> psycopg.Connection:
        return self.hold.conn


@dataclass
class Outcome:
    published: int = 0
    deadlettered: int = 0
    more: bool = False     # a full batch went out: drain again
    stuck: bool = False    # something failed: retry later
    locked: bool = False   # another replica holds the tenant



class Rounds:
    """The relay's rounds; the Relay provides service, catalogue, pools, producer, batch_size,
    max_attempts, keep_published_days, topic_wait_seconds and the error notes they update."""

    @contextmanager
    def _locked(self, url: str):
        """A pooled connection that took the tenant's relay lock in its open transaction, or None.

        The mark transaction normally releases the lock (hold.locked False);
        whatever went wrong before that, it is released here.
        """
        with self.pools.connection(url) as conn:
            if not store.lock_for_relay(conn):
                conn.rollback()
                yield None
                return
            hold = _Hold(conn)
            try:
                yield hold
            finally:
                if hold.locked:
                    try:
                        conn.rollback()
                        store.unlock_for_relay(conn)
                        conn.commit()
                    except psycopg.Error:
                        conn.close()  # the session ends and its lock with it; the pool drops a closed connection

    def _round(self, slugs: list[str], *, purge: frozenset = frozenset()) -> dict[str, Outcome]:
        """Send the pending rows of every tenant named, flush once, then mark each tenant."""
        outcomes: dict[str, Outcome] = {}
        with ExitStack() as stack:
            claims = [c for c in (self._claim(stack, slug, outcomes) for slug in slugs) if c]
            self._look_up_topics({row.topic for claim in claims for row in claim.rows})
            kafka_down = False
            for claim in claims:
                if not kafka_down:
                    kafka_down = self._send(claim)
            if any(s.future or s.deadletter for c in claims for s in c.sent):
                self.producer.flush()
                metrics.FLUSHES.labels(self.service).inc()
            if any([self._settle(claim) for claim in claims]):
                self.producer.flush()  # dead letters of records the broker refused
                metrics.FLUSHES.labels(self.service).inc()
            for claim in claims:
                outcomes[claim.slug] = self._mark(claim, purge=claim.slug in purge)
        return outcomes

    def _claim(self, stack: ExitStack, slug: str, outcomes: dict) -> _Claim | None:
        tenant = self.catalogue.get(slug)
        if tenant is None:
            outcomes[slug] = Outcome()
            return None
        metrics.DRAINS.labels(self.service).inc()
        try:
            hold = stack.enter_context(self._locked(self.catalogue.url_for(tenant, self.service)))
            if hold is None:
                outcomes[slug] = Outcome(locked=True)
                return None
            rows = store.pending(hold.conn, limit=self.batch_size)
            hold.conn.commit()  # the lock stays: it is session-level
        except Exception as exc:  # one tenant's database must not stop the others
            outcomes[slug] = self._failed(slug, exc)
            return None
        return _Claim(slug, hold, rows)

    def _look_up_topics(self, topics: set[str]) -> None:
        """Learn the partitions of the round's topics, waiting topic_wait_seconds at most for each.

        The producer would otherwise block for max_block_ms (60 s) in send()
        on a topic Kafka does not know, stalling every tenant of the round.
        """
        now = time.monotonic()
        for topic in sorted(topics):
            if self._topic_known(topic) or self._topics_missing.get(topic, (0.0, ""))[0] > now:
                continue
            started_ms = time.time() * 1000
            try:
                wait = getattr(self.producer, "_wait_on_metadata", None)
                if wait is not None:
                    wait(topic, int(self.topic_wait_seconds * 1000))
                else:
                    self.producer.partitions_for(topic)
                self._topics_missing.pop(topic, None)
            except KafkaError as exc:
                metadata = getattr(self.producer, "_metadata", None)
                answered = getattr(metadata, "_last_successful_refresh_ms", 0) >= started_ms
                why = (f"topic {topic} does not exist" if answered and isinstance(exc, KafkaTimeoutError)
                       else f"no metadata for topic {topic}: {failures.reason(exc)}")
                self._topics_missing[topic] = (time.monotonic() + 30.0, why)
                log.error("outbox rows wait for their topic", extra={"topic": topic, "error": why})

    def _topic_known(self, topic: str) -> bool:
        metadata = getattr(self.producer, "_metadata", None)
        return metadata is not None and metadata.partitions_for_topic(topic) is not None

    def _send(self, claim: _Claim) -> bool:
        """Send a tenant's rows in order; True if Kafka itself looks unavailable."""
        for row in claim.rows:
            if row.topic in self._topics_missing and not self._topic_known(row.topic):
                # Not the row's fault and not Kafka's: this tenant waits, the others go on.
                claim.sent.append(_Sent(row, error=KafkaTimeoutError(self._topics_missing[row.topic][1]),
                                        step=failures.WAIT))
                return False
            try:
                key, value, headers = to_kafka(row.event)
                claim.sent.append(_Sent(row, future=self.producer.send(
                    row.topic, key=key, value=value, headers=headers)))
            except Exception as exc:  # refused before leaving the process (size, serialisation, metadata)
                kind = failures.classify(exc)
                sent = _Sent(row, error=exc, step=failures.decide(
                    kind, attempts=row.attempts, max_attempts=self.max_attempts))
                claim.sent.append(sent)
                if sent.step != failures.DEADLETTER:
                    if kind == failures.TRANSIENT:
                        self._kafka_error = failures.reason(exc)
                    return kind == failures.TRANSIENT  # later rows wait: per-aggregate order
                sent.deadletter = self._send_deadletter(claim.slug, row, exc)
        return False

    def _settle(self, claim: _Claim) -> bool:
        """Decide each sent row's fate after the flush; True if dead letters were sent now."""
        sent_now = False
        for sent in claim.sent:
            if sent.error is None:
                if sent.future.is_done and sent.future.succeeded():
                    self._kafka_error = None
                    continue
                sent.error = (sent.future.exception if sent.future.is_done
                              else KafkaTimeoutError("no acknowledgement after the flush"))
                kind = failures.classify(sent.error)
                if kind == failures.TRANSIENT:
                    self._kafka_error = failures.reason(sent.error)
                sent.step = failures.decide(kind, attempts=sent.row.attempts, max_attempts=self.max_attempts)
                if sent.step == failures.DEADLETTER:
                    sent.deadletter = self._send_deadletter(claim.slug, sent.row, sent.error)
                    sent_now = True
            if sent.step != failures.DEADLETTER:
                return sent_now  # the rows after this one are not marked: sent again later
        return sent_now

    def _send_deadletter(self, slug: str, row: store.PendingEvent, exc: BaseException):
        """The row to the dead-letter topic with the reason; its future (None if that failed too)."""
        try:
            key, value, headers = to_kafka(row.event)
        except Exception:  # the envelope itself cannot be serialised: keep what can be
            key, value, headers = row.event.key.encode("utf-8", "replace"), None, [
                ("ce_id", row.event.id.encode("utf-8", "replace"))]
        if failures.too_large(exc) or (value is not None and len(value) > 500_000):
            value = None  # the reason and the outbox row say what it was; the row keeps the data
        headers = list(headers) + [
            ("pdz_dlq_reason", failures.reason(exc).encode("utf-8", "replace")),
            ("pdz_dlq_relay", self.service.encode()),
            ("pdz_dlq_origin", f"outbox/{slug}/{row.row_id}".encode()),
            ("pdz_dlq_topic", row.topic.encode()),
        ]
        log.error("outbox row dead-lettered", extra={"tenant": slug, "row": row.row_id,
                                                      "error": failures.reason(exc)})
        try:
            return self.producer.send(deadletter_topic(), key=key, value=value, headers=headers)
        except Exception as dlq_exc:  # the row stays pending and is tried again
            log.error("dead letter not sent", extra={"tenant": slug, "error": repr(dlq_exc)})
            return None

    def _mark(self, claim: _Claim, *, purge: bool) -> Outcome:
        """Mark what Kafka took, in one short transaction; note the first failure."""
        published, dead, failure = [], [], None
        for sent in claim.sent:
            if sent.step is None:
                published.append(sent.row.row_id)
            elif (sent.step == failures.DEADLETTER and sent.deadletter is not None
                  and sent.deadletter.is_done and sent.deadletter.succeeded()):
                dead.append((sent.row.row_id, failures.reason(sent.error)))
            else:
                failure = sent
                break
        conn = claim.conn
        try:
            if published:
                store.mark_published(conn, published)
            if dead:
                store.mark_dead_lettered(conn, dead)
            if failure is not None and failure.step == failures.COUNT:
                store.note_failure(conn, failure.row.row_id, failures.reason(failure.error))
            if purge:
                store.purge_published(conn, older_than_days=self.keep_published_days)
            done = len(published) + len(dead)
            complete = done == len(claim.rows)
            more = complete and len(claim.rows) >= self.batch_size
            if more:
                backlog, oldest = store.backlog_and_oldest(conn)
            else:
                rest = claim.rows[done:]
                backlog, oldest = len(rest), (rest[0].created_at if rest else None)
            store.unlock_for_relay(conn)  # one round trip less than a transaction of its own
            conn.commit()
            claim.hold.locked = False
        except Exception as exc:
            return self._failed(claim.slug, exc)
        metrics.PUBLISHED.labels(self.service, claim.slug).inc(len(published))
        if dead:
            metrics.DEADLETTERED.labels(self.service, claim.slug).inc(len(dead))
        metrics.BACKLOG.labels(self.service, claim.slug).set(backlog)
        metrics.LAG.labels(self.service, claim.slug).set(
            (datetime.now(timezone.utc) - oldest).total_seconds() if oldest else 0)
        outcome = Outcome(published=len(published), deadlettered=len(dead), more=more, stuck=not complete)
        if not complete:
            error = failure.error if failure is not None and failure.error else None
            self._last_error = failures.reason(error) if error else "rows not acknowledged"
            metrics.ERRORS.labels(self.service, claim.slug).inc()
        return outcome

    def _failed(self, slug: str, exc: BaseException) -> Outcome:
        self._last_error = f"{slug}: {failures.reason(exc)}"
        metrics.ERRORS.labels(self.service, slug).inc()
        log.error("outbox drain failed", extra={"tenant": slug, "error": repr(exc)})
        return Outcome(stuck=True)
