"""The consumer runner against the real PostgreSQL and Kafka."""
import uuid

import psycopg

from shared.consumer.runner import ConsumerRunner, Rejected
from shared.events.envelope import new_event, to_kafka
from shared.events.topics import deadletter_topic, service_topic
from shared.kafka.clients import idempotent_producer, manual_commit_consumer

from services.reporting.projector import project
from tests.integration.conftest import read_topic


def _registered(tenant, type_="comune"):
    sid = str(uuid.uuid4())
    return new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=tenant,
                     aggregate_id=sid, data={"stakeholder_id": sid, "name": "Comune di Nemoli", "type": type_,
                                             "runts_section": None, "registered_at": "2026-02-01T09:00:00+00:00"})


def _runner(tenants, settings, group):
    url = tenants.regional_url("reporting")

    def known(event):
        if tenants.get(event.tenantid) is None:
            raise Rejected(f"unknown tenant {event.tenantid!r}")

    return ConsumerRunner(
        name=group,
        consumer=manual_commit_consumer(settings.kafka_bootstrap, group_id=group,
                                        topics=[service_topic("registry")]),
        producer=idempotent_producer(settings.kafka_bootstrap, client_id=f"{group}-dlq"),
        connect=lambda: psycopg.connect(url, autocommit=True), projector=project, validate=known)


def _run_until(runner, handled: int, max_polls: int = 60) -> int:
    seen = 0
    for _ in range(max_polls):
        seen += runner.poll_once(timeout_ms=500)
        if seen >= handled:
            break
    return seen


def _facts(tenants, slug):
    with psycopg.connect(tenants.regional_url("reporting")) as conn:
        return conn.execute("SELECT type, count(*) FROM stakeholder_facts WHERE tenant = %s GROUP BY type",
                            (slug,)).fetchall()


def test_projects_once_dead_letters_the_bad_and_goes_on(tenants, settings, topic_prefix):
    a, b = tenants.slugs()
    producer = idempotent_producer(settings.kafka_bootstrap, client_id="test-producer")
    topic = service_topic("registry")
    first, second, other = _registered(a), _registered(a, "school"), _registered(b)
    key, value, headers = to_kafka(first)
    producer.send(topic, key=key, value=value, headers=headers)
    producer.send(topic, key=key, value=value, headers=headers)             # duplicate delivery
    producer.send(topic, key=b"junk", value=b"{not json", headers=[("ce_type", b"x")])  # malformed
    unknown = _registered("no-such-ambito")
    k, v, h = to_kafka(unknown)
    producer.send(topic, key=k, value=v, headers=h)                          # tenant not in catalogue
    missing = _registered(a)
    del missing.data["type"]
    k, v, h = to_kafka(missing)
    producer.send(topic, key=k, value=v, headers=h)                          # schema violation
    for event in (second, other):
        k, v, h = to_kafka(event)
        producer.send(topic, key=k, value=v, headers=h)
    producer.flush()

    group = f"test-{uuid.uuid4().hex[:8]}"
    runner = _runner(tenants, settings, group)
    assert _run_until(runner, 7) == 7
    runner.close()

    assert sorted(_facts(tenants, a)) == [("comune", 1), ("school", 1)]
    assert _facts(tenants, b) == [("comune", 1)]

    dead = read_topic(settings.kafka_bootstrap, deadletter_topic(), expect=3)
    reasons = [dict(r.headers)["pdz_dlq_reason"].decode() for r in dead]
    assert len(dead) == 3
    assert any("EnvelopeError" in r for r in reasons)
    assert any("unknown tenant" in r for r in reasons)
    assert any("KeyError" in r and "type" in r for r in reasons)
    assert all(dict(r.headers)["pdz_dlq_origin"].decode().startswith(topic) for r in dead)

    # Offsets were committed: a new runner of the same group has nothing left to do.
    again = _runner(tenants, settings, group)
    assert _run_until(again, 1, max_polls=6) == 0
    again.close()
    with psycopg.connect(tenants.regional_url("reporting")) as conn:
        processed = conn.execute("SELECT count(*) FROM processed_events WHERE consumer = %s", (group,)).fetchone()[0]
    assert processed == 3


def test_updates_are_projected_and_an_older_snapshot_never_wins(tenants, settings, topic_prefix):
    from services.reporting.statistics import stakeholders_by_type

    a = tenants.slugs()[0]
    registered = _registered(a, "ets")
    registered.data.update(runts_section="b", status="active", version=1)
    sid = registered.data["stakeholder_id"]

    def updated(version, status):
        return new_event(type="it.pdz.registry.stakeholder.updated.v1", service="registry", tenant=a,
                         aggregate_id=sid, data={**registered.data, "status": status, "version": version,
                                                 "changed": ["status"], "updated_at": "2026-03-01T00:00:00+00:00"})

    producer = idempotent_producer(settings.kafka_bootstrap, client_id="test-producer")
    for event in (registered, updated(2, "suspended"), updated(1, "active")):  # the last one is stale
        k, v, h = to_kafka(event)
        producer.send(service_topic("registry"), key=k, value=v, headers=h)
    producer.flush()
    runner = _runner(tenants, settings, f"test-{uuid.uuid4().hex[:8]}")
    assert _run_until(runner, 3) == 3
    runner.close()
    with psycopg.connect(tenants.regional_url("reporting")) as conn:
        stats = stakeholders_by_type(conn=conn, tenant=a)
    assert stats == {"tenant": a, "total": 0, "by_type": {}, "by_status": {"suspended": 1}, "by_runts_section": {}}
