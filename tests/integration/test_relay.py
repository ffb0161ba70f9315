"""The outbox relay against the real PostgreSQL and Kafka."""
import uuid

import psycopg

from shared.db.pools import PoolRegistry
from shared.events.envelope import from_kafka, new_event
from shared.events.topics import service_topic
from shared.kafka.clients import idempotent_producer
from shared.outbox import store
from shared.outbox.relay import Relay
from tests.integration.conftest import read_topic


def _write_events(tenants, slug, aggregates, per_aggregate):
    """Interleaved events of several aggregates, each numbered, in one transaction."""
    with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
        for n in range(per_aggregate):
            for aggregate in aggregates:
                store.add_event(conn, new_event(type="it.pdz.registry.stakeholder.updated.v1",
                                                service="registry", tenant=slug,
                                                aggregate_id=aggregate, data={"n": n}))


def _relay(tenants, settings, **kwargs):
    return Relay(service="registry", catalogue=tenants, pools=PoolRegistry(max_per_pool=1),
                 producer=idempotent_producer(settings.kafka_bootstrap, client_id="test-relay"),
                 batch_size=kwargs.pop("batch_size", 50), **kwargs)


def _backlog(tenants, slug):
    with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
        return store.backlog(conn)


def test_sweep_publishes_every_tenant_in_order_with_the_envelope(tenants, settings, topic_prefix):
    a, b = tenants.slugs()
    aggregates = [str(uuid.uuid4()) for _ in range(3)]
    _write_events(tenants, a, aggregates, per_aggregate=40)   # 120 events, 3 batches of 50
    _write_events(tenants, b, aggregates[:1], per_aggregate=5)
    relay = _relay(tenants, settings)
    assert relay.sweep() == 125
    assert _backlog(tenants, a) == _backlog(tenants, b) == 0
    assert relay.sweep() == 0  # nothing published twice by a healthy relay

    records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=125)
    events = [(r.key.decode(), from_kafka(r.value, r.headers)) for r in records]
    assert len(events) == 125
    assert {e.tenantid for _k, e in events} == {a, b}
    for key, event in events:
        assert key == f"{event.tenantid}/{event.subject}"
    for aggregate in aggregates:
        numbers = [e.data["n"] for _k, e in events if e.subject == aggregate and e.tenantid == a]
        assert numbers == list(range(40)), "one aggregate's events must keep their order"


def test_a_tenant_being_drained_by_another_relay_is_skipped(tenants, settings, topic_prefix):
    a = tenants.slugs()[0]
    _write_events(tenants, a, ["x"], per_aggregate=3)
    with psycopg.connect(tenants.url_for(tenants.get(a), "registry")) as other_replica:
        assert store.lock_for_relay(other_replica)
        assert _relay(tenants, settings).drain(a) == 0
    assert _relay(tenants, settings).drain(a) == 3


def test_a_tenant_without_a_database_does_not_stop_the_others(tenants, settings, topic_prefix, catalogue_factory):
    a = tenants.slugs()[0]
    _write_events(tenants, a, ["y"], per_aggregate=2)
    # Same databases, plus one tenant that was never provisioned.
    from shared.tenants import Catalogue, Tenant
    broken = Catalogue(list(tenants) + [Tenant(slug="never-provisioned", name="x", region="y")],
                       tenants.default_server)
    relay = _relay(broken, settings)
    assert relay.sweep() == 2


def test_published_rows_are_purged_after_the_retention_only(tenants, settings, topic_prefix):
    a = tenants.slugs()[0]
    _write_events(tenants, a, ["old", "new"], per_aggregate=1)
    relay = _relay(tenants, settings)
    assert relay.sweep() == 2
    with psycopg.connect(tenants.url_for(tenants.get(a), "registry")) as conn:
        conn.execute("UPDATE outbox SET published_at = now() - interval '8 days' WHERE subject = 'old'")
    assert relay.purge() == 1
    with psycopg.connect(tenants.url_for(tenants.get(a), "registry")) as conn:
        assert [r[0] for r in conn.execute("SELECT subject FROM outbox")] == ["new"]


def test_a_wake_up_publishes_without_waiting_for_a_sweep(tenants, settings, topic_prefix):
    import threading

    from shared.outbox.wake import wake_relay

    a = tenants.slugs()[0]
    relay = _relay(tenants, settings, sweep_seconds=3600)
    runner = threading.Thread(target=relay.run, daemon=True)
    runner.start()
    try:
        import time
        deadline = time.monotonic() + 30
        while relay.wakeups.qsize() or not any(t.name.startswith("relay-listen") for t in threading.enumerate()):
            time.sleep(0.05)
            assert time.monotonic() < deadline
        time.sleep(1.0)  # the listener is connected and its first sweep has run
        _write_events(tenants, a, ["woken"], per_aggregate=1)
        wake_relay(PoolRegistry(), server_url=tenants.default_server, service="registry", tenant=a)
        records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=1, timeout=30)
        assert [from_kafka(r.value, r.headers).subject for r in records] == ["woken"]
    finally:
        relay.stop()
        runner.join(10)
