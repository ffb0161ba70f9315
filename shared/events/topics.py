"""Kafka topics of the suite: one per producing service, plus the dead-letter topic.

Topics are created explicitly (`pdz topics create`); brokers run with
auto-create off. Partitions: 12 per service topic, enough for a region's
consumers to scale out while keeping per-aggregate order (the key picks the
partition). Retention: 30 days on service topics (read models are rebuilt
from the databases' outboxes if ever needed, not from an infinite log),
14 days on the dead-letter topic, long enough to inspect and replay.
The retry topic holds the records of a tenant whose database stayed down longer
than PDZ_CONSUMER_TENANT_RETRY_SECONDS (12 partitions, keyed like the original,
30 days); every consumer group reads it and takes back only its own records.
The statistics topic carries reporting's figures whenever one changes (it.pdz.reporting.figure.changed.v1,
for the regional statistics office): 12 partitions keyed by figure, 30 days like the service topics.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

DAY_MS = 24 * 3600 * 1000
SERVICES = ("registry", "consultation", "budget", "reporting")


def topic_prefix() -> str:
    # PDZ_TOPIC_PREFIX lets a test run (or a second suite on one cluster) use its own topics.
    return os.environ.get("PDZ_TOPIC_PREFIX") or "pdz"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int


def service_topic(service: str) -> str:
    """The topic a service publishes on, e.g. pdz.registry.v1."""
    return f"{topic_prefix()}.{service}.v1"


def deadletter_topic() -> str:
    return f"{topic_prefix()}.deadletter.v1"


def retry_topic() -> str:
    """Parked records of tenants whose database is down, re-applied by the consumer group that parked them."""
    return f"{topic_prefix()}.retry.v1"


def statistics_topic() -> str:
    """Reporting's changed figures for the regional statistics office, e.g. pdz.statistics.v1."""
    return f"{topic_prefix()}.statistics.v1"


def all_topics(partitions: int = 12) -> list[TopicSpec]:
    specs = [TopicSpec(service_topic(s), partitions, 30 * DAY_MS) for s in SERVICES]
    specs.append(TopicSpec(deadletter_topic(), 3, 14 * DAY_MS))
    specs.append(TopicSpec(retry_topic(), partitions, 30 * DAY_MS))
    specs.append(TopicSpec(statistics_topic(), partitions, 30 * DAY_MS))
    return specs
