"""The tenant-routed consumer: each event into its tenant's own database (real PostgreSQL and Kafka).

Consultation and budget have no replica tables yet, so each test creates one in
its tenants' consultation databases, with a trigger that logs every write: an
event applied twice would show as two writes even though the row is upserted.
"""
import uuid

import psycopg
import pytest

from shared.consumer.routes import TenantRoute
from shared.consumer.rows import Upsert
from shared.events.topics import retry_topic, service_topic

from tests.integration.conftest import read_topic
from tests.integration.test_consumer import (REGISTERED, dead_letters, make_runner, poll_until, processed,
                                             refusing_connections, registered, send)

REPLICA = """
CREATE TABLE test_replica (stakeholder_id uuid PRIMARY KEY, tenant text NOT NULL, name text NOT NULL,
                           source_event_id text NOT NULL);
CREATE TABLE test_replica_writes (stakeholder_id uuid NOT NULL);
CREATE FUNCTION test_replica_log() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO test_replica_writes VALUES (NEW.stakeholder_id); RETURN NEW; END $$;
CREATE TRIGGER test_replica_log AFTER INSERT OR UPDATE ON test_replica FOR EACH ROW EXECUTE FUNCTION test_replica_log();
"""


def replicate(event):
    """A test projector: a read-only replica row of the stakeholder, carrying its origin tenant."""
    return [Upsert("test_replica", key={"stakeholder_id": uuid.UUID(event.data["stakeholder_id"])},
                   values={"tenant": event.tenantid, "name": event.data["name"], "source_event_id": event.id})]


@pytest.fixture
def replicas(tenants):
    """{slug: url} of each tenant's consultation database, with the replica table."""
    urls = {slug: tenants.url_for(tenants.get(slug), "consultation") for slug in tenants.slugs()}
    for url in urls.values():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(REPLICA)
    return urls


def replica(url):
    """(rows by tenant, the most writes any one row received)."""
    with psycopg.connect(url) as conn:
        rows = dict(conn.execute("SELECT tenant, count(*) FROM test_replica GROUP BY tenant").fetchall())
        most = conn.execute("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM test_replica_writes"
                            " GROUP BY stakeholder_id) w").fetchone()[0]
    return rows, most


def routed_runner(tenants, settings, group, **kwargs):
    return make_runner(settings, group, route=TenantRoute(tenants, "consultation"), projectors={REGISTERED: replicate},
                       topics=[service_topic("registry"), retry_topic()], **kwargs)


def test_each_event_goes_to_its_tenants_database_once(tenants, settings, topic_prefix, replicas):
    a, b = tenants.slugs()
    events = [registered(a), registered(b), registered(a), registered("no-such-ambito"), registered(b)]
    send(settings, events + [events[0], events[1]])  # two duplicates
    group = f"test-{uuid.uuid4().hex[:8]}"
    runner = routed_runner(tenants, settings, group)
    assert poll_until(runner, lambda: replica(replicas[a])[0] == {a: 2} and replica(replicas[b])[0] == {b: 2})
    runner.close()
    assert replica(replicas[a]) == ({a: 2}, 1) and replica(replicas[b]) == ({b: 2}, 1)
    assert processed(replicas[a], group) == 2 and processed(replicas[b], group) == 2
    assert list(dead_letters(settings, expect=1)) == ["unknown_tenant"]


def test_a_tenant_whose_database_is_down_does_not_hold_back_the_others(tenants, settings, topic_prefix, replicas):
    up, down = tenants.slugs()
    events = [registered(slug) for _ in range(20) for slug in (up, down)]
    send(settings, events)
    group = f"test-{uuid.uuid4().hex[:8]}"
    # Small polls, so that the up tenant's events do not all fit in the first batch: they can
    # only all be applied once the down tenant's records stop holding the partitions.
    runner = routed_runner(tenants, settings, group, max_poll_records=4, tenant_retry_seconds=2.0,
                           retry_max_seconds=1.0)
    with refusing_connections(replicas[down]):
        assert poll_until(runner, lambda: replica(replicas[up])[0] == {up: 20})
        assert runner.outages.get(replicas[down]) is not None
        assert "unavailable" in runner.database_problem()
        # Every one of the down tenant's events ends up parked on the retry topic.
        assert poll_until(runner, lambda: len({r.value for r in read_topic(
            settings.kafka_bootstrap, retry_topic(), expect=20, timeout=1.0)}) == 20)
        assert replica(replicas[up]) == ({up: 20}, 1)
    # Back: the parked records are read again from the retry topic and applied, once each.
    assert poll_until(runner, lambda: replica(replicas[down])[0] == {down: 20})
    runner.close()
    assert replica(replicas[up]) == ({up: 20}, 1)
    assert replica(replicas[down]) == ({down: 20}, 1)
    assert processed(replicas[up], group) == 20 and processed(replicas[down], group) == 20
    assert runner.database_problem() is None
