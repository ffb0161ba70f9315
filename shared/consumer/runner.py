"""The consumer runner: Kafka in, projection rows out, offsets committed after the databases.

Per polled batch: every record is parsed, checked and projected (decode.py);
the records are grouped by target database (the tenant's own, or a regional
one: routes.py); each database gets ONE transaction holding the batch's
processed_events rows and projection rows (apply.py); records that cannot be
handled go to the dead-letter topic with the reason; then the Kafka offsets
are committed. The consumer never stops on a record, whatever it holds.

A database that cannot serve is not the events' fault: the partitions holding
its records are paused at the first unapplied offset and polled again after a
back-off (so the consumer keeps calling poll, within max.poll.interval), while
the other databases' records go on. With a tenant-routed consumer, records of a
database down for longer than PDZ_CONSUMER_TENANT_RETRY_SECONDS are parked on
the retry topic, which the same consumer group reads and re-applies once the
database is back (see docs/architecture.md §5).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Mapping

import psycopg
from kafka import OffsetAndMetadata
from kafka.errors import KafkaError

from shared.consumer import ledger, metrics
from shared.consumer.apply import apply_target
from shared.consumer.decode import Item, Projector, prepare
from shared.consumer.errors import Rejected, TargetDown, database_name, describe
from shared.consumer.event_catalogue import EventCatalogue
from shared.consumer.letters import (RETRY_CONSUMER, RETRY_PARKED_AT, deadletter_headers, header, origin,
                                     park_headers)
from shared.consumer.outages import Outages, park_at
from shared.consumer.settings import ConsumerSettings
from shared.events.topics import deadletter_topic, retry_topic
from shared.ops import Heartbeat

log = logging.getLogger(__name__)

__all__ = ["ConsumerRunner", "Rejected"]

PURGE_EVERY_SECONDS = 3600.0
PROBE_IDLE_EVERY_SECONDS = 15.0


def probe(url: str) -> None:
    """Open and close one connection: cheap proof that a failing database is back (or still down)."""
    psycopg.connect(url, connect_timeout=5, autocommit=True).close()


class ConsumerRunner:
    """One consumer group: routes each event to its database, one transaction per database per batch."""

    def __init__(self, *, name: str, consumer, producer, pools, route, projectors: Mapping[str, Projector],
                 events: EventCatalogue, settings: ConsumerSettings | None = None, clock=time.time):
        self.name = name
        self.consumer = consumer
        self.producer = producer
        self.pools = pools
        self.route = route
        self.projectors = projectors
        self.events = events
        self.settings = settings or ConsumerSettings()
        self.clock = clock
        self.stopping = threading.Event()
        self.outages = Outages(max_delay=self.settings.retry_max_seconds)
        self.heartbeat = Heartbeat(stale_after=self.settings.stall_seconds)
        self.retry_topic = retry_topic()
        # Paused partitions: where to seek back to, which database holds them, when to poll again.
        self.blocked: dict = {}
        self.last_progress = clock()
        self.lag = 0
        self._known_good: set[str] = set()
        self._purged: dict[str, float] = {}
        self._probed = 0.0
        metrics.LAST_PROGRESS.labels(name).set(self.last_progress)

    # --- one polled batch -------------------------------------------------------------------------
    def poll_once(self, timeout_ms: int = 1000) -> int:
        """Poll, handle and commit one batch; returns the records seen."""
        self.heartbeat.beat()
        self._resume_due(self.clock())
        polled = self.consumer.poll(timeout_ms=timeout_ms, max_records=self.settings.max_poll_records)
        seen = sum(len(records) for records in polled.values())
        if seen:
            started = time.perf_counter()
            try:
                self._handle(polled)
            except Exception:  # noqa: BLE001 - a bug must not skip records: read the batch again
                log.exception("batch failed; it will be read again", extra={"consumer": self.name})
                for tp, records in polled.items():
                    self.consumer.seek(tp, records[0].offset)
                self.stopping.wait(1.0)
            metrics.BATCH_SIZE.labels(self.name).observe(seen)
            metrics.BATCH_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        self._housekeeping()
        self.heartbeat.beat()
        return seen

    def _prepare(self, record) -> Item:
        if record.topic == self.retry_topic:
            if header(record, RETRY_CONSUMER) != self.name:
                return Item(record, outcome="skipped")  # parked by another consumer group
            item = prepare(record, catalogue=self.events, projectors=self.projectors, route=self.route)
            try:
                item.parked_at = float(header(record, RETRY_PARKED_AT) or 0) or None
            except ValueError:
                item.parked_at = None
            return item
        return prepare(record, catalogue=self.events, projectors=self.projectors, route=self.route)

    def _handle(self, polled: dict) -> None:
        now = self.clock()
        by_partition = {tp: [self._prepare(r) for r in records] for tp, records in polled.items()}
        by_target: dict[str, list[Item]] = {}
        for items in by_partition.values():
            for item in items:
                if not item.outcome:
                    by_target.setdefault(item.target, []).append(item)
        for url, items in by_target.items():
            if not self._apply(url, items, now):
                outage = self.outages.get(url)
                for item in items:
                    parkable = self.route.parks and now >= park_at(
                        outage, parked_at=item.parked_at, bound=self.settings.tenant_retry_seconds)
                    item.outcome = "parked" if parkable else "blocked"
                    item.reason = outage.error
        # After a partition's first blocked record nothing is sent or committed: it is all read again.
        first_blocked = {}
        for tp, items in by_partition.items():
            index = next((i for i, item in enumerate(items) if item.outcome == "blocked"), None)
            if index is not None:
                first_blocked[tp] = index
                for item in items[index:]:
                    if item.outcome in ("deadlettered", "parked"):
                        item.outcome = "deferred"
        try:
            self._send_letters([item for items in by_partition.values() for item in items], now)
        except KafkaError as exc:
            log.warning("cannot write to Kafka; the batch will be read again",
                        extra={"consumer": self.name, "error": describe(exc)})
            for tp, records in polled.items():
                self.consumer.seek(tp, records[0].offset)
            self.stopping.wait(1.0)
            return
        self._commit(by_partition, first_blocked, now)
        self._count(by_partition)

    def _apply(self, url: str, items: list[Item], now: float) -> bool:
        """Apply a target's items in one transaction; False if the database cannot serve now."""
        if not self.outages.due(url, now):
            return False
        if url not in self._known_good:
            try:
                probe(url)  # fast, and keeps the pool from waiting out its timeout on a dead server
            except Exception as exc:  # noqa: BLE001 - any failure to connect means "not now"
                self._down(url, describe(exc), now)
                return False
        try:
            apply_target(self.pools, url, consumer=self.name, items=items)
        except TargetDown as exc:
            self._down(url, describe(exc.cause), now)
            return False
        if self.outages.get(url):
            log.info("database back", extra={"consumer": self.name, "database": database_name(url)})
        self.outages.recovered(url)
        self._known_good.add(url)
        self._purge_if_due(url, now)
        return True

    def _down(self, url: str, error: str, now: float) -> None:
        self._known_good.discard(url)
        outage = self.outages.failed(url, error, now)
        log.warning("database unavailable, retrying", extra={
            "consumer": self.name, "database": database_name(url), "error": error,
            "down_seconds": round(now - outage.since, 1), "retry_in": outage.delay})

    def _send_letters(self, items: list[Item], now: float) -> None:
        """Dead-letter and park what must be, waiting for Kafka's acknowledgement of each."""
        futures = []
        for item in items:
            record = item.record
            if item.outcome == "deadlettered":
                futures.append(self.producer.send(deadletter_topic(), key=record.key, value=record.value,
                                                  headers=deadletter_headers(record, reason=item.reason,
                                                                             kind=item.kind, consumer=self.name)))
                metrics.DEADLETTERED.labels(self.name, item.kind).inc()
                log.warning("event dead-lettered", extra={
                    "consumer": self.name, "reason_kind": item.kind, "origin": origin(record),
                    "event_type": item.event.type if item.event else None})
            elif item.outcome == "parked":
                futures.append(self.producer.send(self.retry_topic, key=record.key, value=record.value,
                                                  headers=park_headers(record, consumer=self.name,
                                                                       reason=item.reason, now=now)))
        if futures:
            self.producer.flush(timeout=30)
            for future in futures:
                future.get(timeout=30)

    def _commit(self, by_partition: dict, first_blocked: dict, now: float) -> None:
        offsets, progressed = {}, False
        for tp, items in by_partition.items():
            index = first_blocked.get(tp)
            if index is None:
                offsets[tp] = OffsetAndMetadata(items[-1].record.offset + 1, "", -1)
                progressed = True
                continue
            if index > 0:
                offsets[tp] = OffsetAndMetadata(items[index].record.offset, "", -1)
                progressed = True
            self._block(tp, items[index], now)
        try:
            if offsets:
                self.consumer.commit(offsets, timeout_ms=10_000)  # after the database commits, never before
        except KafkaError as exc:
            # A rebalance or Kafka away: the records are read again (by whoever owns them) and deduped.
            log.warning("offset commit failed", extra={"consumer": self.name, "error": describe(exc)})
            return
        if progressed:
            self.last_progress = self.clock()
            metrics.LAST_PROGRESS.labels(self.name).set(self.last_progress)

    def _block(self, tp, item: Item, now: float) -> None:
        outage = self.outages.get(item.target)
        resume_at = min(outage.next_try,
                        park_at(outage, parked_at=item.parked_at, bound=self.settings.tenant_retry_seconds)
                        if self.route.parks else float("inf"))
        self.consumer.seek(tp, item.record.offset)
        self.consumer.pause(tp)
        self.blocked[tp] = (item.record.offset, item.target, resume_at)

    def _resume_due(self, now: float) -> None:
        if not self.blocked:
            return
        assigned = self.consumer.assignment()
        due = []
        for tp, (offset, url, resume_at) in list(self.blocked.items()):
            if tp not in assigned:
                del self.blocked[tp]  # revoked by a rebalance; its new owner starts at the committed offset
            elif now >= resume_at or self.outages.get(url) is None:
                del self.blocked[tp]
                self.consumer.seek(tp, offset)
                due.append(tp)
        if due:
            self.consumer.resume(*due)

    def _count(self, by_partition: dict) -> None:
        counts: dict[str, int] = {}
        for items in by_partition.values():
            for item in items:
                if item.outcome not in ("blocked", "deferred"):
                    counts[item.outcome] = counts.get(item.outcome, 0) + 1
        for outcome, count in counts.items():
            metrics.HANDLED.labels(self.name, outcome).inc(count)

    # --- between batches ----------------------------------------------------------------------------
    def _housekeeping(self) -> None:
        now = self.clock()
        metrics.UNAVAILABLE.labels(self.name).set(len(self.outages))
        metrics.BLOCKED.labels(self.name).set(len(self.blocked))
        self._report_lag()
        if now - self._probed >= PROBE_IDLE_EVERY_SECONDS:
            self._probed = now
            for url in self.route.always_checked():
                if self.outages.due(url, now):
                    try:
                        probe(url)
                    except Exception as exc:  # noqa: BLE001
                        self._down(url, describe(exc), now)
                    else:
                        self.outages.recovered(url)
                        self._purge_if_due(url, now)

    def _purge_if_due(self, url: str, now: float) -> None:
        if now - self._purged.get(url, float("-inf")) < PURGE_EVERY_SECONDS:
            return
        try:
            with self.pools.connection(url) as conn:
                purged = ledger.purge(conn, consumer=self.name, days=self.settings.dedupe_days)
        except Exception as exc:  # noqa: BLE001 - a purge is housekeeping, never a reason to stop
            log.warning("processed_events purge failed", extra={"consumer": self.name, "error": describe(exc)})
            return
        metrics.PURGED.labels(self.name).inc(purged)
        if purged < 5000:  # a full batch means more to go: try again after the next batch
            self._purged[url] = now

    def _report_lag(self) -> None:
        try:
            total = 0
            for tp in self.consumer.assignment():
                end = self.consumer.highwater(tp)
                if end is None:
                    continue
                behind = max(0, end - self.consumer.position(tp, timeout_ms=100))
                metrics.LAG.labels(self.name, tp.topic, tp.partition).set(behind)
                total += behind
            self.lag = total
        except Exception:  # noqa: BLE001 - lag is a metric, never a reason to stop consuming
            pass

    # --- health ---------------------------------------------------------------------------------------
    def database_problem(self) -> str | None:
        """What /readyz says about the databases: the ones failing, if any."""
        failing = self.outages.items()
        if not failing:
            return None
        now = self.clock()
        return "; ".join(f"{database_name(url)} unavailable for {now - o.since:.0f} s ({o.error[:200]})"
                         for url, o in failing[:5]) + (f" and {len(failing) - 5} more" if len(failing) > 5 else "")

    def progress_problem(self) -> str | None:
        """Records waiting and none applied for longer than the stall limit."""
        idle = self.clock() - self.last_progress
        if self.lag > 0 and idle > self.settings.stall_seconds:
            return f"{self.lag} records waiting and no progress for {idle:.0f} s"
        return None

    # --- life cycle -----------------------------------------------------------------------------------
    def run(self) -> None:
        """Poll until stop(); whatever happens, the clients are closed."""
        try:
            while not self.stopping.is_set():
                try:
                    self.poll_once()
                except KafkaError as exc:
                    # The consumer's own calls failing (e.g. a broker away): wait, and poll again.
                    log.warning("Kafka error, polling again", extra={"consumer": self.name, "error": describe(exc)})
                    self.stopping.wait(1.0)
        finally:
            self.close()

    def close(self) -> None:
        for step in (lambda: self.consumer.close(autocommit=False), lambda: self.producer.flush(timeout=10),
                     lambda: self.producer.close(timeout=10)):
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - close everything, whatever fails first
                log.warning("error while closing", extra={"consumer": self.name, "error": describe(exc)})

    def stop(self, *_args) -> None:
        self.stopping.set()
