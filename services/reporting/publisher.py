"""pdz.statistics.v1: publish a figure of the statistics feed whenever it changes.

The reporting consumer marks every event it applies (figure_marks, in the projection's transaction:
freshness.marked). The publisher, a thread of the consumer process (entrypoints.consumer), drains the
marks in one transaction: it folds their event times into source_freshness, recomputes the feed rows
of the territories the marked Ambiti belong to (the Ambito, a merged one whole and by former territory,
the region total) for the watched periods through the figure cache (indicators/cache.py: it raises
the drained Ambiti's versions first, so the figures it computes are stored under the new ones and warm
the API's answers), compares them with published_figures, sends the changed ones
with the idempotent producer and waits for Kafka's acknowledgement, and only then records them and
commits. Killed before the commit, the marks come back and the same figures are sent again with the
same event ids (at least once). One publisher at a time: a transaction-level advisory lock.

Watched periods: the last PDZ_STATISTICS_YEARS years (default 2: this one and the previous) with their
quarters up to now, plus the year and quarter of each marked event's time.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

import psycopg
from psycopg.types.json import Jsonb

from shared.events.envelope import to_kafka

from services.reporting import events, freshness
from services.reporting.indicators import cache, feed, territories
from services.reporting.indicators.evaluate import indicators
from services.reporting.indicators.model import ROME, Period

log = logging.getLogger(__name__)
LOCK_KEY = 7_285_011  # arbitrary, constant: "pdz statistics publisher"

_DRAIN = ("DELETE FROM figure_marks WHERE event_id IN (SELECT event_id FROM figure_marks ORDER BY marked_at"
          " LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING tenant, service, event_time")
_PUBLISHED = ("SELECT indicator, territory_type, territory, ambito, period, dimension, dimensions, value, unit,"
              " revision FROM published_figures WHERE period = %s AND ((territory_type <> 'comune'"
              " AND territory = ANY(%s)) OR (territory_type = 'comune' AND ambito = ANY(%s)))")
_RECORD = ("INSERT INTO published_figures (indicator, territory_type, territory, ambito, period, dimension, dimensions,"
           " value, unit, revision) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
           " ON CONFLICT (indicator, territory_type, territory, period, dimension) DO UPDATE SET"
           " value = EXCLUDED.value, unit = EXCLUDED.unit, revision = EXCLUDED.revision, published_at = now()")


def watched_periods(now: datetime, *, years: int = 2) -> list[Period]:
    """The last `years` years with their quarters up to `now` (Italian time)."""
    today = now.astimezone(ROME)
    current_quarter = (today.month - 1) // 3 + 1
    periods = []
    for year in range(today.year - years + 1, today.year + 1):
        periods.append(Period(year))
        periods += [Period(year, q) for q in range(1, 5) if year < today.year or q <= current_quarter]
    return periods


def periods_of(times) -> set[Period]:
    """The year and quarter of each instant (Italian time), within the periods the contract knows."""
    found = set()
    for when in times:
        local = when.astimezone(ROME)
        if 2000 <= local.year <= 2099:
            found |= {Period(local.year), Period(local.year, (local.month - 1) // 3 + 1)}
    return found


def changes(current: list[feed.FeedRow], published: dict) -> list[tuple]:
    """(row, value, previous, revision) of each figure whose value differs from its published one (pure).

    `published` maps (indicator, territory_type, territory, dimension) to (FeedRow, value, revision); a
    published figure no longer given becomes a change to None."""
    result, seen = [], set()
    for row in current:
        key = (row.indicator, row.territory_type, row.territory_code, row.dimension_key)
        seen.add(key)
        before = published.get(key)
        if before is None:
            result.append((row, row.value, None, 1))
        elif before[1] is None or before[1] != row.value:
            result.append((row, row.value, before[1], before[2] + 1))
    for key, (row, value, revision) in published.items():
        if key not in seen and value is not None:
            result.append((row, None, value, revision + 1))
    return result


def _published(conn, *, period: Period, codes: list[str], ambiti: list[str]) -> dict:
    found = {}
    for (code, ttype, territory, ambito, _period, dimension, dimensions, value, unit,
         revision) in conn.execute(_PUBLISHED, (str(period), codes, ambiti)).fetchall():
        row = feed.FeedRow(code, territory, ttype, ambito, str(period),
                           tuple(sorted((k, str(v)) for k, v in (dimensions or {}).items())), value, unit, None)
        found[(code, ttype, territory, dimension)] = (row, value, revision)
    return found


class Publisher:
    """Drains figure_marks and publishes the figures that changed (with no producer: freshness only)."""

    def __init__(self, *, catalogue, producer, topic: str, years: int = 2, batch: int = 200_000):
        self.catalogue = catalogue
        self.producer = producer
        self.topic = topic
        self.years = years
        # Large on purpose: a drain's cost is recomputing the marked territories, not the marks, so while a
        # drain runs the marks pile up and the next one takes them all (a replay's million events included).
        self.batch = batch

    def run_once(self, conn: psycopg.Connection, *, now: datetime | None = None) -> tuple[int, int]:
        """One drain in one transaction: (marks drained, events sent)."""
        now = now or datetime.now(timezone.utc)
        with conn.transaction():
            if not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
                return 0, 0  # another publisher is at work
            marks = conn.execute(_DRAIN, (self.batch,)).fetchall()
            if not marks:
                return 0, 0
            newest: dict[str, datetime] = {}
            for _tenant, service, when in marks:
                newest[service] = max(when, newest.get(service, when))
            freshness.fold(conn, newest)
            # The drained Ambiti's data is new: their cached figures (indicators/cache.py) are no longer read.
            cache.bump(conn, {tenant for tenant, _s, _w in marks})
            if self.producer is None:
                return len(marks), 0  # publishing turned off: the marks only keep freshness
            tenants = list(self.catalogue)
            affected = territories.affected(tenants, {tenant for tenant, _s, _w in marks})
            periods = sorted(set(watched_periods(now, years=self.years)) | periods_of(w for _t, _s, w in marks),
                             key=lambda p: (p.year, p.quarter or 0))
            sent = self._publish(conn, affected=affected, periods=periods, now=now)
        return len(marks), sent

    def _publish(self, conn, *, affected: list, periods: list[Period], now: datetime) -> int:
        if not affected:
            return 0
        items = indicators()
        by_code = {i.definition.code: i for i in items}
        as_of = freshness.as_of(conn)
        listed = territories.representative(affected)
        codes = [t.code for t in listed]
        ambiti = sorted({t.ambito for t in listed if t.ambito})
        region_of = {t.code: t.region for t in affected}
        pending = []
        for period in periods:
            # Through the figure cache: what is computed here is stored under the new versions, so the
            # API's first answer after a change reads it. Every affected territory (a merged Ambito's own
            # records too, which the feed does not list but its answers show); the feed takes the listed.
            evaluated = cache.evaluate(conn, territories=affected, period=period, items=items)
            current = feed.rows(evaluated, territories=listed, items=by_code, as_of=as_of)
            pending += changes(current, _published(conn, period=period, codes=codes, ambiti=ambiti))
        futures = []
        for row, value, previous, revision in pending:
            region = region_of.get(row.ambito or row.territory_code) or ""
            event = events.figure_changed(row, region=region, value=value, previous=previous, revision=revision,
                                          now=now)
            key, body, headers = to_kafka(event)
            futures.append(self.producer.send(self.topic, key=key, value=body, headers=headers))
        self.producer.flush()
        for future in futures:
            future.get(timeout=30)  # raises if Kafka refused one: the transaction rolls back, marks return
        for row, value, _previous, revision in pending:
            conn.execute(_RECORD, (row.indicator, row.territory_type, row.territory_code, row.ambito, row.period,
                                   row.dimension_key, Jsonb(dict(row.dimension)), value,
                                   row.unit, revision))
        return len(pending)


def run(publisher: Publisher, *, connect, stopping: threading.Event, interval: float = 5.0) -> None:
    """Drain, publish and report freshness every `interval` seconds until `stopping` (a thread's loop)."""
    while not stopping.is_set():
        try:
            with connect() as conn:
                while not stopping.is_set() and publisher.run_once(conn)[0]:
                    pass
                freshness.report(freshness.as_of(conn))
        except Exception:  # noqa: BLE001 - publishing never stops the consumer; the marks wait
            log.exception("statistics publisher failed; the marks stay for the next round")
        stopping.wait(interval)
