"""The outbox relay: publishes every tenant's outbox rows of one service to Kafka.

A drain of one tenant takes the *session-level* advisory lock in its database
(one relay replica per tenant at a time, which keeps per-aggregate order
across replicas), reads the oldest pending rows, sends them with no
transaction open and marks them once Kafka acknowledged. Killed at any point,
a row is either still pending (sent again later: a duplicate that consumers
drop) or marked after Kafka acknowledged it: nothing is lost. Rows are sent
in *rounds* of many tenants and one flush (shared/outbox/rounds.py).

This module decides what is due. That comes from the listeners
(shared/outbox/listen.py): a NOTIFY from the API, a database whose insert
counter moved (a lost wake-up), a full sweep when a listener (re)connects and
every `full_sweep_seconds` (which also purges long-published rows), and
tenants that failed, retried with backoff.
"""
from __future__ import annotations

import logging
import math
import queue
import threading
import time

from shared.db.pools import PoolRegistry
from shared.ops import Heartbeat
from shared.outbox import failures, metrics, store
from shared.outbox.listen import ServerListener, Sweep, key_label, listen_key
from shared.outbox.probes import kafka_reachable
from shared.outbox.rounds import Outcome, Rounds
from shared.tenants import Catalogue

log = logging.getLogger(__name__)


class Relay(Rounds):
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
