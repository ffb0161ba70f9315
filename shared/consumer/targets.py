"""The databases a consumer writes to: apply a batch to each, track the ones failing, purge old dedupe rows.

Used from the runner's database stage (one thread at a time).
"""
from __future__ import annotations

import logging

import psycopg

from shared.consumer import ledger, metrics
from shared.consumer.apply import apply_target
from shared.consumer.decode import Item
from shared.consumer.errors import TargetDown, database_name, describe
from shared.consumer.outages import Outages, park_at
from shared.consumer.settings import ConsumerSettings

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600.0
PURGE_BATCH = 5000


def probe(url: str) -> None:
    """Open and close one connection: cheap proof that a failing database is back (or still down)."""
    psycopg.connect(url, connect_timeout=5, autocommit=True).close()


class Targets:
    """Target databases of one consumer group, with their outages."""

    def __init__(self, *, name: str, pools, settings: ConsumerSettings, parks: bool):
        self.name = name
        self.pools = pools
        self.settings = settings
        self.parks = parks
        self.outages = Outages(max_delay=settings.retry_max_seconds)
        self._known_good: set[str] = set()
        self._purged: dict[str, float] = {}

    def apply(self, items: list[Item], now: float) -> None:
        """Apply pending items, one transaction per target; the items of a failing target are blocked or parked."""
        by_target: dict[str, list[Item]] = {}
        for item in items:
            if not item.outcome:
                by_target.setdefault(item.target, []).append(item)
        for url, group in by_target.items():
            if self._apply(url, group, now):
                continue
            outage = self.outages.get(url)
            for item in group:
                parkable = self.parks and now >= park_at(outage, parked_at=item.parked_at,
                                                         bound=self.settings.tenant_retry_seconds)
                item.outcome = "parked" if parkable else "blocked"
                item.reason = outage.error

    def resume_at(self, item: Item) -> float:
        """When a partition blocked on this item is polled again: the next try, or the time to park it."""
        outage = self.outages.get(item.target)
        if outage is None:
            return 0.0
        parking = (park_at(outage, parked_at=item.parked_at, bound=self.settings.tenant_retry_seconds)
                   if self.parks else float("inf"))
        return min(outage.next_try, parking)

    def _apply(self, url: str, items: list[Item], now: float) -> bool:
        if not self.outages.due(url, now):
            return False
        if url not in self._known_good:
            try:
                probe(url)  # fast, and keeps the pool from waiting out its timeout on a dead server
            except Exception as exc:  # noqa: BLE001 - any failure to connect means "not now"
                self.down(url, describe(exc), now)
                return False
        try:
            apply_target(self.pools, url, consumer=self.name, items=items)
        except TargetDown as exc:
            self.down(url, describe(exc.cause), now)
            return False
        self.up(url)
        self.purge_if_due(url, now)
        return True

    def up(self, url: str) -> None:
        if self.outages.get(url):
            log.info("database back", extra={"consumer": self.name, "database": database_name(url)})
        self.outages.recovered(url)
        self._known_good.add(url)

    def down(self, url: str, error: str, now: float) -> None:
        self._known_good.discard(url)
        outage = self.outages.failed(url, error, now)
        log.warning("database unavailable, retrying", extra={
            "consumer": self.name, "database": database_name(url), "error": error,
            "down_seconds": round(now - outage.since, 1), "retry_in": outage.delay})

    def check(self, urls: list[str], now: float) -> None:
        """Probe databases that must be watched even when no event needs them (a regional database)."""
        for url in urls:
            if not self.outages.due(url, now):
                continue
            try:
                if url in self._known_good:
                    with self.pools.connection(url) as conn:  # a pooled connection: no new one every 15 s
                        conn.execute("SELECT 1")
                else:
                    probe(url)
            except Exception as exc:  # noqa: BLE001 - any failure means "not now"
                self.down(url, describe(exc), now)
            else:
                self.up(url)
                self.purge_if_due(url, now)

    def purge_if_due(self, url: str, now: float) -> None:
        """Purge the group's processed_events rows older than the dedupe window, at most hourly per target."""
        if now - self._purged.get(url, float("-inf")) < PURGE_EVERY_SECONDS:
            return
        try:
            with self.pools.connection(url) as conn:
                purged = ledger.purge(conn, consumer=self.name, days=self.settings.dedupe_days, limit=PURGE_BATCH)
        except Exception as exc:  # noqa: BLE001 - a purge is housekeeping, never a reason to stop
            log.warning("processed_events purge failed", extra={"consumer": self.name, "error": describe(exc)})
            return
        metrics.PURGED.labels(self.name).inc(purged)
        if purged < PURGE_BATCH:  # a full batch means more to go: again after the next batch
            self._purged[url] = now

    def problem(self, now: float) -> str | None:
        """What /readyz says about the databases: the ones failing, if any."""
        failing = self.outages.items()
        if not failing:
            return None
        text = "; ".join(f"{database_name(url)} unavailable for {now - o.since:.0f} s ({o.error[:200]})"
                         for url, o in failing[:5])
        return text + (f" and {len(failing) - 5} more" if len(failing) > 5 else "")
