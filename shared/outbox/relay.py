"""The outbox relay: publishes every tenant's outbox rows of one service to Kafka.

Per tenant database it takes a transaction-scoped advisory lock, reads the
oldest unpublished rows, sends them with an idempotent producer (acks=all),
waits for every acknowledgement and only then marks them published and
commits. Killed at any point, it either has not marked a row (the row is sent
again: a duplicate, which consumers drop) or has marked it after Kafka
acknowledged it: nothing is lost.
"""
from __future__ import annotations

import logging
import queue
import threading
import time

import psycopg
from prometheus_client import Counter, Gauge

from shared.db.pools import PoolRegistry
from shared.events.envelope import to_kafka
from shared.outbox import store
from shared.outbox.wake import channel
from shared.tenants import Catalogue, server_key

log = logging.getLogger(__name__)

PUBLISHED = Counter("pdz_relay_published_total", "Outbox events published", ["service", "tenant"])
BACKLOG = Gauge("pdz_relay_backlog", "Unpublished outbox rows at the last look", ["service", "tenant"])
ERRORS = Counter("pdz_relay_errors_total", "Failed drains of a tenant outbox", ["service", "tenant"])
LAST_SWEEP = Gauge("pdz_relay_last_sweep_timestamp_seconds", "When the relay last swept", ["service"])


class Relay:
    """Publishes the outboxes of one service for every tenant of the catalogue."""

    def __init__(self, *, service: str, catalogue: Catalogue, pools: PoolRegistry, producer,
                 sweep_seconds: float = 5.0, batch_size: int = 500,
                 purge_every_seconds: float = 3600.0, keep_published_days: int = 7):
        self.service = service
        self.catalogue = catalogue
        self.pools = pools
        self.producer = producer
        self.sweep_seconds = sweep_seconds
        self.batch_size = batch_size
        self.purge_every_seconds = purge_every_seconds
        self.keep_published_days = keep_published_days
        self._last_purge = 0.0
        self.wakeups: queue.Queue[str] = queue.Queue()
        self.stopping = threading.Event()

    # -- publishing -----------------------------------------------------------------
    def drain(self, slug: str) -> int:
        """Publish everything pending for one tenant; returns how many were published."""
        tenant = self.catalogue.get(slug)
        if tenant is None:
            return 0
        url = self.catalogue.url_for(tenant, self.service)
        total = 0
        while not self.stopping.is_set():
            with self.pools.connection(url) as conn:
                if not store.lock_for_relay(conn):
                    return total  # another replica is draining this tenant
                BACKLOG.labels(self.service, slug).set(store.backlog(conn))
                batch = store.pending(conn, limit=self.batch_size)
                if not batch:
                    BACKLOG.labels(self.service, slug).set(0)
                    return total
                futures = []
                for item in batch:
                    key, value, headers = to_kafka(item.event)
                    futures.append(self.producer.send(item.topic, key=key, value=value, headers=headers))
                self.producer.flush()
                for future in futures:
                    future.get(timeout=30)  # raises if Kafka did not acknowledge: nothing is marked
                store.mark_published(conn, [item.row_id for item in batch])
            total += len(batch)
            PUBLISHED.labels(self.service, slug).inc(len(batch))
            if len(batch) < self.batch_size:
                BACKLOG.labels(self.service, slug).set(0)
                return total
        return total

    def drain_safely(self, slug: str) -> int:
        try:
            return self.drain(slug)
        except Exception as exc:  # one tenant's failure must not stop the others
            ERRORS.labels(self.service, slug).inc()
            log.error("outbox drain failed", extra={"tenant": slug, "error": repr(exc)})
            return 0

    def sweep(self) -> int:
        """Drain every tenant once (and, once an hour, purge long-published rows)."""
        published = 0
        for slug in self.catalogue.slugs():
            if self.stopping.is_set():
                break
            published += self.serve_wakeups() + self.drain_safely(slug)
        LAST_SWEEP.labels(self.service).set(time.time())
        if time.monotonic() - self._last_purge >= self.purge_every_seconds:
            self.purge()
        return published

    def purge(self) -> int:
        """Delete outbox rows published more than keep_published_days ago, in every tenant."""
        self._last_purge = time.monotonic()
        deleted = 0
        for tenant in self.catalogue:
            try:
                with self.pools.connection(self.catalogue.url_for(tenant, self.service)) as conn:
                    deleted += store.purge_published(conn, older_than_days=self.keep_published_days)
            except Exception as exc:  # housekeeping never stops publishing
                log.warning("outbox purge failed", extra={"tenant": tenant.slug, "error": repr(exc)})
        return deleted

    def serve_wakeups(self) -> int:
        """Drain the tenants woken so far, so that a long sweep never delays a fresh event."""
        due = self._take_wakeups()
        due.discard("*")  # a sweep is already under way
        return sum(self.drain_safely(slug) for slug in due)

    def _take_wakeups(self) -> set[str]:
        """Every wake-up queued so far: a burst becomes one drain per tenant."""
        due = set()
        while True:
            try:
                due.add(self.wakeups.get_nowait())
            except queue.Empty:
                return due

    # -- waking -----------------------------------------------------------------------
    def _listen(self, server_url: str) -> None:
        """Hold one LISTEN connection on a server and queue the tenants it names."""
        while not self.stopping.is_set():
            try:
                with psycopg.connect(server_url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {channel(self.service)}")
                    # Whatever was notified while we were not listening: sweep once.
                    self.wakeups.put("*")
                    while not self.stopping.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self.wakeups.put(note.payload)
            except psycopg.Error as exc:
                log.warning("relay listener lost its connection", extra={"error": str(exc)})
                self.stopping.wait(2.0)

    def start_listeners(self) -> None:
        servers = {}
        for tenant in self.catalogue:
            url = self.catalogue.server_for(tenant, self.service)
            servers.setdefault(server_key(url), url)
        for url in servers.values():
            threading.Thread(target=self._listen, args=(url,), daemon=True,
                             name=f"relay-listen-{server_key(url)}").start()

    def run(self) -> None:
        """Sweep, then publish at every wake-up, sweeping again every sweep_seconds."""
        self.start_listeners()
        next_sweep = 0.0
        while not self.stopping.is_set():
            now = time.monotonic()
            if now >= next_sweep:
                self.sweep()
                self.pools.evict_idle()
                next_sweep = time.monotonic() + self.sweep_seconds
                continue
            try:
                first = self.wakeups.get(timeout=max(0.0, next_sweep - now))
            except queue.Empty:
                continue
            due = {first} | self._take_wakeups()
            if "*" in due:
                next_sweep = 0.0
                continue
            for slug in due:
                self.drain_safely(slug)
        self.producer.flush()
        self.producer.close()

    def stop(self, *_args) -> None:
        self.stopping.set()

