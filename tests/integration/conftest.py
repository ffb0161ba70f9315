"""Integration fixtures: real PostgreSQL and real Kafka, random names everywhere."""
from __future__ import annotations

import time
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from kafka import KafkaConsumer, TopicPartition

from shared.cli.provision import provision
from shared.events.topics import all_topics
from shared.kafka.clients import ensure_topics
from tests.conftest import random_slug, random_topic_prefix


@pytest.fixture
def tenants(catalogue_factory):
    """Two freshly provisioned tenants (and their own reporting database)."""
    catalogue = catalogue_factory([random_slug("a"), random_slug("b")])
    provision(catalogue, report=lambda *_: None)
    return catalogue


@pytest.fixture
def topic_prefix(monkeypatch, settings):
    """Topics of this test only: PDZ_TOPIC_PREFIX=<random>, created now."""
    prefix = random_topic_prefix("it")
    monkeypatch.setenv("PDZ_TOPIC_PREFIX", prefix)
    ensure_topics(settings.kafka_bootstrap, all_topics(partitions=3))
    return prefix


def read_topic(bootstrap: str, topic: str, *, expect: int, timeout: float = 30.0) -> list:
    """Every record of a topic from the start, waiting until at least `expect` arrived."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
            if len(records) >= expect:
                # Drain what else is already there, then stop.
                for batch in consumer.poll(timeout_ms=300).values():
                    records.extend(batch)
                break
        return records
    finally:
        consumer.close()


@contextmanager
def refusing_connections(url: str):
    """The database named in `url` refuses every connection (and loses the open ones) inside the block."""
    dbname = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(dbname)))
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,))
        try:
            yield
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(dbname)))
