"""Participation in the tables over a fresh reporting database (real PostgreSQL).

Rows are written as the consumer writes them (the projectors' rows through apply_rows, events shuffled and
repeated); the figures of the four participation indicators must equal counts the test computes on its
own from the world it generated; each trace lists exactly the sessions counted, with their parts; and no
table of migration 006 holds the attendee's name an event carried.
"""
from __future__ import annotations

import random
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import psycopg
import pytest

from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from services.reporting.indicators import REGISTRY
from services.reporting.indicators.model import Period
from services.reporting.projector import project
from tests.conftest import random_slug
from tests.contract.catalogue import assert_valid_event
from tests.unit.test_reporting_consultation_fixtures import ev, example

Q1 = Period.parse("2026-Q1")
# Starts inside 2026-Q1 in Italy (the edges included) and outside it.
INSIDE = ["2026-01-01T00:30:00+01:00", "2026-02-10T17:00:00+01:00", "2026-03-31T23:30:00+02:00"]
OUTSIDE = ["2025-12-31T23:30:00+01:00", "2026-04-01T00:10:00+02:00", "2026-05-12T17:00:00+02:00"]
TYPES = ["ets", "comune", "social_cooperative", "school"]
NAME = "Maria Concetta Esposito"
PATHS = [["registered"], ["waitlisted"], ["waitlisted", "promoted"], ["registered", "cancelled"],
         ["waitlisted", "cancelled"]]


def reporting_database(catalogue_factory, slugs):
    from shared.cli.provision import provision
    catalogue = catalogue_factory(slugs)
    provision(catalogue, report=lambda *_: None)
    return catalogue.regional_url("reporting")


def write(url, events, *, rnd):
    """The events' rows applied in a few batches, shuffled, some twice (late replays)."""
    events = events + rnd.sample(events, len(events) // 3)
    rnd.shuffle(events)
    with psycopg.connect(url) as conn:
        for start in range(0, len(events), 40):
            apply_rows(conn, [row for e in events[start:start + 40] for row in project(e)])


def stakeholder(tenant, org, type_):
    data = {**example_registry(), "stakeholder_id": org, "type": type_,
            "runts_section": "a" if type_ == "ets" else None}
    assert_valid_event("it.pdz.registry.stakeholder.registered.v1", data)
    return new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=tenant,
                     aggregate_id=org, data=data)


def example_registry():
    import json
    from tests.contract.catalogue import EVENTS_DIR
    return json.loads((EVENTS_DIR / "it.pdz.registry.stakeholder.registered.v1" / "example.json").read_text())


def world(rnd, tenant, other):
    """Events of tables and sessions of `tenant` (and one table of `other`), and the pairs held in Q1."""
    orgs = [str(uuid.uuid4()) for _ in range(8)]
    # orgs 0-5 in the register (org 5 registered by `other`: a former territory's); 6 only in attendance
    # events; 7 nowhere but invitations.
    kinds = {org: TYPES[i % len(TYPES)] for i, org in enumerate(orgs[:6])}
    events = [stakeholder(tenant if i < 5 else other, org, kinds[org]) for i, org in enumerate(orgs[:6])]
    attended_type = {orgs[6]: "social_cooperative"}
    expected = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))  # (table, type) -> session -> what
    tables = [str(uuid.uuid4()) for _ in range(2)]
    seen_in_tenant: set = set()
    for table in tables:
        events.append(ev("table.created", tenant, table_id=table))
        for n in range(8):
            session = str(uuid.uuid4())
            # the first session of each table is held on the quarter's first edge, every path of a
            # registration met there; the others at random
            status = "held" if n == 0 else rnd.choice(["held", "held", "cancelled", "scheduled"])
            starts = INSIDE[0] if n == 0 else rnd.choice(INSIDE + OUTSIDE)
            ids = dict(session_id=session, table_id=table)
            events.append(ev("session.scheduled", tenant, **ids, starts_at=starts, ends_at=None))
            if status != "scheduled":
                events.append(ev(f"session.{status}", tenant, **ids, starts_at=starts, ends_at=None, status=status))
            invited = list(orgs) if n == 0 else rnd.sample(orgs, rnd.randint(0, len(orgs)))
            if invited:
                events.append(ev("session.invited", tenant, **ids, organisation_ids=invited))
            registered = set()
            for i, org in enumerate(invited[:5] if n == 0 else rnd.sample(invited, len(invited) // 2)):
                registration = dict(ids, registration_id=str(uuid.uuid4()), organisation_id=org)
                path = PATHS[i] if n == 0 else rnd.choice(PATHS)
                for kind in path:
                    events.append(ev(f"registration.{kind}", tenant, **registration))
                if path[-1] in ("registered", "promoted"):
                    registered.add(org)
            present = set(rnd.sample(orgs[:7], rnd.randint(0, 7)))
            for org in present:
                for _ in range(rnd.randint(1, 3)):
                    entry = dict(ids, attendance_id=str(uuid.uuid4()), organisation_id=org,
                                 organisation_type=kinds.get(org) or attended_type[org])
                    events.append(ev("attendance.recorded", tenant, **entry, attendee_name=NAME))
                    if rnd.random() < 0.3:
                        events.append(ev("attendance.recorded", tenant, **entry, mode="remote", version=2, attendee_name=NAME))
                seen_in_tenant.add(org)
            if status == "held" and starts in INSIDE:
                for what, who in (("invited", set(invited)), ("registered", registered), ("present", present)):
                    for org in who:
                        expected[(table, org)][session][what].add(org)
    # The kind of each organisation as the indicators must find it.
    def kind_of(org):
        return kinds.get(org) or (attended_type[org] if org in seen_in_tenant else "non_noto")
    by_key = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    for (table, org), sessions in expected.items():
        for session, whats in sessions.items():
            for what, who in whats.items():
                by_key[(table, kind_of(org))][session][what] |= who
    return events, by_key


def expected_figures(by_key):
    """code -> {(table, type): value}, computed here from the world, not by the indicators' code."""
    result = defaultdict(dict)
    for key, sessions in by_key.items():
        def total(what):
            return sum(len(s[what]) for s in sessions.values())
        result["partecipazione_organizzazioni_invitate"][key] = Decimal(total("invited"))
        result["partecipazione_organizzazioni_iscritte"][key] = Decimal(total("registered"))
        result["partecipazione_organizzazioni_presenti"][key] = Decimal(total("present"))
        invited = total("invited")
        if invited:
            both = sum(len(s["invited"] & s["present"]) for s in sessions.values())
            result["partecipazione_tasso_presenza"][key] = (Decimal(both) * 100 / invited).quantize(
                Decimal("0.01"), ROUND_HALF_UP)
    return result


def whole_trace(item, conn, tenants, period, dimension):
    sources, after = [], None
    while True:
        page, after = item.tracer(conn, tenants=tenants, period=period, dimension=dimension, after=after, limit=2)
        sources.extend(page)
        if after is None:
            return sources


@pytest.mark.parametrize("seed", [11, 2026])
def test_participation_figures_equal_the_world_s_counts_and_traces_list_the_sessions(catalogue_factory, seed):
    rnd = random.Random(seed)
    tenant, other = random_slug("fas"), random_slug("cis")
    url = reporting_database(catalogue_factory, [tenant, other])
    events, by_key = world(rnd, tenant, other)
    other_events, _ = world(rnd, other, tenant)  # another Ambito's sessions: never in `tenant`'s figures
    write(url, events + other_events, rnd=rnd)
    expected = expected_figures(by_key)
    assert expected["partecipazione_organizzazioni_invitate"], "the world held no session with invitations"
    with psycopg.connect(url) as conn:
        for code, values in expected.items():
            item = REGISTRY[code]
            got = {(f.dimension["table_id"], f.dimension["organisation_type"]): f.value
                   for f in item.provider(conn, tenants=[tenant], period=Q1)}
            # the count indicators give every key met, 0 included; the rate only where someone was invited
            assert got == values, code
            for key, value in values.items():
                dimension = {"table_id": key[0], "organisation_type": key[1]}
                sources = whole_trace(item, conn, [tenant], Q1, dimension)
                counted = "invited" if code.endswith("tasso_presenza") else {
                    "invitate": "invited", "iscritte": "registered", "presenti": "present"}[code.rsplit("_", 1)[1]]
                sessions = {s: len(w[counted]) for s, w in by_key[key].items() if w[counted]}
                assert {s.id: s.value for s in sources} == {s: Decimal(n) for s, n in sessions.items()}
                assert len(sources) == len(sessions)  # each session once, across pages
                assert all((s.service, s.record, s.tenant) == ("consultation", "session", tenant) for s in sources)
                if not code.endswith("tasso_presenza"):
                    assert sum(s.value for s in sources) == value
            # several Ambiti together (a merged Ambito's whole, a region): each one's tables side by side
            both = item.provider(conn, tenants=[tenant, other], period=Q1)
            apart = [f for t in (tenant, other) for f in item.provider(conn, tenants=[t], period=Q1)]
            assert sorted(both, key=repr) == sorted(apart, key=repr)


def test_a_session_outside_the_period_or_not_held_counts_nowhere(catalogue_factory):
    tenant = random_slug("fas")
    url = reporting_database(catalogue_factory, [tenant])
    table, org = str(uuid.uuid4()), str(uuid.uuid4())
    events = []
    for starts, status in ((OUTSIDE[0], "held"), (OUTSIDE[1], "held"), (INSIDE[1], "cancelled")):
        ids = dict(session_id=str(uuid.uuid4()), table_id=table)
        events += [ev(f"session.{status}", tenant, **ids, starts_at=starts, status=status),
                   ev("session.invited", tenant, **ids, organisation_ids=[org])]
    write(url, events, rnd=random.Random(1))
    with psycopg.connect(url) as conn:
        for code in ("partecipazione_organizzazioni_invitate", "partecipazione_tasso_presenza"):
            assert REGISTRY[code].provider(conn, tenants=[tenant], period=Q1) == []
        assert [f.value for f in REGISTRY["partecipazione_organizzazioni_invitate"].provider(
            conn, tenants=[tenant], period=Period.parse("2026-Q2"))] == [Decimal(1)]


def test_no_table_of_migration_006_holds_an_attendee_s_name(catalogue_factory):
    tenant = random_slug("fas")
    url = reporting_database(catalogue_factory, [tenant])
    events, _ = world(random.Random(5), tenant, tenant)
    named = [e for e in events if e.type.endswith("attendance.recorded.v1")]
    assert named and all(e.data["attendee_name"] == NAME for e in named)  # the events did carry it
    write(url, events, rnd=random.Random(5))
    with psycopg.connect(url) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_name LIKE 'consultation\\_%%'").fetchall()]
        assert "consultation_attendance_facts" in tables and len(tables) >= 14
        assert conn.execute("SELECT count(*) FROM consultation_attendance_facts").fetchone()[0] == len(
            {e.data["attendance_id"] for e in named})
        for table in tables:
            # every column of every row as text, arrays included
            rows = conn.execute(f"SELECT t::text FROM {table} AS t").fetchall()
            for (text,) in rows:
                assert NAME not in text and "Esposito" not in text, table
