"""Backfill (issue 9, item 3) on the real PostgreSQL and Kafka: a replica built only from re-published
snapshots equals the owner's register as it stands, and a second backfill changes nothing.

The organisations are made with the registry's service functions (their ordinary events written to the
outbox as always); those events are then marked published without ever reaching the test's topics, as
if they had left Kafka's retention years ago. So the consultation replica can only come from the
re-publication: registry outbox -> real relay -> Kafka -> the consultation consumer's projectors.
"""
import os
import subprocess
import sys
import uuid
from datetime import date

import psycopg
import pytest
from stdnum import luhn

from shared.consumer.routes import TenantRoute
from shared.events.envelope import from_kafka
from shared.events.topics import service_topic
from shared.outbox import store
from shared.outbox.republish import republish
from shared.sharing import Share, Sharing

from services.consultation.projectors import PROJECTORS
from services.registry.profile import service as profile_service
from services.registry.republish import BUILDERS
from services.registry.stakeholders import service as stakeholders
from tests.integration.conftest import read_topic
from tests.integration.test_consumer import make_runner, poll_until, processed
from tests.integration.test_relay import _relay

N = 23  # with pages of 5: four full pages and a short one
TYPES = ("ets", "social_cooperative", "comune", "trade_union")
OWNER = "SELECT id, name, type, runts_section, seat_istat, areas, status, version FROM stakeholders ORDER BY id"
REPLICA = ("SELECT organisation_id, name, type, runts_section, seat_istat, areas, status, version"
           " FROM organisations WHERE origin = %s ORDER BY organisation_id")


def partita_iva(n: int) -> str:
    """A valid, fictitious partita IVA: serial, office 076, Luhn check digit."""
    body = f"{n:07d}076"
    return body + luhn.calc_check_digit(body)


def rows(url, query, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture
def owner(tenants):
    """Tenant a's register: N organisations, some changed since (versions 2 and 3), events long gone."""
    a = tenants.slugs()[0]
    url = tenants.url_for(tenants.get(a), "registry")
    with psycopg.connect(url) as conn:
        made = [stakeholders.register_stakeholder(
            conn=conn, tenant=a, by="test", name=f"Organizzazione di prova {n}", type=TYPES[n % 4],
            tax_code=partita_iva(n + 1), runts_section="b" if TYPES[n % 4] == "ets" else None,
            seat_istat="076042", areas=[str(n % 5 + 1)]) for n in range(N)]
        for row in made[::3]:
            stakeholders.update_stakeholder(conn=conn, tenant=a, by="test", stakeholder_id=row["id"], version=1,
                                            changes={"areas": ["1", "7"], "name": f"{row['name']} ETS"})
        for row in made[::6]:
            stakeholders.update_stakeholder(conn=conn, tenant=a, by="test", stakeholder_id=row["id"], version=2,
                                            changes={"status": "withdrawn"})
        # As if Kafka's retention had removed them: nothing of the ordinary events will ever be read.
        conn.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
    return a, url


def backfill(tenants, settings, a, url, data="registry.stakeholders"):
    with psycopg.connect(url) as conn:
        done = republish(conn, BUILDERS[data], tenant=a, data=data, batch_size=5)
    assert _relay(tenants, settings).sweep() == done.events
    return done


def test_a_replica_built_by_backfill_equals_the_owners_register(tenants, settings, topic_prefix, owner):
    a, url = owner
    group = f"test-backfill-{uuid.uuid4().hex[:8]}"
    runner = make_runner(settings, group, route=TenantRoute(tenants, "consultation"), projectors=PROJECTORS,
                         topics=[service_topic("registry")])
    replica = tenants.url_for(tenants.get(a), "consultation")
    try:
        done = backfill(tenants, settings, a, url)
        assert (done.events, done.transactions) == (N, 5)
        assert poll_until(runner, lambda: len(rows(replica, REPLICA, a)) == N)
        expected = rows(url, OWNER)
        assert [v for v, in rows(url, "SELECT DISTINCT version FROM stakeholders ORDER BY 1")] == [1, 2, 3]
        assert rows(replica, REPLICA, a) == expected   # ids, names, types, sections, seats, areas, status, version
        assert sorted(rows(replica, "SELECT organisation_id, version, status FROM organisation_statuses")) == \
            sorted((i, v, s) for i, _n, _t, _r, _s, _a, s, v in expected)

        # Every record on Kafka is a snapshot marked as a replay, keyed by its aggregate, `changed` empty.
        records = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=N)
        events = [from_kafka(r.value, r.headers) for r in records]
        assert len(events) == N and all(e.replay for e in events)
        assert {e.type for e in events} == {"it.pdz.registry.stakeholder.updated.v1"}
        assert all(e.data["changed"] == [] for e in events)
        assert {r.key.decode() for r in records} == {f"{a}/{i}" for i, *_ in expected}

        # Again: new events, read and recorded as processed, and the replica is exactly what it was.
        before = rows(replica, "SELECT * FROM organisations ORDER BY organisation_id")
        backfill(tenants, settings, a, url)
        assert poll_until(runner, lambda: processed(replica, group) == 2 * N)
        assert rows(replica, "SELECT * FROM organisations ORDER BY organisation_id") == before
    finally:
        runner.close()



def test_a_share_declared_today_gets_the_whole_register_by_backfill(tenants, settings, topic_prefix, owner):
    a, url = owner
    b = tenants.slugs()[1]
    sharing = Sharing([Share(origin=a, to=b, data=("registry.stakeholders",))])
    group = f"test-backfill-{uuid.uuid4().hex[:8]}"
    runner = make_runner(settings, group, route=TenantRoute(tenants, "consultation", sharing), projectors=PROJECTORS,
                         topics=[service_topic("registry")])
    receiver = tenants.url_for(tenants.get(b), "consultation")
    try:
        backfill(tenants, settings, a, url)
        assert poll_until(runner, lambda: len(rows(receiver, REPLICA, a)) == N)
        # B's replica of A's register, marked with A as its origin, equals A's register as it stands.
        assert rows(receiver, REPLICA, a) == rows(url, OWNER)
        assert rows(receiver, "SELECT count(*) FROM organisations WHERE origin <> %s", a) == [(0,)]
    finally:
        runner.close()

def test_the_profile_is_backfilled_as_it_stands(tenants, settings, topic_prefix):
    a = tenants.slugs()[0]
    url = tenants.url_for(tenants.get(a), "registry")
    with psycopg.connect(url) as conn:
        assert republish(conn, BUILDERS["registry.profile"], tenant=a, data="registry.profile").events == 0
        profile_service.save_profile(
            conn=conn, tenant=a, tenant_region="basilicata", region_name="Regione Basilicata",
            expected_version=None, create_only=False, region=None, name="Ambito di prova",
            capofila_istat="076042", ente_gestore=None, asl_district=None,
            comuni=[{"istat_code": "076042", "population": 12500, "population_date": date(2025, 1, 1)}])
        conn.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
    done = backfill(tenants, settings, a, url, data="registry.profile")
    assert done.events == 1
    [record] = read_topic(settings.kafka_bootstrap, service_topic("registry"), expect=1)
    event = from_kafka(record.value, record.headers)
    assert event.replay and event.type == "it.pdz.registry.profile.updated.v1"
    assert record.key.decode() == f"{a}/profile"
    with psycopg.connect(url) as conn:
        current = profile_service.get_profile(conn=conn)
    assert (event.data["name"], event.data["version"], event.data["total_population"]) == \
        (current["name"], current["version"], current["total_population"])
    assert [c["istat_code"] for c in event.data["comuni"]] == ["076042"]


def test_the_command_writes_marked_snapshots_for_the_relay(tenants, tmp_path, owner):
    a, url = owner
    env = {**os.environ, "PDZ_TENANTS_FILE": str(tmp_path / "tenants.yaml")}
    command = [sys.executable, "-m", "shared.cli.main", "republish", "--service", "registry", "--tenant", a,
               "--data", "registry.stakeholders", "--data", "registry.profile", "--batch-size", "10"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"registry.stakeholders: {N} snapshot events of {a} written to the outbox in 3 transactions" \
        in result.stdout
    assert "registry.profile: 0 snapshot events" in result.stdout   # no profile saved: nothing to send
    with psycopg.connect(url) as conn:
        pending = store.pending(conn, limit=100)
    assert len(pending) == N and all(p.event.replay for p in pending)
    unknown = subprocess.run([*command[:7], "nobody-here", "--data", "registry.stakeholders"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert unknown.returncode != 0 and "unknown tenant" in unknown.stdout + unknown.stderr
