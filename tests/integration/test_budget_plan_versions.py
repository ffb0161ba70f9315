"""Yearly updates on the real PostgreSQL: a new version once the plan is signed, its differences line by line,
and the version it updates superseded when it is signed."""
from __future__ import annotations

import threading
import time

import psycopg

from services.budget.plans.editable import ensure_editable
from tests.contract.catalogue import assert_valid_event
from tests.integration.test_budget_plan_world import problem, world  # noqa: F401


def sign(world, pid, number, signatory):
    for action, roles, body in (("adopt", (), None), ("approve", (), {"approval_act": "Delibera n. 9 del 2/9/2025"}),
                                ("send", (), None), ("accept", ("regional-reviewer",), None),
                                ("sign", (), {"signed_on": "2025-10-01", "signatories": [str(signatory)]})):
        moved = world.move(pid, number, action, *roles, json=body)
        assert moved.status_code == 200, (action, moved.get_json())


def test_a_yearly_update_compared_with_the_plan_it_updates(world):
    pid = world.create_plan(2024).get_json()["id"]
    comune = world.organisation("Comune di Rotonda")
    sad = world.intervention(pid, "A1", area="3", title="Assistenza domiciliare anziani")
    pis = world.intervention(pid, "B2", area="1", title="Pronto intervento sociale")
    world.allocate(sad, "FNA", 2025, "120000.00")
    world.allocate(pis, "FNPS", 2025, "18500.00")
    # No update before the plan is in force.
    body = problem(world.call("POST", f"/plans/{pid}/versions", json={"reference_year": 2025}), 409,
                   "invalid-transition")
    assert body["current_state"] == "draft"
    sign(world, pid, 1, comune)
    body = problem(world.call("POST", f"/plans/{pid}/versions", json={"reference_year": 2024}), 422,
                   "validation-error")
    assert body["errors"][0]["field"] == "reference_year"
    problem(world.call("POST", f"/plans/{pid}/versions", "auditor", json={"reference_year": 2025}), 403, "forbidden")

    opened = world.call("POST", f"/plans/{pid}/versions", json={"reference_year": 2025})
    assert opened.status_code == 201, opened.get_json()
    assert (opened.get_json()["number"], opened.get_json()["kind"], opened.get_json()["state"]) == (
        2, "yearly_update", "draft")
    plan = world.get(f"/plans/{pid}").get_json()
    assert (plan["current_version"], plan["state"], plan["in_force_version"]) == (2, "draft", 1)
    # The update changes the live content: one line more, one changed, one intervention moved, one added.
    world.allocate(pis, "FNPS", 2025, "21000.00")
    world.allocate(sad, "FNPS", 2026, "5000.00")
    with world.db() as conn:
        conn.execute("UPDATE interventions SET title = 'Pronto intervento sociale h24' WHERE id = %s", (pis,))
    dimissioni = world.intervention(pid, "C3", area="6", title="Dimissioni protette")
    world.allocate(dimissioni, "FNA", 2025, "9999.99")

    live = world.get(f"/plans/{pid}/differences?from=1&to=2", "regional-reviewer")
    assert live.status_code == 200, live.get_json()
    d = live.get_json()
    assert d["from"] == {"number": 1, "live": False} and d["to"] == {"number": 2, "live": True}
    assert [i["code"] for i in d["interventions"]["added"]] == ["C3"] and d["interventions"]["removed"] == []
    [changed] = d["interventions"]["changed"]
    assert (changed["code"], changed["fields"]) == ("B2", {"title": {"before": "Pronto intervento sociale",
                                                                       "after": "Pronto intervento sociale h24"}})
    assert [(a["code"], a["fund_code"], a["year"], a["before"], a["after"], a["delta"]) for a in d["allocations"]] == [
        ("A1", "FNPS", 2026, None, "5000.00", "5000.00"),
        ("B2", "FNPS", 2025, "18500.00", "21000.00", "2500.00"),
        ("C3", "FNA", 2025, None, "9999.99", "9999.99")]
    assert (d["totals"]["before"]["total"], d["totals"]["after"]["total"]) == ("138500.00", "155999.99")
    assert d["totals"]["after"]["by_year"]["2026"]["allocated"] == "5000.00"

    # Signed, the update is in force and the triennial version is superseded by it.
    sign(world, pid, 2, comune)
    frozen = world.get(f"/plans/{pid}/differences?from=1&to=2").get_json()
    assert frozen["to"] == {"number": 2, "live": False} and frozen["allocations"] == d["allocations"]
    versions = world.get(f"/plans/{pid}/versions").get_json()["items"]
    assert [(v["number"], v["state"], v["superseded_by"]) for v in versions] == [(1, "superseded", 2),
                                                                                 (2, "signed", None)]
    plan = world.get(f"/plans/{pid}").get_json()
    assert (plan["current_version"], plan["state"], plan["in_force_version"]) == (2, "signed", 2)
    history = world.get(f"/plans/{pid}/history?number=1&limit=50").get_json()["items"]
    assert [h["action"] for h in history][-1] == "supersede" and history[-1]["note"] == "sostituita dalla versione 2"
    # A superseded version moves no more, and the problem says which version is current.
    body = problem(world.move(pid, 1, "adopt"), 409, "invalid-transition")
    assert body["current_state"] == "superseded" and "current version is 2" in body["detail"]
    # The next update may refer to the third year, not back to the second's.
    assert world.call("POST", f"/plans/{pid}/versions", json={"reference_year": 2026}).status_code == 201
    events = world.outbox()
    for event in events:
        assert_valid_event(event["type"], event["data"])
    transitions = [(e["data"]["number"], e["data"]["action"]) for e in events[1:]]
    assert (2, "open") in transitions and transitions.index((2, "sign")) + 1 == transitions.index((1, "supersede"))
    assert events[transitions.index((1, "supersede")) + 1]["data"]["superseded_by"] == 2
    assert world.get(f"/plans/{pid}/differences?from=1&to=9").status_code == 404


def test_an_adoption_waits_for_a_content_write_in_flight_and_freezes_it(world):
    """ensure_editable holds the plan FOR SHARE, adoption takes it FOR UPDATE: the edit lands in the snapshot."""
    pid = world.create_plan(2024).get_json()["id"]
    line = world.intervention(pid, "A1")
    etag = world.get(f"/plans/{pid}").headers["ETag"]
    url = world.tenants.url_for(world.tenants.get(world.slug), "budget")
    answers = []
    with psycopg.connect(url) as writer:
        with writer.transaction():
            assert ensure_editable(writer, plan_id=pid) == 1
            writer.execute("INSERT INTO fund_years (fund_code, year, assigned) VALUES ('FNPS', 2024, 1000)")
            writer.execute("INSERT INTO allocations (id, intervention_id, fund_code, year, amount, created_by)"
                           " VALUES (gen_random_uuid(), %s, 'FNPS', 2024, 750.25, 'sql')", (line,))
            adopting = threading.Thread(target=lambda: answers.append(world.move(pid, 1, "adopt", etag=etag)))
            adopting.start()
            # Wait (bounded) until the adoption is blocked on the plan row the writer holds.
            deadline = time.monotonic() + 30
            with psycopg.connect(url, autocommit=True) as watcher:
                while time.monotonic() < deadline and not watcher.execute(
                        "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                        " WHERE NOT l.granted AND a.datname = current_database()").fetchone():
                    pass
            assert not answers, "the adoption did not wait for the content write"
        adopting.join(timeout=60)
    assert answers and answers[0].status_code == 200, answers and answers[0].get_json()
    snapshot = world.get(f"/plans/{pid}/versions/1").get_json()["snapshot"]
    assert [a["amount"] for a in snapshot["allocations"]] == ["750.25"] and snapshot["totals"]["total"] == "750.25"
