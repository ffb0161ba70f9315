"""The plan's approval path on the real PostgreSQL: roles, states, history, snapshot, events in the outbox."""
from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from services.budget.plans.editable import PlanNotEditable, ensure_editable
from tests.contract.catalogue import assert_valid_event
from tests.integration.test_budget_plan_world import OPERATOR, REVIEWER, problem, world  # noqa: F401


def editable(world, plan_id):
    """What ensure_editable says, on a plain connection as content writers use."""
    with psycopg.connect(world.tenants.url_for(world.tenants.get(world.slug), "budget")) as conn:
        with conn.transaction():
            return ensure_editable(conn, plan_id=plan_id)


def test_the_whole_approval_path_with_the_right_roles(world):
    made = world.create_plan(2024)
    assert made.status_code == 201, made.get_json()
    plan = made.get_json()
    assert made.headers["ETag"] == '"1"'
    assert (plan["first_year"], plan["last_year"], plan["title"], plan["current_version"], plan["kind"],
            plan["state"], plan["allowed_actions"], plan["in_force_version"]) == (
        2024, 2026, "Piano Sociale di Zona 2024-2026", 1, "triennial", "draft", ["adopt"], None)
    pid = plan["id"]
    # Content of the draft, as the interventions and allocations modules write it.
    sad = world.intervention(pid, "A1", area="3", title="Assistenza domiciliare anziani")
    pis = world.intervention(pid, "B2", area="1", title="Pronto intervento sociale")
    world.allocate(sad, "FNA", 2024, "120000.00")
    world.allocate(sad, "FNPS", 2025, "30500.50")
    world.allocate(pis, "FNPS", 2024, "18500.00")
    world.cofinance(sad, 2024, [("076042", 12500, "6250.01"), ("076039", 5200, "2599.99")])
    assert editable(world, pid) == 1

    adopted = world.move(pid, 1, "adopt", json={"note": "adottato dall'Ufficio di Piano"})
    assert adopted.status_code == 200, adopted.get_json()
    assert adopted.get_json()["state"] == "adopted" and adopted.headers["ETag"] == '"2"'
    with pytest.raises(PlanNotEditable):
        editable(world, pid)
    version = world.get(f"/plans/{pid}/versions/1", "auditor").get_json()
    totals = version["snapshot"]["totals"]
    assert (totals["allocated"], totals["cofinancing"], totals["total"]) == ("169000.50", "8850.00", "177850.50")
    assert totals["by_area"]["3"] == {"allocated": "150500.50", "cofinancing": "8850.00", "total": "159350.50"}
    assert totals["by_fund"]["FNPS"] == {"total": "49000.50", "by_year": {"2024": "18500.00", "2025": "30500.50"}}
    assert [i["code"] for i in version["snapshot"]["interventions"]] == ["A1", "B2"]

    assert world.approve(pid, 1).get_json()["state"] == "approved"
    assert world.move(pid, 1, "send").get_json()["state"] == "sent"
    returned = world.move(pid, 1, "return", "regional-reviewer",
                          json={"remarks": "Integrare la quota di cofinanziamento per l'area 1."})
    assert returned.status_code == 200, returned.get_json()
    assert returned.get_json()["state"] == "returned" and returned.get_json()["allowed_actions"] == ["adopt"]
    # Returned: the office edits again, and adopting again freezes the new content.
    assert editable(world, pid) == 1
    world.allocate(pis, "FNPS", 2024, "20000.00")
    assert world.move(pid, 1, "adopt").status_code == 200
    snapshot = world.get(f"/plans/{pid}/versions/1").get_json()["snapshot"]
    assert snapshot["totals"]["total"] == "179350.50"
    assert world.approve(pid, 1).status_code == 200
    assert world.move(pid, 1, "send").status_code == 200
    assert world.move(pid, 1, "accept", "regional-reviewer").get_json()["state"] == "accepted"
    comune, asl = world.organisation("Comune di Viggianello"), world.organisation("ASP Potenza")
    signed = world.move(pid, 1, "sign", json={"signed_on": "2024-10-18", "signatories": [str(comune), str(asl)]})
    assert signed.status_code == 200, signed.get_json()
    assert (signed.get_json()["state"], signed.get_json()["in_force_version"],
            signed.get_json()["allowed_actions"]) == ("signed", 1, [])
    version = world.get(f"/plans/{pid}/versions/1", "regional-reviewer").get_json()
    assert (version["signed_on"], sorted(version["signatories"]), version["approval_act"], version["remarks"]) == (
        "2024-10-18", sorted([str(comune), str(asl)]), "Delibera n. 4 del 12/10/2024",
        "Integrare la quota di cofinanziamento per l'area 1.")

    # The history: every step, who, with which role; paginated.
    steps, after = [], ""
    while True:
        page = world.get(f"/plans/{pid}/history?limit=4" + (f"&after={after}" if after else ""), "auditor").get_json()
        steps += page["items"]
        after = page["next_cursor"]
        if not after:
            break
    assert [(s["action"], s["from_state"], s["to_state"], s["by_role"], s["by"]) for s in steps] == [
        ("create", None, "draft", "operator", OPERATOR),
        ("adopt", "draft", "adopted", "operator", OPERATOR),
        ("approve", "adopted", "approved", "operator", OPERATOR),
        ("send", "approved", "sent", "operator", OPERATOR),
        ("return", "sent", "returned", "regional-reviewer", REVIEWER),
        ("adopt", "returned", "adopted", "operator", OPERATOR),
        ("approve", "adopted", "approved", "operator", OPERATOR),
        ("send", "approved", "sent", "operator", OPERATOR),
        ("accept", "sent", "accepted", "regional-reviewer", REVIEWER),
        ("sign", "accepted", "signed", "operator", OPERATOR)]
    assert steps[1]["note"] == "adottato dall'Ufficio di Piano"
    assert steps[2]["note"] == "Delibera n. 4 del 12/10/2024" and steps[9]["note"].endswith("18/10/2024")

    # One event per history row, catalogued, in the same order, with no account in it.
    events = world.outbox()
    for event in events:
        assert_valid_event(event["type"], event["data"])
        assert event["subject"] == pid
        assert OPERATOR not in str(event["data"]) and REVIEWER not in str(event["data"])
    assert [e["type"].split(".")[-2] for e in events] == ["created"] + ["transitioned"] * 9
    assert [(e["data"]["action"], e["data"]["to"], e["data"]["by_role"]) for e in events[1:]] == [
        (s["action"], s["to_state"], s["by_role"]) for s in steps[1:]]
    assert events[1]["data"]["totals"] == {"allocated": "169000.50", "cofinancing": "8850.00", "total": "177850.50"}
    assert events[-1]["data"]["signatories"] == [str(comune), str(asl)]


def test_wrong_roles_wrong_states_and_stale_etags(world):
    pid = world.create_plan(2027).get_json()["id"]
    # Roles: only the office adopts; the reviewer only reviews; an operator of another Ambito is nobody here.
    problem(world.move(pid, 1, "adopt", "auditor"), 403, "forbidden")
    problem(world.move(pid, 1, "adopt", "regional-reviewer"), 403, "forbidden")
    problem(world.move(pid, 1, "adopt", "regional-admin"), 403, "forbidden")
    problem(world.move(pid, 1, "adopt", "coordinator"), 403, "forbidden")
    problem(world.call("POST", "/plans", "regional-reviewer", json={"first_year": 2030}), 403, "forbidden")
    problem(world.create_plan(2030, "auditor"), 403, "forbidden")
    # States: a draft cannot be sent; the problem names the state and what is allowed.
    body = problem(world.move(pid, 1, "send"), 409, "invalid-transition")
    assert (body["current_state"], body["allowed"]) == ("draft", ["adopt"])
    problem(world.move(pid, 1, "accept", "regional-reviewer"), 409, "invalid-transition")
    problem(world.move(pid, 2, "adopt"), 404, "not-found")
    # If-Match: required, and stale after someone else's transition.
    problem(world.call("POST", f"/plans/{pid}/versions/1/adopt", json={}), 428, "if-match-required")
    etag = world.get(f"/plans/{pid}").headers["ETag"]
    assert world.move(pid, 1, "adopt", etag=etag).status_code == 200
    body = problem(world.move(pid, 1, "approve", json={"approval_act": "Delibera n. 1"}, etag=etag), 412,
                   "stale-etag")
    assert body["current_etag"] == '"2"'
    body = problem(world.move(pid, 1, "approve"), 422, "validation-error")
    assert body["errors"][0]["field"] == "approval_act"
    assert world.approve(pid, 1).status_code == 200
    problem(world.move(pid, 1, "sign", json={"signed_on": "2026-10-18", "signatories": []}), 422, "validation-error")
    assert world.move(pid, 1, "send").status_code == 200
    # The operator cannot record the Region's review, and a returned plan needs remarks.
    problem(world.move(pid, 1, "accept"), 403, "forbidden")
    problem(world.move(pid, 1, "return", "regional-reviewer"), 422, "validation-error")
    # Signing before the Region accepted is refused.
    org = world.organisation("Comune di Lauria")
    body = problem(world.move(pid, 1, "sign", json={"signed_on": "2026-10-18", "signatories": [str(org)]}), 409,
                   "invalid-transition")
    assert (body["current_state"], body["allowed"]) == ("sent", ["return", "accept"])
    assert world.move(pid, 1, "accept", "regional-reviewer").status_code == 200
    # Signatories: organisations of the register, active; the date not in the future.
    suspended, missing = world.organisation("ODV Sospesa", status="suspended"), "0c6f2a8e-6a3b-4d0e-8c1e-2f5a9b7d3e11"
    body = problem(world.move(pid, 1, "sign", json={"signed_on": "2026-10-18", "signatories": [
        str(org), str(suspended), missing]}), 422, "validation-error")
    assert {e["field"] for e in body["errors"]} == {"signatories.1", "signatories.2"}
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    body = problem(world.move(pid, 1, "sign", json={"signed_on": tomorrow, "signatories": [str(org)]}), 422,
                   "validation-error")
    assert body["errors"][0]["field"] == "signed_on"
    assert world.get(f"/plans/{pid}").get_json()["state"] == "accepted"
    assert len(world.get(f"/plans/{pid}/history").get_json()["items"]) == 5   # nothing refused was recorded


def test_one_plan_per_triennium_and_reads(world):
    first = world.create_plan(2024, headers={"Idempotency-Key": "piano-2024"})
    again = world.create_plan(2024, headers={"Idempotency-Key": "piano-2024"})
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    for year in (2024, 2025, 2026, 2022):
        body = problem(world.create_plan(year), 409, "duplicate-plan")
        assert body["field"] == "first_year" and first.get_json()["id"] in body["detail"]
    assert world.create_plan(2027).status_code == 201
    assert world.create_plan(2021).status_code == 201
    # Another Ambito has its own plans.
    assert world.create_plan(2024, tenant=world.other).status_code == 201
    listed = world.get("/plans?limit=2", "regional-admin").get_json()
    assert [p["first_year"] for p in listed["items"]] == [2024, 2027] and listed["next_cursor"]
    rest = world.get(f"/plans?limit=2&after={listed['next_cursor']}", "coordinator").get_json()
    assert [p["first_year"] for p in rest["items"]] == [2021] and rest["next_cursor"] is None
    assert [p["first_year"] for p in world.get("/plans?year=2029").get_json()["items"]] == [2027]
    problem(world.get("/plans", "stakeholder"), 403, "forbidden")
    problem(world.get(f"/plans/{first.get_json()['id']}", "operator", tenant=world.other), 404, "not-found")
    versions = world.get(f"/plans/{first.get_json()['id']}/versions", "auditor").get_json()["items"]
    assert [(v["number"], v["kind"], v["reference_year"], v["state"]) for v in versions] == [
        (1, "triennial", 2024, "draft")]
    assert world.get(f"/plans/{first.get_json()['id']}/versions/1").get_json()["snapshot"] is None


def test_a_frozen_version_cannot_be_changed_even_by_sql(world):
    pid = world.create_plan(2024).get_json()["id"]
    world.allocate(world.intervention(pid, "A1"), "FNPS", 2024, "1000.00")
    assert world.move(pid, 1, "adopt").status_code == 200
    # Adopted (not yet approved): the service may still re-adopt after a return, so the row is not frozen yet;
    # approved, it is, whoever writes.
    assert world.approve(pid, 1).status_code == 200
    with world.db() as conn:
        for statement in ("UPDATE plan_versions SET snapshot = '{}' WHERE plan_id = %s",
                          "UPDATE plan_versions SET approval_act = 'altro' WHERE plan_id = %s",
                          "DELETE FROM plan_versions WHERE plan_id = %s",
                          "UPDATE plan_history SET note = 'riscritta' WHERE plan_id = %s",
                          "DELETE FROM plan_history WHERE plan_id = %s"):
            with pytest.raises(psycopg.errors.CheckViolation):
                with conn.transaction():
                    conn.execute(statement, (pid,))
    # The content written after adoption is refused by the rule every content write takes.
    with pytest.raises(PlanNotEditable):
        editable(world, pid)
    assert world.get(f"/plans/{pid}/versions/1").get_json()["snapshot"]["totals"]["total"] == "1000.00"


def test_ensure_editable_answers_the_same_on_a_dict_row_connection(world):
    """Callers often open dict_row connections; the check must read values, not column names."""
    pid = world.create_plan(2024).get_json()["id"]
    with world.db() as conn:  # dict_row
        with conn.transaction():
            assert ensure_editable(conn, plan_id=pid) == 1
    assert world.move(pid, 1, "adopt").status_code == 200
    with world.db() as conn, pytest.raises(PlanNotEditable) as refused:
        with conn.transaction():
            ensure_editable(conn, plan_id=pid)
    assert refused.value.state == "adopted"
