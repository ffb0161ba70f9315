"""A fresh merger on the real processes (issue 9 items 8 and 9): three random tenants, A and B merged into C.

Phase 1: A, B, C active, no share. A and B admit organisations in their registries (the applications name
people: a legal representative and a contact person); A's consultation creates a table, holds a session with
the attendance of two named people and records a need there. Phase 2: the
catalogue file gives C `merged_from: [A, B]` and every process restarts (the rollout); the owners' backfill
commands re-publish A's and B's current state; C's consultation lists A's and B's organisations, A's table and
A's need marked by origin (and filtered by it); an organisation admitted in B and a table created in A afterwards arrive
as ordinary events. Phase 3: A and B `status: merged` into C, the rollout: a write at A is refused naming C
(409 tenant-merged), a write to the table's replica in C is refused naming A (409 replica-read-only), C's own
new table works; C's reporting gives its stakeholder figures whole and by former territory, equal to the counts
of what the test admitted; no person of the scenario is in any row of C's replica tables. Phase 4: A
`share_with_successor: false`, the rollout, `python -m services.consultation.revoke --tenant C`: A's
organisations, tables and need are gone from C's lists, B's stay. Last, no person of the scenario is in any record of
any topic of the test's prefix.
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
from tests.e2e.merger import (backfill, command, kafka_texts, merged_into, replica_texts, restart, rewrite,
                              three_tenants)

PROCESSES = ("registry-api", "registry-relay", "consultation-api", "consultation-consumer", "consultation-relay",
             "reporting-api", "reporting-consumer")
BOUND_SECONDS = 420  # two start-ups of five processes, two backfills and the checks, on a loaded two-core machine
PEOPLE = {"a": ("Giovanna Lucarelli", "giovanna.lucarelli@example.org", "Pasquale Ferrara", "p.ferrara@example.org"),
          "b": ("Rosaria Mastrangelo", "rosaria.mastrangelo@example.org", "Vito Santoro", "vito.santoro@example.org")}
ATTENDEES = ("Filomena Carlomagno", "Donato Pecorelli")  # attendance at A's table: personal data
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


def admit(stack, slug: str, key: str, names) -> dict:
    """A published call in `slug`, one application per organisation naming its people, all admitted: name -> id."""
    operator = token("ufficio", slug, "operator")
    made = expect(201, call(stack, "POST", "registry", f"/v1/{slug}/calls", operator, {
        "title": "Avviso pubblico - rete degli attori sociali", "areas": ["3"],
        "opens_at": at(timedelta(minutes=-5)), "closes_at": at(timedelta(days=20))}))
    expect(200, call(stack, "POST", "registry", f"/v1/{slug}/calls/{made['id']}/publish", operator,
                     headers={"If-Match": f'"{made["version"]}"'}))
    legal, legal_mail, contact, contact_mail = PEOPLE[key]
    ids = {}
    for name in names:
        rep = token(f"rep-{name}", slug, "stakeholder")
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


def new_table(stack, slug: str, title: str) -> dict:
    return expect(201, call(stack, "POST", "consultation", f"/v1/{slug}/tables", token("ufficio", slug, "operator"), {
        "kind": "thematic", "title": title, "areas": ["3"], "description": "Bisogni degli anziani delle frazioni."}))


def listed(stack, slug: str, path: str) -> list:
    status, body, _ = call(stack, "GET", "consultation", f"/v1/{slug}{path}", token("ufficio", slug, "operator"))
    assert status == 200, body
    return body["items"]


def attended_need(stack, slug: str, table: dict, organisations: dict) -> dict:
    """A held session of the table with the attendance of the scenario's people, and a need recorded there."""
    name, organisation_id = next(iter(organisations.items()))
    operator, rep = token("ufficio", slug, "operator"), token(f"rep-{name}", slug, "stakeholder")

    def consultation(method, path, bearer, body=None, headers=None):
        return call(stack, method, "consultation", f"/v1/{slug}{path}", bearer, body, headers)

    expect(201, consultation("POST", f"/tables/{table['id']}/members", operator,
                             {"organisation_id": organisation_id, "accounts": [f"rep-{name}"]}))
    created = consultation("POST", f"/tables/{table['id']}/sessions", operator, {
        "title": "Primo incontro", "starts_at": at(timedelta(hours=2)), "place": "Sala consiliare, Lauria",
        "agenda": ["Bisogni del territorio"], "seat_limit": 10})
    session = expect(201, created)
    moved = consultation("PATCH", f"/sessions/{session['id']}", operator, {"starts_at": at(timedelta(minutes=-1))},
                         {"If-Match": created[2]["ETag"]})
    expect(200, moved)
    expect(200, consultation("POST", f"/sessions/{session['id']}/hold", operator,
                             headers={"If-Match": moved[2]["ETag"]}))
    for person in ATTENDEES:
        expect(201, consultation("POST", f"/sessions/{session['id']}/attendance", operator, {
            "organisation_id": organisation_id, "mode": "in_person", "attendee_name": person,
            "attendee_role": "volontaria"}))
    return expect(201, consultation("POST", "/needs", rep, {
        "table_id": table["id"], "session_id": session["id"], "organisation_id": organisation_id,
        "title": "Isolamento degli anziani nelle frazioni", "description": "Emerso nel primo incontro.",
        "area": "3", "target_group": "anziani", "comuni": ["076042"], "evidence": "Richieste allo sportello."}))


def pairs(items) -> set:
    return {(item.get("name") or item.get("title"), item.get("origin")) for item in items}


def test_a_fresh_merger_brings_the_former_ambiti_data_to_the_merged_one(stack):
    a, b, c = stack.abc
    with time_bound(BOUND_SECONDS, "the e2e merger"):
        # Phase 1: no share. Data created in A and B before any share is declared.
        before = {a: admit(stack, a, "a", ORGANISATIONS["a"]), b: admit(stack, b, "b", ORGANISATIONS["b"])}
        table = new_table(stack, a, "Tavolo tematico Anziani del Lagonegrese")
        need = attended_need(stack, a, table, before[a])
        # A's own consumer has its organisations (so the flow runs) and C has none of them.
        seen = eventually(lambda: listed(stack, a, "/organisations?limit=100"), lambda items: len(items) == 2)
        assert {o["name"] for o in seen} == set(ORGANISATIONS["a"]), seen
        assert listed(stack, c, "/organisations?limit=100") == []

        # Phase 2: C merged_from A and B (A and B still active, as the local catalogue keeps its predecessors):
        # the rollout, then the owners' backfill of what existed before.
        rewrite(stack, {c: {"merged_from": [a, b]}})
        restart(stack, PROCESSES)
        backfill(stack, "registry", a, "registry.stakeholders", "registry.profile")
        backfill(stack, "registry", b, "registry.stakeholders", "registry.profile")
        backfill(stack, "consultation", a, "consultation.tables", "consultation.needs")
        wanted = {(name, origin) for origin in (a, b) for name in before[origin]}
        got = eventually(lambda: listed(stack, c, "/organisations?limit=100"),
                         lambda items: pairs(items) == wanted, timeout=120)
        assert pairs(got) == wanted, got
        assert {o["id"] for o in got} == {i for ids in before.values() for i in ids.values()}
        only_b = listed(stack, c, f"/organisations?limit=100&origin={b}")
        assert pairs(only_b) == {(name, b) for name in before[b]}, only_b
        tables = eventually(lambda: listed(stack, c, "/tables?limit=100"),
                            lambda items: (table["title"], a) in pairs(items), timeout=120)
        assert pairs(tables) == {(table["title"], a)}, tables

        needs = eventually(lambda: listed(stack, c, "/needs?limit=100"),
                           lambda items: (need["title"], a) in pairs(items), timeout=120)
        assert pairs(needs) == {(need["title"], a)}, needs

        # Data created after the share: it arrives as ordinary events (no backfill).
        after = admit(stack, b, "b", ("ODV Terranova Domani",))
        later = new_table(stack, a, "Tavolo tematico Minori e famiglie")
        wanted |= {("ODV Terranova Domani", b)}
        got = eventually(lambda: listed(stack, c, "/organisations?limit=100"),
                         lambda items: pairs(items) == wanted, timeout=120)
        assert pairs(got) == wanted and set(after.values()) <= {o["id"] for o in got}, got
        tables = eventually(lambda: listed(stack, c, "/tables?limit=100"),
                            lambda items: (later["title"], a) in pairs(items), timeout=120)
        assert pairs(tables) == {(table["title"], a), (later["title"], a)}, tables

        # Phase 3: A and B `status: merged` into C; the rollout.
        rewrite(stack, {a: merged_into(c), b: merged_into(c)})
        restart(stack, PROCESSES)
        # A write at A: 409 naming C; A's history stays readable.
        problem = refused(call(stack, "POST", "consultation", f"/v1/{a}/tables", token("ufficio", a, "operator"), {
            "kind": "thematic", "title": "Tavolo dopo l'accorpamento", "areas": ["3"]}), 409, "tenant-merged")
        assert problem["merged_into"] == c and c in problem["detail"], problem
        expect(200, call(stack, "GET", "consultation", f"/v1/{a}/tables/{table['id']}",
                         token("ufficio", a, "operator")))
        # A write to the replica of A's table in C: 409 naming A.
        operator_c = token("ufficio", c, "operator")
        status, one, headers = call(stack, "GET", "consultation", f"/v1/{c}/tables/{table['id']}", operator_c)
        assert status == 200 and one["origin"] == a, one
        problem = refused(call(stack, "PATCH", "consultation", f"/v1/{c}/tables/{table['id']}", operator_c,
                               {"title": "Cambiato da C"}, headers={"If-Match": headers["ETag"]}),
                          409, "replica-read-only")
        assert problem["origin"] == a, problem
        # C's own new data works.
        own = new_table(stack, c, "Tavolo tematico Anziani del Lagonegrese-Pollino")
        assert own["origin"] == c, own

        # C's reporting: whole and by former territory, against the counts of what this test admitted.
        admitted = {a: len(before[a]), b: len(before[b]) + len(after)}
        expected = {slug: {"total": n, "by_type": {"ets": n}, "by_runts_section": {"b": n}, "by_status": {"active": n}}
                    for slug, n in admitted.items()}
        whole = sum(admitted.values())
        stats = eventually(lambda: stack.stats(c), lambda s: s.get("whole", {}).get("total") == whole, timeout=120)
        assert stats["total"] == 0, stats  # C's own register is empty
        assert {slug: {k: v[k] for k in ("total", "by_type", "by_runts_section", "by_status")}
                for slug, v in stats["former_territories"].items()} == expected, stats
        assert stats["whole"]["total"] == whole and stats["whole"]["by_type"] == {"ets": whole}, stats
        assert stats["whole"]["by_runts_section"] == {"b": whole}, stats

        # Personal data never crosses a tenant: no person of the scenario in any row of C's replica tables...
        people = [p for names in PEOPLE.values() for p in names] + list(ATTENDEES)
        rows = replica_texts(stack.catalogue.url_for(stack.catalogue.get(c), "consultation"))
        assert sum(len(v) for v in rows.values()) >= 7, rows  # five organisations and two tables, at least
        assert [(t, p) for t, texts in rows.items() for p in people for r in texts if p.lower() in r.lower()] == []

        # Phase 4: A shares nothing any more (share_with_successor: false); the rollout; the revocation command.
        rewrite(stack, {a: {"share_with_successor": False}})
        restart(stack, PROCESSES)
        command(stack, "services.consultation.revoke", "--tenant", c)
        left = listed(stack, c, "/organisations?limit=100")
        assert pairs(left) == {p for p in wanted if p[1] == b}, left
        assert pairs(listed(stack, c, "/tables?limit=100")) == {(own["title"], c)}
        assert listed(stack, c, "/needs?limit=100") == []

        # ...nor in any record of any topic of the test.
        records = kafka_texts(stack.settings.kafka_bootstrap)
        assert len(records) >= 10, "too few Kafka records read: the scan would prove nothing"
        assert [p for p in people for r in records if p.lower() in r.lower()] == []
