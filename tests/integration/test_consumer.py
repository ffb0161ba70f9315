"""The reporting consumer (regional route) against the real PostgreSQL and Kafka.

Helpers here are shared by the other test_consumer_*.py files.
"""
import json
import time
import urllib.error
import urllib.request
import uuid

import psycopg
from kafka import KafkaConsumer
from psycopg.conninfo import conninfo_to_dict

from shared.consumer.event_catalogue import EventCatalogue
from shared.consumer.health import kafka_reachable
from shared.consumer.routes import RegionalRoute
from shared.consumer.runner import ConsumerRunner
from shared.consumer.settings import ConsumerSettings
from shared.db.pools import PoolRegistry
from shared.events.envelope import CloudEvent, new_event, to_kafka
from shared.events.topics import deadletter_topic, service_topic
from shared.kafka.clients import idempotent_producer, manual_commit_consumer
from shared.ops import serve_ops

from services.reporting.projector import PROJECTORS
from tests.integration.conftest import read_topic, refusing_connections

EVENTS = EventCatalogue.load()
REGISTERED = "it.pdz.registry.stakeholder.registered.v1"


def registered(tenant, type_="comune", **data):
    sid = str(uuid.uuid4())
    return new_event(type=REGISTERED, service="registry", tenant=tenant, aggregate_id=sid,
                     data={"stakeholder_id": sid, "name": "Comune di Nemoli", "type": type_, "runts_section": None,
                           "registered_at": "2026-02-01T09:00:00+00:00", **data})


def send(settings, items, topic=None):
    """Produce CloudEvents or raw (key, value, headers) records, in order, and wait for the acks."""
    producer = idempotent_producer(settings.kafka_bootstrap, client_id="test-producer")
    try:
        for item in items:
            key, value, headers = to_kafka(item) if isinstance(item, CloudEvent) else item
            producer.send(topic or service_topic("registry"), key=key, value=value, headers=headers)
        producer.flush()
    finally:
        producer.close()


def make_runner(settings, group, *, route, projectors=PROJECTORS, topics=None, consumer=None,
                **consumer_settings) -> ConsumerRunner:
    options = ConsumerSettings(**consumer_settings)
    return ConsumerRunner(
        name=group,
        consumer=consumer or manual_commit_consumer(settings.kafka_bootstrap, group_id=group,
                                                    topics=topics or [service_topic("registry")],
                                                    max_poll_records=options.max_poll_records),
        producer=idempotent_producer(settings.kafka_bootstrap, client_id=f"{group}-dlq"),
        pools=PoolRegistry(max_per_pool=1, max_pools=10, timeout=5.0), route=route,
        projectors=projectors, events=EVENTS, settings=options)


def reporting_runner(tenants, settings, group=None, **kwargs) -> ConsumerRunner:
    return make_runner(settings, group or f"test-{uuid.uuid4().hex[:8]}",
                       route=RegionalRoute(tenants, "reporting"), **kwargs)


def poll_until(runner, done, *, timeout: float = 60.0) -> bool:
    """Poll until done() is true (checked after every batch); False if it never was."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runner.poll_once(timeout_ms=300)
        if done():
            return True
    return False


def poll_records(runner, count: int, *, max_polls: int = 60) -> int:
    seen = 0
    for _ in range(max_polls):
        seen += runner.poll_once(timeout_ms=500)
        if seen >= count:
            break
    return seen


def facts(tenants, slug):
    with psycopg.connect(tenants.regional_url("reporting")) as conn:
        return sorted(conn.execute("SELECT type, count(*) FROM stakeholder_facts WHERE tenant = %s GROUP BY type",
                                   (slug,)).fetchall())


def processed(url, group) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM processed_events WHERE consumer = %s", (group,)).fetchone()[0]


def dead_letters(settings, expect):
    """{kind: [reason, ...]} of the test's dead-letter topic."""
    found = {}
    for record in read_topic(settings.kafka_bootstrap, deadletter_topic(), expect=expect):
        headers = dict(record.headers)
        found.setdefault(headers["pdz_dlq_kind"].decode(), []).append(headers["pdz_dlq_reason"].decode())
    return found


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_projects_once_dead_letters_the_bad_and_goes_on(tenants, settings, topic_prefix):
    a, b = tenants.slugs()
    first, second, other = registered(a), registered(a, "school"), registered(b)
    missing = registered(a)
    del missing.data["type"]
    call = new_event(type="it.pdz.registry.call.drafted.v1", service="registry", tenant=a, aggregate_id="c1",
                     data={})  # catalogued, not projected by this runner: skipped, not dead-lettered
    # Reporting projects calls since issue 11: this runner reads every type but that one.
    projectors = {t: p for t, p in PROJECTORS.items() if t != call.type}
    send(settings, [first, first,                                         # duplicate delivery
                    (b"junk", b"{not json", [("ce_type", b"x")]),        # malformed
                    registered("no-such-ambito"),                         # tenant not in the catalogue
                    missing,                                              # schema violation
                    call, second, other])

    group = f"test-{uuid.uuid4().hex[:8]}"
    runner = reporting_runner(tenants, settings, group, projectors=projectors)
    assert poll_records(runner, 8) == 8
    runner.close()

    assert facts(tenants, a) == [("comune", 1), ("school", 1)]
    assert facts(tenants, b) == [("comune", 1)]
    dead = dead_letters(settings, expect=3)
    assert sorted(dead) == ["envelope", "schema", "unknown_tenant"]
    assert "type" in dead["schema"][0] and "no-such-ambito" in dead["unknown_tenant"][0]
    for record in read_topic(settings.kafka_bootstrap, deadletter_topic(), expect=3):
        assert dict(record.headers)["pdz_dlq_origin"].decode().startswith(service_topic("registry"))
        assert dict(record.headers)["pdz_dlq_consumer"].decode() == group

    # Offsets were committed: a new runner of the same group has nothing left to do.
    again = reporting_runner(tenants, settings, group)
    assert poll_records(again, 1, max_polls=6) == 0
    again.close()
    assert processed(tenants.regional_url("reporting"), group) == 3


def test_updates_are_projected_and_an_older_snapshot_never_wins(tenants, settings, topic_prefix):
    from services.reporting.statistics import stakeholders_by_type

    a = tenants.slugs()[0]
    first = registered(a, "ets", runts_section="b", status="active", version=1)
    sid = first.data["stakeholder_id"]

    def updated(version, status):
        return new_event(type="it.pdz.registry.stakeholder.updated.v1", service="registry", tenant=a,
                         aggregate_id=sid, data={**first.data, "status": status, "version": version, "areas": [],
                                                 "changed": ["status"], "updated_at": "2026-03-01T00:00:00+00:00"})

    send(settings, [first, updated(2, "suspended"), updated(1, "active")])  # the last one is stale
    runner = reporting_runner(tenants, settings)
    assert poll_records(runner, 3) == 3
    runner.close()
    with psycopg.connect(tenants.regional_url("reporting")) as conn:
        stats = stakeholders_by_type(conn=conn, tenant=a)
    assert stats == {"tenant": a, "total": 0, "by_type": {}, "by_status": {"suspended": 1}, "by_runts_section": {}}


def test_the_regional_database_down_longer_than_max_poll_interval(tenants, settings, topic_prefix):
    # Regression: the old runner retried inside one poll, was dropped from the group after
    # max.poll.interval, and its offset commit then raised CommitFailedError (the process died).
    a = tenants.slugs()[0]
    url = tenants.regional_url("reporting")
    group = f"test-{uuid.uuid4().hex[:8]}"
    consumer = KafkaConsumer(service_topic("registry"), bootstrap_servers=settings.kafka_bootstrap, group_id=group,
                             enable_auto_commit=False, auto_offset_reset="earliest", max_poll_interval_ms=3000,
                             session_timeout_ms=6000, heartbeat_interval_ms=1000, request_timeout_ms=7000)
    runner = reporting_runner(tenants, settings, group, consumer=consumer, retry_max_seconds=1.0)
    ops = serve_ops(port=0, addr="127.0.0.1", live={"loop": runner.heartbeat.check},
                    ready={"kafka": kafka_reachable(settings.kafka_bootstrap), "database": runner.database_problem,
                           "progress": runner.progress_problem})
    readyz = f"http://127.0.0.1:{ops.server_address[1]}/readyz"
    send(settings, [registered(a)])
    try:
        with refusing_connections(url):
            # Down for more than twice max.poll.interval while the record waits.
            assert poll_until(runner, lambda: runner.outages.get(url) is not None
                              and time.time() - runner.outages.get(url).since > 6.5)
            status, problem = _get(readyz)
            assert status == 503 and problem["checks"]["kafka"] == "ok"
            assert "unavailable" in problem["checks"]["database"] and conninfo_to_dict(url)["dbname"] in problem["detail"]
        assert poll_until(runner, lambda: runner.outages.get(url) is None and facts(tenants, a) == [("comune", 1)])
        assert _get(readyz)[0] == 200
    finally:
        ops.shutdown()
        runner.close()
    again = reporting_runner(tenants, settings, group)
    assert poll_records(again, 1, max_polls=6) == 0  # its offset was committed
    again.close()
    assert processed(url, group) == 1


def test_processed_events_older_than_the_dedupe_window_are_purged(tenants, settings, topic_prefix):
    url = tenants.regional_url("reporting")
    group = f"test-{uuid.uuid4().hex[:8]}"
    rows = [(group, "old", 61), (group, "recent", 59), ("another-group", "old-of-another", 61)]
    with psycopg.connect(url) as conn:
        for consumer, event_id, days in rows:
            conn.execute("INSERT INTO processed_events (consumer, event_id, event_type, topic, kafka_partition,"
                         " kafka_offset, processed_at) VALUES (%s, %s, 't', 't', 0, 0, now() - make_interval(days => %s))",
                         (consumer, event_id, days))
    runner = reporting_runner(tenants, settings, group)  # PDZ_CONSUMER_DEDUPE_DAYS: 60
    runner.targets.purge_if_due(url, time.time())
    runner.close()
    with psycopg.connect(url) as conn:
        left = sorted(r[0] for r in conn.execute("SELECT event_id FROM processed_events"))
    assert left == ["old-of-another", "recent"]
