"""`pdz reporting replay` on the real Kafka and PostgreSQL: the rebuilt read model answers as the live one did.

The real consumer (the runner with reporting's projectors, as the live group) projects a mix of registry
and budget events (the catalogue's examples with fresh ids, duplicates included) into the reporting
database; it is stopped; more events arrive for a third Ambito; the command replays every topic into a
fresh database and swaps it in. Every read-model table's rows and every statistics endpoint's JSON are
the same as before the swap (the third Ambito's rows come on top), processed_events holds each event
once at its own offset, and the live group restarts exactly after what the rebuild applied.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid

import psycopg
import yaml
from prometheus_client import REGISTRY
from psycopg import sql

from shared.consumer.routes import RegionalRoute
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token
from shared.config import Settings
from shared.tenants import load_catalogue

from services.reporting import consumer_group
from services.reporting import replay_kafka
from services.reporting.replay import consumer_projectors, replay_topics
from tests.conftest import EVENTS_DIR, random_database, random_slug
from tests.integration.test_consumer import EVENTS, make_runner, send

KEY = "reporting-replay-key-" + "r" * 32
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TYPES = sorted(p.name for p in EVENTS_DIR.iterdir()
               if p.name.startswith(("it.pdz.registry.", "it.pdz.budget.")) and (p / "example.json").exists())


def _fresh_ids(value, ids: dict):
    """The example with every UUID replaced, the same example UUID by the same fresh one (within a world)."""
    if isinstance(value, str) and UUID_RE.match(value):
        return ids.setdefault(value, str(uuid.uuid4()))
    if isinstance(value, dict):
        return {k: _fresh_ids(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh_ids(v, ids) for v in value]
    return value


def _world(tenant: str) -> list:
    """One event of every registry and budget type for `tenant`, valid per the catalogue."""
    ids: dict = {}
    events = []
    for type_ in TYPES:
        data = _fresh_ids(json.loads((EVENTS_DIR / type_ / "example.json").read_text()), ids)
        assert EVENTS.problem(type_, data) is None, (type_, EVENTS.problem(type_, data))
        # The key keeps one aggregate's events in order; an aggregate without an id (the Ambito's profile,
        # a fund-year) is the Ambito's own.
        aggregate = next((v for v in data.values() if isinstance(v, str) and UUID_RE.match(v)), tenant)
        events.append(new_event(type=type_, service=type_.split(".")[2], tenant=tenant, aggregate_id=aggregate,
                                data=copy.deepcopy(data)))
    return events


def _mix(tenants: list[str], worlds: int, rng: random.Random) -> list:
    events = [e for t in tenants for _ in range(worlds) for e in _world(t)]
    return events + rng.sample(events, len(events) // 5)  # redelivered: the same CloudEvent (ce_id) again


def _topic_of(event) -> str:
    from shared.events.topics import service_topic
    return service_topic(event.type.split(".")[2])


def _produce(settings, events) -> None:
    for topic in {_topic_of(e) for e in events}:
        send(settings, [e for e in events if _topic_of(e) == topic], topic=topic)


def _ends(settings) -> dict:
    from kafka import KafkaConsumer
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    try:
        return consumer.end_offsets(replay_kafka.partitions(consumer, replay_topics()))
    finally:
        consumer.close()


def _run_live(settings, catalogue, *, timeout: float = 120.0) -> None:
    """The live consumer group, run until it has read to the end offsets now, then stopped (leaves the group)."""
    ends = _ends(settings)
    runner = make_runner(settings, consumer_group(), route=RegionalRoute(catalogue, "reporting"),
                         topics=replay_topics(), projectors=consumer_projectors())
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runner.poll_once(timeout_ms=300)
            assigned = runner.consumer.assignment()
            if set(ends) <= assigned and all(runner.consumer.position(tp) >= ends[tp] for tp in ends):
                break
        else:
            raise AssertionError("the live consumer did not reach the end offsets")
    finally:
        runner.close()


def _duplicates() -> float:
    """Records this process's live runner found applied already (pdz_consumer_events_total)."""
    return REGISTRY.get_sample_value("pdz_consumer_events_total",
                                     {"consumer": consumer_group(), "outcome": "duplicate"}) or 0.0


def _volatile(conn, table: str) -> set[str]:
    """Columns filled by the database when a row is written (e.g. processed_at): not the events' content."""
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                        " AND table_name = %s AND (column_default ILIKE '%%now()%%'"
                        " OR column_default ILIKE '%%current_timestamp%%')", (table,)).fetchall()
    return {r[0] for r in rows}


def _snapshot(url: str, *, leave_out_tenant: str | None = None) -> dict:
    """Every table's rows (as text, sorted), schema_migrations aside; optionally without one tenant's rows."""
    tables = {}
    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                            " AND tablename <> 'schema_migrations' ORDER BY 1")]
        for table in names:
            columns = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name = %s ORDER BY ordinal_position", (table,))]
            kept = [c for c in columns if c not in _volatile(conn, table)]
            where = sql.SQL("")
            if leave_out_tenant and "tenant" in columns:
                where = sql.SQL(" WHERE tenant <> {}").format(sql.Literal(leave_out_tenant))
            query = sql.SQL("SELECT {} FROM {}{}").format(
                sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in kept),
                sql.Identifier(table), where)
            tables[table] = sorted(conn.execute(query).fetchall(), key=repr)
    return tables


def _answers(app, tenants: list[str]) -> dict:
    """Every GET statistics (and regional) endpoint without further path parameters, per tenant (200 only)."""
    client = app.test_client()
    token = mint_dev_token(key=KEY, subject="u", roles=["regional-admin"], tenants=[])
    paths = [p for p, ops in client.get("/openapi.json").get_json()["paths"].items() if "get" in ops]
    answers = {}
    for path in paths:
        if not (path.startswith("/v1/{tenant}/statistics") or path.startswith("/v1/regions/{region}")):
            continue
        for tenant in tenants if "{tenant}" in path else ["basilicata"]:
            concrete = path.replace("{tenant}", tenant).replace("{region}", "basilicata")
            if "{" in concrete:
                continue
            response = client.get(concrete, headers={"Authorization": f"Bearer {token}"})
            if response.status_code == 200:
                answers[concrete] = response.get_json()
    return answers


def test_replay_rebuilds_the_same_model_and_swaps_it_in(tenants, topic_prefix, settings, tmp_path):
    from services.reporting.app import create_app
    a, b = tenants.slugs()[:2]
    live_url = tenants.regional_url("reporting")
    rng = random.Random(11)
    first = _mix([a, b], worlds=3, rng=rng)
    _produce(settings, first)
    _run_live(settings, tenants)

    with psycopg.connect(live_url) as conn:
        # What the statistics publisher sent is no projection: the swap carries it over (none here if the
        # tree has no publisher yet).
        if conn.execute("SELECT to_regclass('public.published_figures')").fetchone()[0]:
            conn.execute("INSERT INTO published_figures (indicator, territory_type, territory, ambito, period,"
                         " dimension, value, unit, revision) VALUES ('x', 'ambito', %s, %s, '2025', '', 1, 'n', 3)",
                         (a, a))
    app = create_app(settings=Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                                       database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap))
    before, answers_before = _snapshot(live_url), _answers(app, [a, b])
    assert before["stakeholder_facts"] and before["budget_allocation_facts"], "the live consumer projected nothing"
    assert f"/v1/{a}/statistics/funds" in answers_before and f"/v1/{b}/statistics/stakeholders" in answers_before
    assert len(before["processed_events"]) == len({e.id for e in first})

    # The live consumer is stopped; events of an Ambito it never saw arrive meanwhile (the replay's catch-up).
    third = random_slug("c")
    catalogue_file = tmp_path / "tenants.yaml"
    document = yaml.safe_load(catalogue_file.read_text())
    # Another region, and events dated no later than the first ones (late arrivals), so that the answers
    # compared (Ambiti A and B, Basilicata, the newest event time per service: `as_of`) stay the same.
    document["tenants"].append({"slug": third, "name": f"Ambito di prova {third}", "region": "puglia"})
    catalogue_file.write_text(yaml.safe_dump(document))
    earliest = min(e.time for e in first)
    later = [dataclasses.replace(e, time=earliest) for e in _world(third)]
    _produce(settings, later)
    ends = _ends(settings)

    rebuild, previous = random_database("reporting_rebuild"), random_database("reporting_previous")
    done = subprocess.run([sys.executable, "-m", "shared.cli.main", "reporting", "replay",
                           "--rebuild-database", rebuild, "--previous-database", previous],
                          env={**os.environ, "PDZ_TENANTS_FILE": str(catalogue_file)},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    total = sum(ends.values())
    assert f"{total:,}/{total:,} events" in done.stderr and "done" in done.stderr  # the progress, plain lines

    after = _snapshot(live_url, leave_out_tenant=third)  # the live name is the rebuilt database now
    ids_before = {e.id for e in first}
    after["processed_events"] = [r for r in after["processed_events"] if r[1] in ids_before]
    assert after.keys() == before.keys()
    differing = {t: ([r for r in before[t] if r not in after[t]], [r for r in after[t] if r not in before[t]])
                 for t in before if after[t] != before[t]}
    assert not differing, repr(differing)  # (live only, rebuilt only) per table
    # The same app: its pooled connections were ended by the swap; it answers 503 (retry later) until its
    # breaker sees the database again, then from the rebuilt one.
    deadline, answers_after = time.monotonic() + 60, {}
    while time.monotonic() < deadline and answers_after.keys() != answers_before.keys():
        answers_after = _answers(app, [a, b])
    assert answers_after == answers_before
    with psycopg.connect(live_url) as conn:
        # Each event once, at its offset, under the live group's name: nothing skipped, nothing applied twice.
        ledger = conn.execute("SELECT consumer, event_id, topic, kafka_partition, kafka_offset"
                              " FROM processed_events").fetchall()
        assert conn.execute("SELECT count(*) FROM stakeholder_facts WHERE tenant = %s", (third,)).fetchone()[0] >= 1
    assert {r[0] for r in ledger} == {consumer_group()}
    assert len(ledger) == len(ids_before | {e.id for e in later})
    with psycopg.connect(settings.database_url, dbname=previous) as conn:  # the old model, kept
        assert conn.execute("SELECT count(*) FROM processed_events").fetchone()[0] == len(ids_before)
    assert replay_kafka.committed(settings.kafka_bootstrap, consumer_group()) == ends

    # The live consumer starts again: it reads on after the rebuild's offsets, nothing twice.
    duplicates = _duplicates()
    newest = _world(a)[:3]
    _produce(settings, newest)
    reloaded = load_catalogue(catalogue_file, settings.database_url)
    _run_live(settings, reloaded)
    assert _duplicates() == duplicates
    with psycopg.connect(live_url) as conn:
        assert conn.execute("SELECT count(*) FROM processed_events").fetchone()[0] == len(ledger) + len(newest)
