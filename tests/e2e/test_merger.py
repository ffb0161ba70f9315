"""A fresh merger on the real processes (issue 9 items 8 and 9): three random tenants, A and B merged into C.

Phase 1: A, B, C active, no share. A and B admit organisations in their registries (the applications name
people: a legal representative and a contact person); A's consultation creates a table. Phase 2: the
catalogue file is rewritten (A and B `status: merged` into C, C `merged_from: [A, B]`) and every process
restarts (the rollout); the owners' backfill commands re-publish A's and B's current state; C's consultation
lists A's and B's organisations and A's table marked by origin; a write at A is refused naming C (409
tenant-merged), a write to the table's replica in C is refused naming A (409 replica-read-only), C's own new
table works. Finally every Kafka record of the test's topics and every replica table of C's consultation
database is scanned for the people of the scenario.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from shared.cli.demo import demo_tax_code
from shared.cli.provision import provision
from shared.events.topics import all_topics
from shared.kafka.clients import ensure_topics
from tests.e2e.conftest import Suite, free_port
from tests.e2e.flow import call, eventually, expect, refused, time_bound, token
from tests.e2e.merger import (backfill, declare_merger, kafka_texts, replica_texts, restart, three_tenants)

PROCESSES = ("registry-api", "registry-relay", "consultation-api", "consultation-consumer", "consultation-relay")
BOUND_SECONDS = 420  # two start-ups of five processes, two backfills and the checks, on a loaded two-core machine
PEOPLE = {"a": ("Giovanna Lucarelli", "giovanna.lucarelli@example.org", "Pasquale Ferrara", "p.ferrara@example.org"),
          "b": ("Rosaria Mastrangelo", "rosaria.mastrangelo@example.org", "Vito Santoro", "vito.santoro@example.org")}
ORGANISATIONS = {"a": ("APS Il Girasole di Lauria", "ODV Amici di Rivello"),
                 "b": ("Cooperativa Sociale Pollino Solidale", "APS Castelluccio Insieme")}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, settings):
    with time_bound(BOUND_SECONDS, "the e2e merger (start-ups included)"):
        suite = Suite(tmp_path_factory.mktemp("merger"), settings)
        suite.ports.update({name: free_port() for name in PROCESSES if name not in suite.ports})
        suite.abc = three_tenants(suite)
        provision(suite.catalogue, report=lambda *_: None)
        os.environ["PDZ_TOPIC_PREFIX"] = suite.prefix  # for this process's own Kafka helpers
        ensure_topics(settings.kafka_bootstrap, all_topics(partitions=3))
        try:
            for name in PROCESSES:
                suite.start(name)
            yield suite
        finally:
            suite.stop_all()
            os.environ.pop("PDZ_TOPIC_PREFIX", None)


def at(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).isoformat()


def admit(stack, slug: str, key: str) -> dict:
    """A published call in `slug`, one application per organisation naming its people, all admitted: name -> id."""
    operator = token("ufficio", slug, "operator")
    made = expect(201, call(stack, "POST", "registry", f"/v1/{slug}/calls", operator, {
        "title": "Avviso pubblico - rete degli attori sociali", "areas": ["3"],
        "opens_at": at(timedelta(minutes=-5)), "closes_at": at(timedelta(days=20))}))
    expect(200, call(stack, "POST", "registry", f"/v1/{slug}/calls/{made['id']}/publish", operator,
                     headers={"If-Match": f'"{made["version"]}"'}))
    legal, legal_mail, contact, contact_mail = PEOPLE[key]
    ids = {}
    for number, name in enumerate(ORGANISATIONS[key]):
        rep = token(f"rep-{key}-{number}", slug, "stakeholder")
        application = expect(201, call(stack, "POST", "registry", f"/v1/{slug}/applications", rep, {
            "call_id": made["id"],
            "organisation": {"name": name, "type": "ets", "runts_section": "b", "seat_istat": "076042",
                             "tax_code": demo_tax_code(name, "076")},
            "legal_representative": {"full_name": legal, "email": legal_mail},
            "contact_person": {"full_name": contact, "email": contact_mail},
            "areas": ["3"], "declarations": {"possesso_requisiti": True, "assenza_cause_esclusione": True,
                                             "presa_visione_informativa_privacy": True}}))
        admitted = expect(200, call(stack, "POST", "registry",
                                    f"/v1/{slug}/applications/{application['id']}/admit", operator))
        ids[name] = admitted["stakeholder_id"]
    return ids


def listed(stack, slug: str, path: str) -> list:
    status, body, _ = call(stack, "GET", "consultation", f"/v1/{slug}{path}", token("ufficio", slug, "operator"))
    assert status == 200, body
    return body["items"]


def test_a_fresh_merger_brings_the_former_ambiti_data_to_the_merged_one(stack):
    a, b, c = stack.abc
    with time_bound(BOUND_SECONDS, "the e2e merger"):
        # Phase 1: no share. Data created in A and B before the merger is declared.
        organisations = {a: admit(stack, a, "a"), b: admit(stack, b, "b")}
        table = expect(201, call(stack, "POST", "consultation", f"/v1/{a}/tables", token("ufficio", a, "operator"), {
            "kind": "thematic", "title": "Tavolo tematico Anziani del Lagonegrese", "areas": ["3"],
            "description": "Bisogni degli anziani delle frazioni.", "coordinator": "coordinatrice-a"}))
        # A's own consumer has the organisations in its replica before the rollout (so the flow ran).
        seen = eventually(lambda: listed(stack, a, "/organisations?limit=100"), lambda items: len(items) == 2)
        assert {o["name"] for o in seen} == set(organisations[a]), seen
        assert listed(stack, c, "/organisations?limit=100") == []

        # Phase 2: the merger declared in the catalogue, the rollout, the owners' backfill.
        declare_merger(stack, [a, b], c)
        restart(stack, PROCESSES)
        backfill(stack, "registry", a, "registry.stakeholders", "registry.profile")
        backfill(stack, "registry", b, "registry.stakeholders", "registry.profile")
        backfill(stack, "consultation", a, "consultation.tables")

        wanted = {(name, origin) for origin in (a, b) for name in organisations[origin]}
        got = eventually(lambda: listed(stack, c, "/organisations?limit=100"),
                         lambda items: {(o["name"], o.get("origin")) for o in items} == wanted, timeout=120)
        assert {(o["name"], o.get("origin")) for o in got} == wanted, got
        assert {o["id"] for o in got} == {i for ids in organisations.values() for i in ids.values()}
        only_b = listed(stack, c, f"/organisations?limit=100&origin={b}")
        assert {o["name"] for o in only_b} == set(organisations[b]), only_b

        tables = eventually(lambda: listed(stack, c, "/tables?limit=100"),
                            lambda items: any(t["id"] == table["id"] for t in items), timeout=120)
        replica = next((t for t in tables if t["id"] == table["id"]), None)
        assert replica is not None and replica["origin"] == a and replica["title"] == table["title"], tables

        # A write at A, merged: 409 naming C.
        problem = refused(call(stack, "POST", "consultation", f"/v1/{a}/tables", token("ufficio", a, "operator"), {
            "kind": "thematic", "title": "Tavolo dopo l'accorpamento", "areas": ["3"]}), 409, "tenant-merged")
        assert problem["merged_into"] == c and c in problem["detail"], problem
        # A's history stays readable.
        expect(200, call(stack, "GET", "consultation", f"/v1/{a}/tables/{table['id']}", token("ufficio", a, "operator")))
        # A write to A's table's replica in C: 409 naming A.
        operator_c = token("ufficio", c, "operator")
        status, one, headers = call(stack, "GET", "consultation", f"/v1/{c}/tables/{table['id']}", operator_c)
        assert status == 200 and one["origin"] == a, one
        problem = refused(call(stack, "PATCH", "consultation", f"/v1/{c}/tables/{table['id']}", operator_c,
                               {"title": "Cambiato da C"}, headers={"If-Match": headers["ETag"]}),
                          409, "replica-read-only")
        assert problem["origin"] == a, problem
        # C's own new data works.
        own = expect(201, call(stack, "POST", "consultation", f"/v1/{c}/tables", operator_c, {
            "kind": "thematic", "title": "Tavolo tematico Anziani del Lagonegrese-Pollino", "areas": ["3"],
            "description": "Il tavolo dell'Ambito accorpato."}))
        assert own["origin"] == c, own

        # Personal data never crosses a tenant: not in any record of any topic, not in any replica of C.
        people = [p for names in PEOPLE.values() for p in names]
        records = kafka_texts(stack.settings.kafka_bootstrap)
        assert records, "no Kafka record read: the scan would prove nothing"
        assert [p for p in people for r in records if p.lower() in r.lower()] == []
        rows = replica_texts(stack.catalogue.url_for(stack.catalogue.get(c), "consultation"))
        assert sum(len(v) for v in rows.values()) >= 5, rows  # the four organisations and the table, at least
        assert [(t, p) for t, texts in rows.items() for p in people for r in texts if p.lower() in r.lower()] == []
