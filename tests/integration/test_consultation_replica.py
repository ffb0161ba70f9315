"""Consultation's replicas of the register and the territory, fed by the real consumer from real Kafka
into each tenant's own consultation database (real PostgreSQL).

Events are produced on the test's own topics (random PDZ_TOPIC_PREFIX) with the shared envelope; the
consumer runs in-process with the service's projectors and the tenant route, as
pdz-consultation-consumer does (a fresh consumer group per test).
"""
import uuid

import psycopg
import pytest

from shared.consumer.routes import TenantRoute
from shared.events.envelope import new_event
from shared.events.topics import retry_topic, service_topic

from services.consultation.members import domain
from services.consultation.projectors import PROJECTORS
from tests.integration.test_consumer import dead_letters, make_runner, poll_until, processed, send

REGISTERED = "it.pdz.registry.stakeholder.registered.v1"
UPDATED = "it.pdz.registry.stakeholder.updated.v1"
PROFILE = "it.pdz.registry.profile.updated.v1"


class Org:
    """One organisation of one Ambito's register, as the registry's events describe it."""

    def __init__(self, tenant, name="APS Borghi Solidali", areas=("3",)):
        self.tenant, self.id = tenant, str(uuid.uuid4())
        self.snapshot = {"stakeholder_id": self.id, "name": name, "type": "ets", "runts_section": "b",
                         "runts_number": "RUNTS-1", "seat_istat": "076042", "areas": list(areas)}

    def registered(self):
        return new_event(type=REGISTERED, service="registry", tenant=self.tenant, aggregate_id=self.id,
                         data={**self.snapshot, "status": "active", "version": 1,
                               "registered_at": "2026-03-01T09:00:00+00:00"})

    def updated(self, version, status, **changes):
        return new_event(type=UPDATED, service="registry", tenant=self.tenant, aggregate_id=self.id,
                         data={**self.snapshot, **changes, "status": status, "version": version,
                               "changed": ["status", *changes], "updated_at": f"2026-03-{version:02d}T12:00:00+00:00"})


def comune(code, name, population):
    return {"istat_code": code, "name": name, "province": "PZ", "population": population,
            "population_date": "2025-01-01"}


LAURIA, NEMOLI, RIVELLO = comune("076042", "Lauria", 12500), comune("076052", "Nemoli", 1500), \
    comune("076066", "Rivello", 2700)


def profile(tenant, version, comuni):
    return new_event(type=PROFILE, service="registry", tenant=tenant, aggregate_id="profile", data={
        "name": f"Ambito {tenant}", "region": "basilicata", "comuni": comuni,
        "total_population": sum(c["population"] for c in comuni), "capofila_istat": comuni[0]["istat_code"],
        "ente_gestore": None, "asl_district": None, "version": version,
        "updated_at": f"2026-02-{version:02d}T08:00:00+00:00"})


@pytest.fixture
def replica(tenants, settings, topic_prefix):
    """(runner, {slug: consultation database url}, group): the consultation consumer of this test."""
    group = f"test-consultation-{uuid.uuid4().hex[:8]}"
    runner = make_runner(settings, group, route=TenantRoute(tenants, "consultation"), projectors=PROJECTORS,
                         topics=[service_topic("registry"), retry_topic()])
    urls = {slug: tenants.url_for(tenants.get(slug), "consultation") for slug in tenants.slugs()}
    yield runner, urls, group
    runner.close()


def rows(url, sql, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def organisation(url, org):
    found = rows(url, "SELECT origin, name, status, version, areas, runts_section, seat_istat, source_event_id"
                      " FROM organisations WHERE organisation_id = %s", org.id)
    return found[0] if found else None


def statuses(url, org):
    return rows(url, "SELECT version, status FROM organisation_statuses WHERE organisation_id = %s ORDER BY version",
                org.id)


def test_each_tenants_organisations_go_to_its_own_database_with_their_origin(tenants, settings, replica):
    runner, urls, group = replica
    a, b = tenants.slugs()
    in_a = [Org(a, "ODV Amici del Pollino", areas=("3", "5")), Org(a, "APS Borghi Solidali", areas=())]
    in_b = Org(b, "Cooperativa Sociale Il Sentiero")
    events = [o.registered() for o in in_a] + [in_b.registered()]
    send(settings, events)
    assert poll_until(runner, lambda: all(organisation(urls[a], o) for o in in_a) and organisation(urls[b], in_b))
    assert organisation(urls[a], in_a[0])[:6] == (a, "ODV Amici del Pollino", "active", 1, ["3", "5"], "b")
    assert organisation(urls[a], in_a[1])[4] == []
    assert organisation(urls[b], in_b)[0] == b
    # Nothing crosses: b's organisation is not in a's database, nor a's in b's.
    assert organisation(urls[a], in_b) is None and organisation(urls[b], in_a[0]) is None
    assert processed(urls[a], group) == 2 and processed(urls[b], group) == 1


def test_a_duplicate_changes_nothing_and_is_processed_once(tenants, settings, replica):
    runner, urls, group = replica
    a = tenants.slugs()[0]
    org = Org(a)
    first, suspended = org.registered(), org.updated(2, "suspended")
    send(settings, [first, suspended])
    assert poll_until(runner, lambda: (organisation(urls[a], org) or [None] * 3)[2] == "suspended")
    # The registration again (a redelivery), then a new event as a marker that everything before it was read.
    marker = Org(a)
    send(settings, [first, marker.registered()])
    assert poll_until(runner, lambda: organisation(urls[a], marker) is not None)
    assert organisation(urls[a], org)[2:4] == ("suspended", 2)
    assert organisation(urls[a], org)[7] == suspended.id
    assert processed(urls[a], group) == 3   # registration, suspension, marker: the duplicate is not recorded twice


def test_out_of_order_snapshots_keep_the_newest_and_the_whole_status_history(tenants, settings, replica):
    runner, urls, _ = replica
    a = tenants.slugs()[0]
    org = Org(a)
    # The withdrawal arrives first, then the older registration and suspension, all in one batch.
    send(settings, [org.updated(3, "withdrawn"), org.registered(), org.updated(2, "suspended", name="APS Vecchia")])
    assert poll_until(runner, lambda: len(statuses(urls[a], org)) == 3)
    assert organisation(urls[a], org)[1:4] == ("APS Borghi Solidali", "withdrawn", 3)
    assert statuses(urls[a], org) == [(1, "active"), (2, "suspended"), (3, "withdrawn")]
    # What tables will read: a membership taken at version 1 ended, whatever the arrival order.
    assert domain.membership_state(joined_version=1, history=statuses(urls[a], org),
                                   status="withdrawn") == domain.ENDED


def test_suspension_then_withdrawal_take_effect_one_after_the_other(tenants, settings, replica):
    runner, urls, _ = replica
    a = tenants.slugs()[0]
    org = Org(a)

    def status():
        found = organisation(urls[a], org)
        return found and found[2]

    def may_take_part():
        (origin, status_now), = rows(urls[a], "SELECT origin, status FROM organisations WHERE organisation_id = %s",
                                     org.id)
        return domain.may_take_part({"id": org.id, "origin": origin, "status": status_now}, tenant=a)

    send(settings, [org.registered()])
    assert poll_until(runner, lambda: status() == "active") and may_take_part()
    send(settings, [org.updated(2, "suspended")])
    assert poll_until(runner, lambda: status() == "suspended") and not may_take_part()
    send(settings, [org.updated(3, "withdrawn")])
    assert poll_until(runner, lambda: status() == "withdrawn") and not may_take_part()
    # A new admission reactivates it in the register: it may take part again, but the old membership stays ended.
    send(settings, [org.updated(4, "active")])
    assert poll_until(runner, lambda: status() == "active") and may_take_part()
    assert domain.membership_state(joined_version=1, history=statuses(urls[a], org), status="active") == domain.ENDED


def territory(url, origin):
    return rows(url, "SELECT istat_code, population FROM territory_comuni_now WHERE origin = %s ORDER BY position",
                origin)


def total(url, origin):
    found = rows(url, "SELECT total_population, version FROM territory_profiles WHERE origin = %s", origin)
    return found[0] if found else None


def test_the_profile_replica_keeps_the_newest_comuni_in_any_order(tenants, settings, replica):
    runner, urls, _ = replica
    a, b = tenants.slugs()
    # Version 2 drops Nemoli and adds Rivello; version 1 arrives late, twice; b has its own profile.
    send(settings, [profile(a, 2, [LAURIA, RIVELLO]), profile(a, 1, [LAURIA, NEMOLI]), profile(b, 1, [NEMOLI])])
    assert poll_until(runner, lambda: total(urls[a], a) is not None and total(urls[b], b) is not None)
    late = profile(a, 1, [LAURIA, NEMOLI])
    send(settings, [late, late])
    marker = Org(a)
    send(settings, [marker.registered()])
    assert poll_until(runner, lambda: organisation(urls[a], marker) is not None)
    assert total(urls[a], a) == (15200, 2)
    assert territory(urls[a], a) == [("076042", 12500), ("076066", 2700)]
    assert territory(urls[b], b) == [("076052", 1500)] and total(urls[a], b) is None
    # Version 3 lists Nemoli again, first: it is back, in the order given.
    send(settings, [profile(a, 3, [NEMOLI, LAURIA])])
    assert poll_until(runner, lambda: total(urls[a], a) == (14000, 3))
    assert territory(urls[a], a) == [("076052", 1500), ("076042", 12500)]


def test_an_event_it_cannot_apply_is_dead_lettered_and_the_others_go_on(tenants, settings, replica):
    runner, urls, _ = replica
    a = tenants.slugs()[0]
    good, bad = Org(a), Org(a)
    broken = bad.updated(2, "expelled")   # not a status of the register's schema
    send(settings, [broken, good.registered()])
    assert poll_until(runner, lambda: organisation(urls[a], good) is not None)
    assert organisation(urls[a], bad) is None
    assert list(dead_letters(settings, expect=1)) == ["schema"]


def test_a_second_origin_cannot_claim_an_organisation_id(tenants, settings):
    # Issue 9 will bring other Ambiti's rows into this database: the same id from another origin is
    # refused by the database (the consumer dead-letters that event) instead of shadowing the first.
    from shared.consumer.rows import apply_rows
    from services.consultation.projectors import project

    a, b = tenants.slugs()
    url = tenants.url_for(tenants.get(a), "consultation")
    own = Org(a)
    shared = Org(b)
    shared.id = own.id
    shared.snapshot["stakeholder_id"] = own.id
    with psycopg.connect(url) as conn:
        apply_rows(conn, project(own.registered()))
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        apply_rows(conn, project(shared.registered()))
    assert organisation(url, own)[0] == a
