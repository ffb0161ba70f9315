"""Kafka producers, consumers and topic administration, configured once."""
from __future__ import annotations

import os

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from shared.config import kafka_security
from shared.events.topics import TopicSpec


def connection(bootstrap: str) -> dict:
    """bootstrap_servers plus the listener's security (PDZ_KAFKA_SECURITY_PROTOCOL, SASL, CA file).

    Every client of the suite is built with these, so one set of variables secures them all;
    with none set it is plaintext, as the local stack runs.
    """
    return {"bootstrap_servers": bootstrap, **kafka_security(os.environ)}


def idempotent_producer(bootstrap: str, *, client_id: str) -> KafkaProducer:
    """A producer that never duplicates on retry and keeps per-partition order."""
    return KafkaProducer(
        **connection(bootstrap),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        # One request in flight per broker: retries can never reorder a key's events.
        max_in_flight_requests_per_connection=1,
        linger_ms=5,
        retries=2_147_483_647,
        delivery_timeout_ms=60_000,
        request_timeout_ms=15_000,
    )


def manual_commit_consumer(bootstrap: str, *, group_id: str, topics: list[str],
                           max_poll_records: int = 500) -> KafkaConsumer:
    """A consumer that never commits by itself: the runner commits after the database."""
    return KafkaConsumer(
        *topics,
        **connection(bootstrap),
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # One poll is one database transaction per target: a few hundred records
        # share its round trips. The runner polls at least every few seconds even
        # while a database is down (it pauses partitions instead of waiting inside
        # a poll), far within max.poll.interval.
        max_poll_records=max_poll_records,
        max_poll_interval_ms=300_000,
        # Fetch sizes stay at kafka-python's defaults (1 MiB per partition): 4 MiB made no
        # measurable difference on a backlog and would buffer up to 144 MiB over 36 partitions.
        # Calls that wait on a broker (commit, offsets) give up well before /livez would.
        request_timeout_ms=30_000,
        session_timeout_ms=10_000,
        heartbeat_interval_ms=3_000,
    )


def ensure_topics(bootstrap: str, specs: list[TopicSpec], *, replication: int = 1) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    admin = KafkaAdminClient(**connection(bootstrap), client_id="pdz-admin")
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        created = []
        for spec in missing:
            topic = NewTopic(spec.name, num_partitions=spec.partitions, replication_factor=replication,
                             topic_configs={"retention.ms": str(spec.retention_ms)})
            try:
                admin.create_topics([topic])
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        admin.close()
