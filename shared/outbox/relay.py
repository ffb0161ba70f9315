"""The outbox relay: publishes every tenant's outbox rows of one service to Kafka.

A drain of one tenant: check out a connection to the tenant database, take the
*session-level* advisory lock (one relay replica per tenant at a time, which
keeps per-aggregate order across replicas), read the oldest pending rows in a
short transaction, send them with no transaction open, and once Kafka has
acknowledged, mark them in a second short transaction, then unlock. Killed at
any point, a row is either still pending (sent again later: a duplicate that
consumers drop) or marked after Kafka acknowledged it: nothing is lost.

Rows are sent in *rounds*: the rows of every tenant due (woken, changed, or
swept), then one flush for all of them, then each tenant marked. A row Kafka
refuses for good goes to the dead-letter topic with the reason
(shared/outbox/failures.py) and the tenant's later rows go on.

What is due comes from the listeners (shared/outbox/listen.py): a NOTIFY from
the API, a database whose insert counter moved (a lost wake-up), a full sweep
when a listener (re)connects and every `full_sweep_seconds` (which also purges
long-published rows), and tenants that failed, retried with backoff.
"""
from __future__ import annotations

import logging
import math
import queue
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

import psycopg
from kafka.errors import KafkaError, KafkaTimeoutError

from shared.db.pools import PoolRegistry
from shared.events.envelope import to_kafka
from shared.events.topics import deadletter_topic
from shared.ops import Heartbeat
from shared.outbox import failures, metrics, store
from shared.outbox.listen import ServerListener, Sweep, key_label, listen_key
from shared.outbox.probes import kafka_reachable
from shared.tenants import Catalogue

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


class Relay:
    """Publishes the outboxes of one service for every tenant of the catalogue."""

    def __init__(self, *, service: str, catalogue: Catalogue, pools: PoolRegistry, producer,
                 sweep_seconds: float = 5.0, batch_size: int = 500,
                 full_sweep_seconds: float = 3600.0, max_attempts: int = 5,
                 tenants_per_flush: int = 32, keep_published_days: int = 7,
                 retry_seconds: float = 2.0, kafka_bootstrap: str | None = None,
                 progress_stale_seconds: float = 120.0, loop_stale_seconds: float = 180.0,
                 topic_wait_seconds: float = 3.0):
        self.service = service
        self.catalogue = catalogue
        self.pools = pools
        self.producer = producer
        self.sweep_seconds = sweep_seconds  # how often listeners look for lost wake-ups
        self.batch_size = batch_size
        self.full_sweep_seconds = full_sweep_seconds
        self.max_attempts = max_attempts
        # Every tenant of a round holds a pooled connection until its rows are marked.
        self.tenants_per_flush = max(1, min(tenants_per_flush, getattr(pools, "max_pools", tenants_per_flush)))
        self.keep_published_days = keep_published_days
        self.retry_seconds = retry_seconds
        self.kafka_bootstrap = kafka_bootstrap
        self.progress_stale_seconds = progress_stale_seconds
        self.topic_wait_seconds = topic_wait_seconds
        self._topics_missing: dict[str, tuple[float, str]] = {}  # topic -> (look again at, why)
        self.wakeups: queue.Queue = queue.Queue()
        self.stopping = threading.Event()
        # Set once every listener LISTENs and the sweeps they asked for are done.
        self.ready = threading.Event()
        self.heartbeat = Heartbeat(stale_after=loop_stale_seconds)
        self.listeners: list[ServerListener] = []
        self.last_sweep_seconds: float | None = None
        self._urgent: dict[str, None] = {}      # ordered set: woken, changed, due for retry
        self._sweeping: dict[str, bool] = {}    # slug -> purge too
        self._retry: dict[str, tuple[float, int]] = {}  # slug -> (due, failures in a row)
        self._sweep_started: float | None = None
        self._next_full_sweep = 0.0
        self._next_evict = 0.0
        self._last_progress = time.monotonic()
        self._last_error: str | None = None
        self._kafka_error: str | None = None

    # -- one round ---------------------------------------------------------------------
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

    # -- synchronous entry points (tests, benchmarks, tools) ---------------------------
    def drain(self, slug: str) -> int:
        """Publish everything pending for one tenant; returns how many were published."""
        total = 0
        while not self.stopping.is_set():
            outcome = self._round([slug])[slug]
            total += outcome.published
            if not outcome.more:
                return total
        return total

    def sweep(self) -> int:
        """Drain every tenant of the catalogue once, in rounds; returns how many were published."""
        started = time.monotonic()
        todo, published = self.catalogue.slugs(), 0
        while todo and not self.stopping.is_set():
            group, todo = todo[:self.tenants_per_flush], todo[self.tenants_per_flush:]
            for slug, outcome in self._round(group).items():
                published += outcome.published
                if outcome.more:
                    todo.append(slug)
        self._sweep_done(started)
        return published

    def purge(self) -> int:
        """Delete outbox rows published more than keep_published_days ago, in every tenant."""
        deleted = 0
        for tenant in self.catalogue:
            try:
                with self.pools.connection(self.catalogue.url_for(tenant, self.service)) as conn:
                    deleted += store.purge_published(conn, older_than_days=self.keep_published_days)
            except Exception as exc:  # housekeeping never stops publishing
                log.warning("outbox purge failed", extra={"tenant": tenant.slug, "error": repr(exc)})
        return deleted

    def request_sweep(self) -> None:
        """Ask the running relay for a full sweep of every tenant."""
        self.wakeups.put(Sweep())

    # -- the running relay -------------------------------------------------------------
    def start_listeners(self) -> None:
        """One listener per server target (host, port, maintenance database, user)."""
        targets: dict[tuple, tuple[str, dict[str, str]]] = {}
        for tenant in self.catalogue:
            url = self.catalogue.server_for(tenant, self.service)
            _url, databases = targets.setdefault(listen_key(url), (url, {}))
            databases[tenant.database_name(self.service)] = tenant.slug
        for url, databases in targets.values():
            listener = ServerListener(url=url, service=self.service, databases=databases, out=self.wakeups,
                                      stopping=self.stopping, watch_seconds=self.sweep_seconds)
            self.listeners.append(listener)
            listener.start()

    def run(self) -> None:
        """Full sweep, then publish what the listeners report, until stop()."""
        self.start_listeners()
        self._next_full_sweep = time.monotonic()
        initial_sweep_done = False
        try:
            while not self.stopping.is_set():
                self.heartbeat.beat()
                listening = all(listener.listening.is_set() for listener in self.listeners)
                metrics.LISTENERS.labels(self.service).set(
                    sum(listener.listening.is_set() for listener in self.listeners))
                self._turn()
                initial_sweep_done = initial_sweep_done or (self._sweep_started is None
                                                            and self.last_sweep_seconds is not None)
                if listening and initial_sweep_done and not self._sweeping and not self._urgent:
                    self.ready.set()
        finally:
            self.producer.close(timeout=10)

    def _turn(self) -> None:
        now = time.monotonic()
        idle = not (self._urgent or self._sweeping)
        self._collect(timeout=self._idle_wait(now) if idle else 0)
        now = time.monotonic()
        if now >= self._next_full_sweep:
            self._start_sweep(None, purge=True)
            self._next_full_sweep = now + self.full_sweep_seconds
        for slug, (due, failed) in list(self._retry.items()):
            if due <= now:
                self._urgent[slug] = None
                self._retry[slug] = (math.inf, failed)  # rescheduled by the outcome
        group = self._next_group()
        if group:
            purge = frozenset(slug for slug in group if self._sweeping.pop(slug, False))
            try:
                outcomes = self._round(group, purge=purge)
            except Exception as exc:  # e.g. the producer itself failing: retry, never end the loop
                log.exception("relay round failed", extra={"tenants": len(group)})
                self._last_error = failures.reason(exc)
                outcomes = {slug: Outcome(stuck=True) for slug in group}
            self._record(outcomes)
        elif not self._retry:
            self._progress()
        if self._sweep_started is not None and not self._sweeping:
            self._sweep_done(self._sweep_started)
        if now >= self._next_evict:
            self.pools.evict_idle()
            self._next_evict = now + 30

    def _idle_wait(self, now: float) -> float:
        due = [self._next_full_sweep] + [d for d, _ in self._retry.values()]
        return max(0.01, min(1.0, min(due) - now))

    def _collect(self, *, timeout: float) -> None:
        """Everything queued by the listeners so far (waiting up to `timeout` for the first)."""
        try:
            items = [self.wakeups.get(timeout=timeout) if timeout > 0 else self.wakeups.get_nowait()]
        except queue.Empty:
            return
        while True:
            try:
                items.append(self.wakeups.get_nowait())
            except queue.Empty:
                break
        for item in items:
            if isinstance(item, Sweep):
                self._start_sweep(item.key)
            elif item == "*":
                self._start_sweep(None)
            else:
                self._urgent[item] = None

    def _start_sweep(self, key, *, purge: bool = False) -> None:
        if self._sweep_started is None:
            self._sweep_started = time.monotonic()
        for tenant in self.catalogue:
            if key is None or listen_key(self.catalogue.server_for(tenant, self.service)) == key:
                self._sweeping[tenant.slug] = self._sweeping.get(tenant.slug, False) or purge

    def _next_group(self) -> list[str]:
        """Woken tenants first, then the sweep's: a long sweep never delays a fresh event."""
        group = []
        for source in (self._urgent, self._sweeping):
            for slug in list(source):
                if len(group) >= self.tenants_per_flush:
                    return group
                if slug not in group:
                    group.append(slug)
                if source is self._urgent:
                    del self._urgent[slug]
        return group

    def _record(self, outcomes: dict[str, Outcome]) -> None:
        now = time.monotonic()
        for slug, outcome in outcomes.items():
            if outcome.more:
                self._urgent[slug] = None  # at the back: other tenants get their turn first
                self._retry.pop(slug, None)
            elif outcome.stuck:
                failed = self._retry.get(slug, (0.0, 0))[1] + 1
                self._retry[slug] = (now + min(60.0, self.retry_seconds * 2 ** (failed - 1)), failed)
            elif outcome.locked:
                # Another replica drains it; look again later in case it dies half-way.
                self._retry[slug] = (now + self.sweep_seconds, 0)
            else:
                self._retry.pop(slug, None)
        if any(not o.stuck for o in outcomes.values()):
            self._progress()

    def _progress(self) -> None:
        self._last_progress = time.monotonic()
        metrics.LAST_PROGRESS.labels(self.service).set(time.time())

    def _sweep_done(self, started: float) -> None:
        self.last_sweep_seconds = time.monotonic() - started
        self._sweep_started = None
        metrics.SWEEP_SECONDS.labels(self.service).set(self.last_sweep_seconds)
        metrics.LAST_SWEEP.labels(self.service).set(time.time())

    def stop(self, *_args) -> None:
        self.stopping.set()

    # -- probes (shared/ops.py) --------------------------------------------------------
    def check_database(self) -> str | None:
        """Every server target's LISTEN connection is up (the maintenance database answers)."""
        down = [listener for listener in self.listeners if not listener.listening.is_set()]
        if not down:
            return None
        return "; ".join(f"{key_label(listener.key)} not listening: {listener.error or 'connecting'}"
                         for listener in down)

    def check_kafka(self) -> str | None:
        if self._kafka_error:
            return f"the last send failed: {self._kafka_error}"
        if self._topics_missing:
            return "; ".join(why for _until, why in self._topics_missing.values())
        return kafka_reachable(self.kafka_bootstrap) if self.kafka_bootstrap else None

    def check_progress(self) -> str | None:
        """Tenants are waiting and none has been drained for progress_stale_seconds."""
        waiting = len(set(self._retry) | set(self._urgent) | set(self._sweeping))
        age = time.monotonic() - self._last_progress
        if waiting and age > self.progress_stale_seconds:
            return (f"no tenant drained for {age:.0f} s, {waiting} waiting"
                    f" (last error: {self._last_error or 'none'})")
        return None
