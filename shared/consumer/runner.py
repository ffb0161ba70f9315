"""The consumer runner: Kafka in, projection rows out, offsets committed after the databases.

Per polled batch: every record is parsed, checked and projected (decode.py)
and becomes one item per target database (routes.py: the event's own tenant's
and/or those of the tenants its data set is shared with, or a regional one);
the items are grouped by database, and each gets ONE transaction holding the batch's
processed_events rows and projection rows (apply.py, targets.py); records that
cannot be handled go to the dead-letter topic with the reason; then the Kafka
offsets are committed. The consumer never stops on a record, whatever it holds.

Two stages overlap: while a database thread applies batch N, the Kafka thread
polls and prepares batch N+1; N's letters and offsets are settled before N+1
is applied, so offsets still only move past what the databases committed.

A database that cannot serve is not the events' fault: the partitions holding
its records are paused at the first unapplied offset and polled again after a
back-off, while the other databases' records go on. With a tenant-routed
consumer, a database's copies held back longer than
PDZ_CONSUMER_TENANT_RETRY_SECONDS are parked on the retry topic naming its
tenant, and re-applied there only once it is back (docs/architecture.md §5).
An offset moves only once every target of the record settled it.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Mapping

from kafka import OffsetAndMetadata
from kafka.errors import KafkaError

from shared.consumer import metrics
from shared.consumer.decode import Item, Projector, expand, prepare
from shared.consumer.errors import Rejected, describe
from shared.consumer.event_catalogue import EventCatalogue
from shared.consumer.letters import RETRY_CONSUMER, RETRY_PARKED_AT, RETRY_TARGET, header, send_letters
from shared.consumer.settings import ConsumerSettings
from shared.consumer.targets import Targets
from shared.events.topics import deadletter_topic, retry_topic
from shared.ops import Heartbeat

log = logging.getLogger(__name__)

__all__ = ["ConsumerRunner", "Rejected"]

PROBE_IDLE_EVERY_SECONDS = 15.0


@dataclass
class Batch:
    by_partition: dict          # TopicPartition -> [Item], in offset order
    now: float
    started: float
    future: Future | None = None


class ConsumerRunner:
    """One consumer group: routes each event to its database, one transaction per database per batch."""

    def __init__(self, *, name: str, consumer, producer, pools, route, projectors: Mapping[str, Projector],
                 events: EventCatalogue, settings: ConsumerSettings | None = None, clock=time.time):
        self.name = name
        self.consumer = consumer
        self.producer = producer
        self.route = route
        self.projectors = projectors
        self.events = events
        self.settings = settings or ConsumerSettings()
        self.clock = clock
        self.stopping = threading.Event()
        self.targets = Targets(name=name, pools=pools, settings=self.settings, parks=route.parks)
        self.heartbeat = Heartbeat(stale_after=self.settings.stall_seconds)
        self.retry_topic = retry_topic()
        self.blocked: dict = {}     # paused partition -> (offset to seek back to, target, when to poll again)
        self.last_progress = clock()
        self.lag = 0
        self._in_flight: Batch | None = None
        self._uncommitted: dict = {}  # offsets sent with commit_async and not yet acknowledged
        self._database = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-db")
        self._probed = 0.0
        metrics.LAST_PROGRESS.labels(name).set(self.last_progress)

    @property
    def outages(self):
        return self.targets.outages

    # --- one turn ----------------------------------------------------------------------------------
    def poll_once(self, timeout_ms: int = 1000) -> int:
        """Poll and prepare a batch, settle the one being applied, start applying the new one; returns records seen."""
        self.heartbeat.beat()
        self._resume_due(self.clock())
        wait = min(timeout_ms, 50) if self._in_flight else timeout_ms  # a batch waits to be settled
        polled = self.consumer.poll(timeout_ms=wait, max_records=self.settings.max_poll_records)
        batch = None
        if polled:
            batch = Batch({tp: [i for r in records for i in self._prepare(r)] for tp, records in polled.items()},
                          now=self.clock(), started=time.perf_counter())
        self._settle(batch)
        self._housekeeping()
        if batch and batch.by_partition:
            items = [item for items in batch.by_partition.values() for item in items]
            batch.future = self._database.submit(self.targets.apply, items, batch.now)
            self._in_flight = batch
        self.heartbeat.beat()
        return sum(len(records) for records in polled.values())

    def _prepare(self, record) -> list[Item]:
        """The record's items, one per target database (its own tenant's and/or the receivers')."""
        if record.topic != self.retry_topic:
            return expand(prepare(record, catalogue=self.events, projectors=self.projectors, route=self.route))
        if header(record, RETRY_CONSUMER) != self.name:
            return [Item(record, outcome="skipped")]  # parked by another consumer group
        item = prepare(record, catalogue=self.events, projectors=self.projectors, route=self.route,
                       only=header(record, RETRY_TARGET))  # only the database it was parked for
        try:
            item.parked_at = float(header(record, RETRY_PARKED_AT) or 0) or None
        except ValueError:
            item.parked_at = None
        return expand(item)

    def _settle(self, following: Batch | None) -> None:
        """Finish the batch being applied: letters, offsets, paused partitions; drop what `following` must re-read."""
        batch, self._in_flight = self._in_flight, None
        if batch is None:
            return
        try:
            batch.future.result()
            first_blocked = self._defer_after_blocked(batch)
            self._send_letters(batch)
        except Exception as exc:  # noqa: BLE001 - never skip a record: read the whole batch again
            if isinstance(exc, KafkaError):
                log.warning("cannot write to Kafka; the batch will be read again",
                            extra={"consumer": self.name, "error": describe(exc)})
            else:
                log.exception("batch failed; it will be read again", extra={"consumer": self.name})
            for tp, items in batch.by_partition.items():
                self._rewind(tp, items[0].record.offset, following)
            self.stopping.wait(1.0)
            return
        self._commit(batch, first_blocked, following)
        metrics.count(self.name, [item for items in batch.by_partition.values() for item in items])
        metrics.BATCH_SIZE.labels(self.name).observe(sum(len(i) for i in batch.by_partition.values()))
        metrics.BATCH_SECONDS.labels(self.name).observe(time.perf_counter() - batch.started)

    def _rewind(self, tp, offset: int, following: Batch | None) -> bool:
        """Read `tp` again from `offset`; False if a rebalance took it (its new owner starts at the commit)."""
        if following is not None:
            following.by_partition.pop(tp, None)  # polled past the rewind point: read again later
        if tp not in self.consumer.assignment():
            return False
        self.consumer.seek(tp, offset)
        return True

    @staticmethod
    def _defer_after_blocked(batch: Batch) -> dict:
        """Index of each partition's first item of the first blocked record; from it on nothing is sent (the
        record's other targets too), all is read again."""
        first_blocked = {}
        for tp, items in batch.by_partition.items():
            index = next((i for i, item in enumerate(items) if item.outcome == "blocked"), None)
            if index is not None:
                while index > 0 and items[index - 1].record is items[index].record:
                    index -= 1  # the record's earlier targets: re-read with it (deduped where applied)
                first_blocked[tp] = index
                for item in items[index:]:
                    if item.outcome in ("deadlettered", "parked"):
                        item.outcome = "deferred"
        return first_blocked

    def _send_letters(self, batch: Batch) -> None:
        items = [item for items in batch.by_partition.values() for item in items]
        send_letters(self.producer, items, consumer=self.name, retry_topic=self.retry_topic,
                     deadletter_topic=deadletter_topic(), now=batch.now, log=log)

    def _commit(self, batch: Batch, first_blocked: dict, following: Batch | None) -> None:
        offsets = {}
        for tp, items in batch.by_partition.items():
            index = first_blocked.get(tp)
            if index is None:
                offsets[tp] = OffsetAndMetadata(items[-1].record.offset + 1, "", -1)
                continue
            if index > 0:
                offsets[tp] = OffsetAndMetadata(items[index].record.offset, "", -1)
            blocked = next(item for item in items[index:] if item.outcome == "blocked")
            if self._rewind(tp, blocked.record.offset, following):
                self.consumer.pause(tp)
                self.blocked[tp] = (blocked.record.offset, blocked.target, self.targets.resume_at(blocked))
        if offsets:
            # After the databases committed, never before. Asynchronous: the next batch is applied
            # meanwhile; a failed commit is covered by the next one (offsets are absolute), and
            # close() commits the latest offsets synchronously.
            self._uncommitted.update(offsets)
            self.consumer.commit_async(offsets, callback=self._committed)

    def _committed(self, offsets: dict, response) -> None:
        if isinstance(response, Exception):
            # A rebalance or Kafka away: the records are read again (by whoever owns them) and deduped.
            log.warning("offset commit failed", extra={"consumer": self.name, "error": describe(response)})
            return
        for tp, offset in offsets.items():
            if self._uncommitted.get(tp) == offset:
                del self._uncommitted[tp]
        self.last_progress = self.clock()
        metrics.LAST_PROGRESS.labels(self.name).set(self.last_progress)

    def _commit_pending(self) -> None:
        """Commit synchronously what was only sent asynchronously (on close)."""
        assigned = self.consumer.assignment()
        pending = {tp: offset for tp, offset in self._uncommitted.items() if tp in assigned}
        if pending:
            self.consumer.commit(pending, timeout_ms=10_000)
            self._uncommitted.clear()

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

    # --- between batches (nothing is being applied) --------------------------------------------------
    def _housekeeping(self) -> None:
        now = self.clock()
        metrics.UNAVAILABLE.labels(self.name).set(len(self.outages))
        metrics.BLOCKED.labels(self.name).set(len(self.blocked))
        self._report_lag()
        if now - self._probed >= PROBE_IDLE_EVERY_SECONDS:
            self._probed = now
            self.targets.check(self.route.always_checked(), now)

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

    # --- health (called from the operations port's threads) ------------------------------------------
    def database_problem(self) -> str | None:
        return self.targets.problem(self.clock())

    def progress_problem(self) -> str | None:
        """Records waiting and none applied for longer than the stall limit."""
        idle = self.clock() - self.last_progress
        if self.lag > 0 and idle > self.settings.stall_seconds:
            return f"{self.lag} records waiting and no progress for {idle:.0f} s"
        return None

    # --- life cycle -----------------------------------------------------------------------------------
    def run(self) -> None:
        """Poll until stop(); whatever happens, the batch in hand is settled and the clients are closed."""
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
        """Settle the batch being applied, then close the clients (each step runs whatever the others did)."""
        for step in (lambda: self._settle(None), lambda: self._database.shutdown(wait=True), self._commit_pending,
                     lambda: self.consumer.close(autocommit=False), lambda: self.producer.flush(timeout=10),
                     lambda: self.producer.close(timeout=10)):
            try:
                step()
            except Exception as exc:  # noqa: BLE001
                log.warning("error while closing", extra={"consumer": self.name, "error": describe(exc)})

    def stop(self, *_args) -> None:
        self.stopping.set()
