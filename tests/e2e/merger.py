"""Helpers of the e2e merger test: a three-tenant suite whose catalogue the test rewrites (the merger), the
owners' backfill commands, and the scans for personal data in Kafka and in the receiver's replica tables."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import yaml
from kafka import KafkaConsumer, TopicPartition
from psycopg import sql

from shared.events.topics import all_topics
from shared.tenants import load_catalogue
from tests.conftest import random_slug, write_catalogue
from tests.e2e.conftest import Suite

ROOT = Path(__file__).resolve().parents[2]


def three_tenants(suite: Suite) -> tuple[str, str, str]:
    """Give the suite three fresh tenants A, B, C (all active, no share yet): their slugs."""
    slugs = [random_slug("e2ma"), random_slug("e2mb"), random_slug("e2mc")]
    suite.slugs = slugs
    suite.catalogue_path = write_catalogue(suite.folder, slugs)
    suite.catalogue = load_catalogue(suite.catalogue_path, suite.settings.database_url)
    return slugs[0], slugs[1], slugs[2]


def rewrite(suite: Suite, changes: dict[str, dict]) -> None:
    """Rewrite the catalogue file: each named tenant's entry updated with its keys (the ConfigMap change)."""
    document = yaml.safe_load(suite.catalogue_path.read_text())
    for entry in document["tenants"]:
        entry.update(changes.get(entry["slug"], {}))
    suite.catalogue_path.write_text(yaml.safe_dump(document))
    suite.catalogue = load_catalogue(suite.catalogue_path, suite.settings.database_url)


def merged_into(successor: str) -> dict:
    """The keys of a predecessor merged into `successor` today."""
    return {"status": "merged", "merged_into": successor, "merged_on": date.today().isoformat(),
            "merger_reason": "Test e2e: accorpamento degli Ambiti"}


def restart(suite: Suite, processes: tuple[str, ...]) -> None:
    """The rollout: every process stopped, then started again reading the catalogue file."""
    suite.stop_all()
    suite.processes = {}
    for name in processes:
        suite.start(name)


def command(suite: Suite, module: str, *args: str) -> None:
    """Run a service's command (`python -m services.…`) on the suite's catalogue and topics, as an operator would."""
    argv = [sys.executable, "-m", module, *args]
    env = dict(os.environ, PDZ_TENANTS_FILE=str(suite.catalogue_path), PDZ_TOPIC_PREFIX=suite.prefix)
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(argv[1:])} failed:\n{done.stdout}\n{done.stderr}"


def backfill(suite: Suite, service: str, tenant: str, *data: str) -> None:
    """The owning service's re-publication of one tenant's data sets."""
    command(suite, f"services.{service}.republish", "--tenant", tenant, *[a for d in data for a in ("--data", d)])


def kafka_texts(bootstrap: str) -> list[str]:
    """Every record (value and headers, as text) of every topic of this process's topic prefix, to the end."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(spec.name, p) for spec in all_topics()
                      for p in consumer.partitions_for_topic(spec.name) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        texts: list[str] = []
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for batch in consumer.poll(timeout_ms=1000).values():
                for record in batch:
                    headers = " ".join(f"{k}={(v or b'').decode('utf-8', 'replace')}" for k, v in record.headers or [])
                    texts.append((record.value or b"").decode("utf-8", "replace") + " " + headers)
        return texts
    finally:
        consumer.close()


def replica_texts(url: str) -> dict[str, list[str]]:
    """Every row, as text, of every table of a database that has an `origin` column (the replicas)."""
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND column_name = 'origin'")]
        return {t: [r[0] for r in conn.execute(sql.SQL("SELECT t::text FROM {} t").format(sql.Identifier(t)))]
                for t in tables}
