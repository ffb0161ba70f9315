"""A test session drops the databases and topics it created, and nothing else."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
from kafka import KafkaAdminClient
from psycopg import sql

from shared.cli.provision import ensure_database
from shared.tenants import database_url
from tests.conftest import random_database

ROOT = Path(__file__).resolve().parents[2]

INNER = '''
import json, os
from pathlib import Path

from shared.cli.provision import provision
from shared.events.topics import all_topics
from shared.kafka.clients import ensure_topics
from shared.tenants import load_catalogue
from tests.conftest import random_slug, random_topic_prefix, write_catalogue


def test_make_a_tenant_and_topics(tmp_path, settings, monkeypatch):
    catalogue = load_catalogue(write_catalogue(tmp_path, [random_slug("cln")]), settings.database_url)
    provision(catalogue, report=lambda *_: None)
    prefix = random_topic_prefix("cln")
    monkeypatch.setenv("PDZ_TOPIC_PREFIX", prefix)
    topics = [spec.name for spec in all_topics(partitions=1)]
    ensure_topics(settings.kafka_bootstrap, all_topics(partitions=1))
    databases = [t.database_name(s) for t in catalogue for s in ("registry", "budget")]
    databases.append(catalogue.regional_databases["reporting"])
    Path(os.environ["PDZ_CLEANUP_OUT"]).write_text(json.dumps({"databases": databases, "topics": topics}))
'''


def existing_databases(server_url: str, names: list[str]) -> set[str]:
    with psycopg.connect(server_url, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)",
                                               (names,))}


def run_inner_session(tmp_path: Path, **env) -> dict:
    (tmp_path / "test_inner.py").write_text(INNER)
    out = tmp_path / "made.json"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "test_inner.py")],
        cwd=ROOT, env={**os.environ, "PDZ_CLEANUP_OUT": str(out), **env},
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {**json.loads(out.read_text()), "stderr": result.stderr}


def test_the_session_drops_its_databases_and_topics_and_nothing_else(tmp_path, settings):
    # A database this (outer) session made: the inner session must leave it alone.
    foreign = random_database("foreign")
    foreign_url = database_url(settings.database_url, foreign)
    ensure_database(foreign_url)
    with psycopg.connect(foreign_url) as held:  # even while someone is connected to it
        made = run_inner_session(tmp_path)
        assert held.execute("SELECT 1").fetchone() == (1,)
    # Dropped when the inner module ended (tests/conftest.py), so the session's end finds none left.
    assert len(made["databases"]) == 3 and "test session cleanup: 0 databases" in made["stderr"]
    assert existing_databases(settings.database_url, made["databases"] + [foreign]) == {foreign}
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        assert set(made["topics"]) & set(admin.list_topics()) == set()
    finally:
        admin.close()


def test_pdz_test_keep_keeps_them(tmp_path, settings):
    made = run_inner_session(tmp_path, PDZ_TEST_KEEP="1")
    try:
        assert existing_databases(settings.database_url, made["databases"]) == set(made["databases"])
    finally:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            for name in made["databases"]:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        try:
            admin.delete_topics(made["topics"])
        finally:
            admin.close()
