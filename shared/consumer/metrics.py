"""Prometheus metrics of consumers (names documented in docs/architecture.md §5)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HANDLED = Counter("pdz_consumer_events_total",
                  "Records handled per target database, by outcome (applied, duplicate, skipped, deadlettered, parked)",
                  ["consumer", "outcome"])
DEADLETTERED = Counter("pdz_consumer_deadlettered_total", "Records sent to the dead-letter topic, by reason kind",
                       ["consumer", "reason"])
LAG = Gauge("pdz_consumer_lag", "Records behind the end of the partition", ["consumer", "topic", "partition"])
LAST_PROGRESS = Gauge("pdz_consumer_last_progress_timestamp_seconds",
                      "Unix time of the last batch whose offsets were committed (or of the start)", ["consumer"])
BATCH_SIZE = Histogram("pdz_consumer_batch_size", "Records per polled batch", ["consumer"],
                       buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000))
BATCH_SECONDS = Histogram("pdz_consumer_batch_duration_seconds", "Time to handle one polled batch", ["consumer"],
                          buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
UNAVAILABLE = Gauge("pdz_consumer_databases_unavailable", "Target databases currently failing", ["consumer"])
BLOCKED = Gauge("pdz_consumer_blocked_partitions", "Partitions paused while their database is retried",
                ["consumer"])
PURGED = Counter("pdz_consumer_processed_events_purged_total", "processed_events rows purged", ["consumer"])


def count(consumer: str, items) -> None:
    """Count a settled batch's items by outcome (one per target database), dead letters by kind."""
    counts: dict[str, int] = {}
    for item in items:
        if item.outcome not in ("blocked", "deferred"):  # read again: counted when settled
            counts[item.outcome] = counts.get(item.outcome, 0) + 1
        if item.outcome == "deadlettered":
            DEADLETTERED.labels(consumer, item.kind).inc()
    for outcome, n in counts.items():
        HANDLED.labels(consumer, outcome).inc(n)
