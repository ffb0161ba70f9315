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
    # Listeners look for lost wake-ups once an hour here: only the NOTIFY can deliver in time.
    relay = _relay(tenants, settings, sweep_seconds=3600)
    runner = threading.Thread(target=relay.run, daemon=True)
    runner.start()
    try:
        _wait_until_ready(relay)  # LISTEN is active and the first sweep has ended
        _write_events(tenants, a, ["woken"], per_aggregate=1)
        wake_relay(PoolRegistry(), server_url=tenants.default_server, service="registry", tenant=a)
        records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=1, timeout=30)
        assert [from_kafka(r.value, r.headers).subject for r in records] == ["woken"]
    finally:
        relay.stop()
        runner.join(10)


# -- regression tests of issue 6 ------------------------------------------------------------


def _write_raw(tenants, slug, subjects_and_data):
    """One event per (subject, data), in order, in one transaction; returns their ids."""
    ids = []
    with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
        for subject, data in subjects_and_data:
            event = new_event(type="it.pdz.registry.stakeholder.updated.v1", service="registry",
                              tenant=slug, aggregate_id=subject, data=data)
            store.add_event(conn, event)
            ids.append(event.id)
    return ids


def test_a_row_kafka_refuses_is_dead_lettered_and_the_tenant_goes_on(tenants, settings, topic_prefix):
    from shared.events.topics import deadletter_topic

    a = tenants.slugs()[0]
    # 2 MB of data: over the producer's max_request_size, Kafka refuses it every time.
    _write_raw(tenants, a, [("before", {"n": 1}), ("huge", {"blob": "x" * 2_000_000}),
                            ("after", {"n": 2})])
    relay = _relay(tenants, settings)
    relay.sweep()
    relay.sweep()
    assert _backlog(tenants, a) == 0, "the refused row must not block the rows after it"
    records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=2)
    assert sorted(from_kafka(r.value, r.headers).subject for r in records) == ["after", "before"]
    dead = read_topic(settings.kafka_bootstrap, deadletter_topic(), expect=1)
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert b"too large" in headers["pdz_dlq_reason"].lower() or b"toolarge" in headers["pdz_dlq_reason"].lower()
    assert headers["ce_subject"] == b"huge"
    with psycopg.connect(tenants.url_for(tenants.get(a), "registry")) as conn:
        row = conn.execute("SELECT dead_lettered_at IS NOT NULL, last_error FROM outbox"
                           " WHERE subject = 'huge'").fetchone()
    assert row[0] and row[1]


class _ProbingProducer:
    """The real producer; at every flush it notes what the tenant database looks like."""

    def __init__(self, producer, dsn, dbname):
        self.producer, self.dsn, self.dbname = producer, dsn, dbname
        self.seen = []

    def __getattr__(self, name):
        return getattr(self.producer, name)

    def flush(self, *args, **kwargs):
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            in_transaction = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                " AND state LIKE 'idle in transaction%%'", (self.dbname,)).fetchone()[0]
            locked = conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s AND l.objid = %s",
                (self.dbname, store.RELAY_LOCK_KEY)).fetchone()[0]
        self.seen.append((in_transaction, locked))
        return self.producer.flush(*args, **kwargs)


def test_no_transaction_stays_open_while_kafka_acknowledges(tenants, settings, topic_prefix):
    a = tenants.slugs()[0]
    _write_events(tenants, a, ["acked"], per_aggregate=3)
    producer = _ProbingProducer(idempotent_producer(settings.kafka_bootstrap, client_id="test-relay"),
                                tenants.default_server, tenants.get(a).database_name("registry"))
    relay = Relay(service="registry", catalogue=tenants, pools=PoolRegistry(max_per_pool=1),
                  producer=producer, batch_size=50)
    assert relay.drain(a) == 3
    assert producer.seen, "the relay flushed"
    assert all(in_tx == 0 for in_tx, _ in producer.seen), "a transaction was open during the flush"
    assert all(locked == 1 for _, locked in producer.seen), "the tenant must stay locked while sending"


def test_listeners_are_per_maintenance_database_not_per_host_and_port(catalogue_factory, settings, topic_prefix):
    """Two "servers" on one host:port that differ in maintenance database: both are listened to."""
    import threading
    import time

    from psycopg import sql

    from shared.cli.provision import provision
    from shared.outbox.wake import wake_relay
    from shared.tenants import Catalogue, Tenant, database_url
    from tests.conftest import random_slug

    maintenance = f"maint_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(settings.database_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(maintenance)))
    try:
        second_server = database_url(settings.database_url, maintenance)
        a, b = random_slug("a"), random_slug("b")
        catalogue = Catalogue([Tenant(slug=a, name="A", region="r"),
                               Tenant(slug=b, name="B", region="r", databases={"registry": second_server})],
                              settings.database_url)
        provision(catalogue, report=lambda *_: None)
        relay = Relay(service="registry", catalogue=catalogue, pools=PoolRegistry(max_per_pool=1),
                      producer=idempotent_producer(settings.kafka_bootstrap, client_id="test-relay"),
                      sweep_seconds=3600)
        runner = threading.Thread(target=relay.run, daemon=True)
        runner.start()
        try:
            _wait_until_ready(relay)
            _write_raw(catalogue, b, [("second-server", {})])
            wake_relay(PoolRegistry(), server_url=second_server, service="registry", tenant=b)
            records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=1, timeout=15)
            assert [from_kafka(r.value, r.headers).subject for r in records] == ["second-server"]
        finally:
            relay.stop()
            runner.join(10)
            relay.pools.close()
    finally:
        with psycopg.connect(settings.database_url, autocommit=True) as admin:
            for db in [maintenance] + [t.database_name(s) for t in catalogue for s in ("registry", "consultation", "budget")] + [catalogue.regional_databases.get("reporting", "")]:
                if db and db != "reporting":
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))


def _wait_until_ready(relay):
    assert relay.ready.wait(30), "the relay never became ready (listening, first sweep done)"


def _wait_for_watches(relay, count):
    """Until every listener has looked at pg_stat_database `count` more times."""
    import time
    targets = [listener.watches + count for listener in relay.listeners]
    deadline = time.monotonic() + 60
    while any(listener.watches < target for listener, target in zip(relay.listeners, targets)):
        assert time.monotonic() < deadline, "the listeners stopped watching"
        relay.stopping.wait(0.05)


def _sessions(conn, dbnames):
    conn.execute("SELECT pg_stat_clear_snapshot()")
    return conn.execute("SELECT coalesce(sum(sessions), 0) FROM pg_stat_database WHERE datname = ANY(%s)",
                        (dbnames,)).fetchone()[0]


def test_an_idle_relay_opens_no_tenant_connections(tenants, settings, topic_prefix):
    """With fewer pools than tenants, the old sweep reconnected to every tenant every few seconds."""
    import threading
    import time

    dbnames = [t.database_name("registry") for t in tenants]
    for tenant in tenants:
        # What autovacuum would otherwise analyse in a minute (the catalogs the migrations
        # filled): its pg_statistic rows move tup_inserted, a legitimate reason to drain.
        with psycopg.connect(tenants.url_for(tenant, "registry"), autocommit=True) as conn:
            conn.execute("ANALYZE")
    relay = Relay(service="registry", catalogue=tenants, pools=PoolRegistry(max_per_pool=1, max_pools=1),
                  producer=idempotent_producer(settings.kafka_bootstrap, client_id="test-relay"),
                  sweep_seconds=0.2)
    runner = threading.Thread(target=relay.run, daemon=True)
    runner.start()
    try:
        _wait_until_ready(relay)
        _wait_for_watches(relay, 10)  # late statistics of the set-up have been looked at
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            time.sleep(1.5)  # PostgreSQL publishes a session count up to a second after the connect
            before = _sessions(conn, dbnames)
            _wait_for_watches(relay, 15)  # idle: 15 looks for lost wake-ups, 3 s at 0.2 s
            # Not a synchronisation with the relay: PostgreSQL publishes a backend's
            # session count up to a second after it connected.
            time.sleep(1.5)
            after = _sessions(conn, dbnames)
        assert after == before, f"an idle relay opened {after - before} tenant connections"
    finally:
        relay.stop()
        runner.join(10)


def test_the_rows_of_every_woken_tenant_share_one_flush(tenants, settings, topic_prefix):
    a, b = tenants.slugs()
    _write_events(tenants, a, ["one", "two"], per_aggregate=3)
    _write_events(tenants, b, ["three"], per_aggregate=4)
    producer = _ProbingProducer(idempotent_producer(settings.kafka_bootstrap, client_id="test-relay"),
                                tenants.default_server, tenants.get(a).database_name("registry"))
    relay = Relay(service="registry", catalogue=tenants, pools=PoolRegistry(max_per_pool=1),
                  producer=producer, batch_size=50)
    assert relay.sweep() == 10
    assert len(producer.seen) == 1, f"{len(producer.seen)} flushes for two tenants' rows"
    records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=10)
    for slug, subject, count in ((a, "one", 3), (a, "two", 3), (b, "three", 4)):
        events = [from_kafka(r.value, r.headers) for r in records]
        assert [e.data["n"] for e in events if e.tenantid == slug and e.subject == subject] == list(range(count))


def test_a_lost_wake_up_is_published_by_the_next_look_at_the_statistics(tenants, settings, topic_prefix):
    """The API died between its commit and its NOTIFY: no full sweep is due for an hour."""
    import threading

    a = tenants.slugs()[0]
    relay = _relay(tenants, settings, sweep_seconds=0.2, full_sweep_seconds=3600)
    runner = threading.Thread(target=relay.run, daemon=True)
    runner.start()
    try:
        _wait_until_ready(relay)
        _write_events(tenants, a, ["never-notified"], per_aggregate=1)
        records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=1, timeout=30)
        assert [from_kafka(r.value, r.headers).subject for r in records] == ["never-notified"]
    finally:
        relay.stop()
        runner.join(10)


def test_the_operations_port_says_what_is_wrong(tenants, settings, topic_prefix):
    import json
    import socket
    import threading
    import urllib.error
    import urllib.request

    from shared.ops import serve_ops

    with socket.socket() as s:  # a port nobody listens on, standing for a Kafka that is down
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    relay = _relay(tenants, settings, kafka_bootstrap=f"127.0.0.1:{dead_port}")
    server = serve_ops(port=0, addr="127.0.0.1", live={"loop": relay.heartbeat.check},
                       ready={"kafka": relay.check_kafka, "database": relay.check_database,
                              "progress": relay.check_progress})
    base = f"http://127.0.0.1:{server.server_address[1]}"
    runner = threading.Thread(target=relay.run, daemon=True)
    runner.start()
    try:
        _wait_until_ready(relay)
        assert urllib.request.urlopen(f"{base}/livez", timeout=5).status == 200
        try:
            urllib.request.urlopen(f"{base}/readyz", timeout=5)
            raise AssertionError("/readyz answered 200 with Kafka unreachable")
        except urllib.error.HTTPError as exc:
            status, body = exc.code, json.loads(exc.read())
        assert status == 503
        assert body["checks"]["kafka"] != "ok" and str(dead_port) in body["checks"]["kafka"]
        assert body["checks"]["database"] == "ok" and body["checks"]["loop"] == "ok"
        metrics = urllib.request.urlopen(f"{base}/metrics", timeout=5).read().decode()
        for name in ("pdz_relay_backlog", "pdz_relay_lag_seconds", "pdz_relay_last_progress_timestamp_seconds",
                     "pdz_relay_published_total", "pdz_relay_deadlettered_total", "pdz_relay_errors_total"):
            assert name in metrics
    finally:
        relay.stop()
        runner.join(10)
        server.shutdown()


def test_rows_for_a_topic_kafka_does_not_know_wait_without_holding_up_other_tenants(tenants, settings, topic_prefix):
    a, b = tenants.slugs()
    _write_raw(tenants, a, [("lost-topic", {})])
    with psycopg.connect(tenants.url_for(tenants.get(a), "registry")) as conn:
        conn.execute("UPDATE outbox SET topic = %s", (f"{topic_prefix}.nowhere.v1",))
    _write_raw(tenants, a, [("after-lost-topic", {})])
    _write_raw(tenants, b, [("elsewhere", {})])
    relay = _relay(tenants, settings, topic_wait_seconds=1.0)
    assert relay.sweep() == 1
    assert _backlog(tenants, a) == 2, "the row waits for its topic, and the tenant's later rows behind it"
    assert _backlog(tenants, b) == 0
    assert "nowhere" in (relay.check_kafka() or "")
    with psycopg.connect(tenants.url_for(tenants.get(a), "registry")) as conn:
        assert conn.execute("SELECT max(attempts) FROM outbox").fetchone()[0] == 0, "a missing topic is not the row's fault"


def test_a_listener_that_reconnects_sweeps_its_tenants(tenants, settings, topic_prefix):
    """Whatever was committed while the listener was away is published without a NOTIFY."""
    import threading

    a = tenants.slugs()[0]
    relay = _relay(tenants, settings, sweep_seconds=3600, full_sweep_seconds=3600, retry_seconds=0.2)
    runner = threading.Thread(target=relay.run, daemon=True)
    runner.start()
    try:
        _wait_until_ready(relay)
        [listener] = relay.listeners
        _write_events(tenants, a, ["while-away"], per_aggregate=1)  # no NOTIFY, no look for an hour
        with psycopg.connect(settings.database_url, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (listener.backend_pid,)).fetchone()[0]
        records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=1, timeout=30)
        assert [from_kafka(r.value, r.headers).subject for r in records] == ["while-away"]
        assert listener.connections == 2
    finally:
        relay.stop()
        runner.join(10)


def test_two_replicas_publish_everything_once_in_order_per_aggregate(tenants, settings, topic_prefix):
    import threading

    from shared.outbox.wake import wake_relay

    a, b = tenants.slugs()
    replicas = [_relay(tenants, settings, batch_size=7) for _ in range(2)]
    runners = [threading.Thread(target=r.run, daemon=True) for r in replicas]
    for runner in runners:
        runner.start()
    try:
        for replica in replicas:
            _wait_until_ready(replica)
        waker = PoolRegistry()
        for round_ in range(20):
            for slug in (a, b):
                with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
                    for n in range(round_ * 5, round_ * 5 + 5):
                        for aggregate in ("p", "q"):
                            store.add_event(conn, new_event(
                                type="it.pdz.registry.stakeholder.updated.v1", service="registry",
                                tenant=slug, aggregate_id=aggregate, data={"n": n}))
                wake_relay(waker, server_url=tenants.default_server, service="registry", tenant=slug)
        records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=400, timeout=60)
    finally:
        for replica in replicas:
            replica.stop()
        for runner in runners:
            runner.join(10)
    events = [from_kafka(r.value, r.headers) for r in records]
    for slug in (a, b):
        for aggregate in ("p", "q"):
            first_seen = []
            for event in events:
                if event.tenantid == slug and event.subject == aggregate and event.data["n"] not in first_seen:
                    first_seen.append(event.data["n"])
            assert first_seen == list(range(100)), f"{slug}/{aggregate} out of order or incomplete"
    assert _backlog(tenants, a) == _backlog(tenants, b) == 0
