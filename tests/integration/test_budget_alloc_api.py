"""Allocations through the HTTP API on the real PostgreSQL: the ledger moves with every change, earmarking,
the triennium, over-allocation, the committed floor, releases, editable plans, roles, lists and events."""
from __future__ import annotations

import uuid

from tests.integration.test_budget_alloc_world import budget, problem  # noqa: F401


def test_an_allocation_moves_the_ledger_and_is_recorded_as_an_event(budget):
    plan = budget.plan()
    intervention = budget.intervention(plan)
    budget.fund_year("FNPS", 2024, "100000.00")
    made = budget.allocate(intervention, "FNPS", 2024, "18500.50", headers={"Idempotency-Key": "k-1"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["fund"], body["year"], body["amount"], body["committed"], body["open"], body["version"]) == (
        "FNPS", 2024, "18500.50", "0.00", "18500.50", 1)
    assert body["plan_id"] == str(plan) and made.headers["ETag"] == '"1"'
    assert budget.ledger("FNPS", 2024)["allocated"] == budget.sql("SELECT sum(amount) AS s FROM allocations")[0]["s"]
    assert str(budget.ledger("FNPS", 2024)["allocated"]) == "18500.50"
    # The same request again with its key: the first answer, no second allocation, no second event.
    again = budget.allocate(intervention, "FNPS", 2024, "18500.50", headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    # Without the key it is a second allocation of the same fund and year: refused.
    problem(budget.allocate(intervention, "FNPS", 2024, "10.00"), 409, "allocation-exists")
    events = budget.outbox("it.pdz.budget.allocation.made.v1")
    assert [e["data"] for e in events] == [{
        "allocation_id": body["id"], "intervention_id": str(intervention), "plan_id": str(plan), "fund": "FNPS",
        "year": 2024, "amount": "18500.50", "previous_amount": None, "committed": "0.00", "version": 1}]
    assert events[0]["subject"] == body["id"]


def test_over_allocation_is_refused_naming_fund_year_and_what_is_left(budget):
    plan = budget.plan()
    first, second = budget.intervention(plan), budget.intervention(plan)
    budget.fund_year("FNPS", 2025, "1000.00", residui_in="200.00")
    assert budget.allocate(first, "FNPS", 2025, "900.00").status_code == 201
    body = problem(budget.allocate(second, "FNPS", 2025, "300.01"), 409, "fund-exhausted")
    assert (body["fund"], body["year"], body["available"]) == ("FNPS", 2025, "300.00")
    assert budget.allocate(second, "FNPS", 2025, "300.00").status_code == 201
    assert budget.ledger("FNPS", 2025)["allocated"] == budget.ledger("FNPS", 2025)["assigned"] + 200
    # A fund with no assignment that year has nothing to allocate.
    body = problem(budget.allocate(first, "FNPS", 2026, "1.00"), 409, "fund-exhausted")
    assert body["available"] == "0.00"
    assert len(budget.outbox("it.pdz.budget.allocation.made.v1")) == 2


def test_earmarking_is_enforced_with_a_422_naming_the_rule(budget):
    plan = budget.plan()
    poverty = budget.intervention(plan, area="4", target_group="poverta_emarginazione")
    elderly = budget.intervention(plan, area="3", target_group="anziani")
    budget.fund_year("FNA", 2024, "50000.00")
    body = problem(budget.allocate(poverty, "FNA", 2024, "100.00"), 422, "earmark-violation")
    assert body["fund"] == "FNA" and "area" in body["rule"], body
    assert budget.ledger("FNA", 2024)["allocated"] == 0
    assert budget.allocate(elderly, "FNA", 2024, "100.00").status_code == 201
    # A fund that is not in the reference data: 422 on the field.
    unknown = problem(budget.allocate(elderly, "NO-SUCH-FUND", 2024, "1.00"), 422, "validation-error")
    assert unknown["errors"][0]["field"] == "fund"
    # PNRR 1.1.1 pays for projects covering P.I.P.P.I. only.
    budget.fund_year("PNRR-M5C2-1.1.1", 2024, "211500.00")
    service = budget.intervention(plan, area="2", target_group="minori", leps=["prevenzione-allontanamento-familiare"])
    assert "kind" in problem(budget.allocate(service, "PNRR-M5C2-1.1.1", 2024, "1.00"), 422,
                             "earmark-violation")["rule"]
    project = budget.intervention(plan, area="2", target_group="minori", kind="project",
                                  leps=["prevenzione-allontanamento-familiare"])
    assert budget.allocate(project, "PNRR-M5C2-1.1.1", 2024, "1.00").status_code == 201


def test_the_year_must_lie_in_the_plans_triennium_and_amounts_are_strings(budget):
    plan = budget.plan(2024)
    intervention = budget.intervention(plan)
    budget.fund_year("FNPS", 2027, "1000.00")
    body = problem(budget.allocate(intervention, "FNPS", 2027, "1.00"), 422, "validation-error")
    assert body["errors"][0]["field"] == "year"
    for amount in (100, "100.001", "-5.00", "0"):
        refused = budget.allocate(intervention, "FNPS", 2024, amount)
        assert refused.status_code == 422, amount
    problem(budget.allocate(uuid.uuid4(), "FNPS", 2024, "1.00"), 404, "not-found")


def test_change_needs_if_match_and_cannot_go_below_the_committed_part(budget):
    plan = budget.plan()
    intervention = budget.intervention(plan)
    budget.fund_year("FNPS", 2024, "10000.00")
    made = budget.allocate(intervention, "FNPS", 2024, "5000.00").get_json()
    path = f"/allocations/{made['id']}"
    problem(budget.call("PATCH", path, json={"amount": "6000.00"}), 428, "if-match-required")
    raised = budget.call("PATCH", path, json={"amount": "6000.00"}, headers={"If-Match": '"1"'})
    assert raised.status_code == 200 and raised.get_json()["amount"] == "6000.00" and raised.headers["ETag"] == '"2"'
    assert str(budget.ledger("FNPS", 2024)["allocated"]) == "6000.00"
    problem(budget.call("PATCH", path, json={"amount": "7000.00"}, headers={"If-Match": '"1"'}), 412, "stale-etag")
    problem(budget.call("PATCH", path, json={"amount": "10000.01"}, headers={"If-Match": '"2"'}), 409,
            "fund-exhausted")
    budget.commit(made["id"], "2500.00")
    body = problem(budget.call("PATCH", path, json={"amount": "2499.99"}, headers={"If-Match": '"2"'}), 409,
                   "below-committed")
    assert body["committed"] == "2500.00"
    lowered = budget.call("PATCH", path, json={"amount": "2500.00"}, headers={"If-Match": '"2"'})
    assert lowered.status_code == 200 and lowered.get_json()["open"] == "0.00"
    assert str(budget.ledger("FNPS", 2024)["allocated"]) == "2500.00"
    # Releasing what is partly committed is refused; nothing moved.
    problem(budget.call("DELETE", path, headers={"If-Match": '"3"'}), 409, "below-committed")
    assert str(budget.ledger("FNPS", 2024)["allocated"]) == "2500.00"
    changed = [e["data"] for e in budget.outbox("it.pdz.budget.allocation.changed.v1")]
    assert [(c["previous_amount"], c["amount"], c["version"]) for c in changed] == [
        ("5000.00", "6000.00", 2), ("6000.00", "2500.00", 3)]


def test_release_gives_the_whole_amount_back_and_the_allocation_can_be_made_again(budget):
    plan = budget.plan()
    intervention = budget.intervention(plan)
    budget.fund_year("FNPS", 2024, "1000.00")
    made = budget.allocate(intervention, "FNPS", 2024, "1000.00").get_json()
    problem(budget.call("DELETE", f"/allocations/{made['id']}"), 428, "if-match-required")
    released = budget.call("DELETE", f"/allocations/{made['id']}", headers={"If-Match": '"1"'})
    assert released.status_code == 204
    assert budget.ledger("FNPS", 2024)["allocated"] == 0
    problem(budget.call("GET", f"/allocations/{made['id']}"), 404, "not-found")
    event = budget.outbox("it.pdz.budget.allocation.released.v1")[0]["data"]
    assert (event["allocation_id"], event["amount"], event["previous_amount"]) == (made["id"], "0.00", "1000.00")
    assert budget.allocate(intervention, "FNPS", 2024, "1000.00").status_code == 201


def test_only_an_editable_plan_takes_allocations(budget):
    plan = budget.plan()
    intervention = budget.intervention(plan)
    budget.fund_year("FNPS", 2024, "1000.00")
    made = budget.allocate(intervention, "FNPS", 2024, "100.00").get_json()
    budget.set_state(plan, "adopted")
    assert problem(budget.allocate(intervention, "FNPS", 2024, "1.00"), 409, "plan-not-editable")
    problem(budget.call("PATCH", f"/allocations/{made['id']}", json={"amount": "50.00"},
                        headers={"If-Match": '"1"'}), 409, "plan-not-editable")
    problem(budget.call("DELETE", f"/allocations/{made['id']}", headers={"If-Match": '"1"'}), 409,
            "plan-not-editable")
    assert str(budget.ledger("FNPS", 2024)["allocated"]) == "100.00"
    budget.set_state(plan, "returned")   # the Region sent it back: editable again
    assert budget.call("PATCH", f"/allocations/{made['id']}", json={"amount": "50.00"},
                       headers={"If-Match": '"1"'}).status_code == 200
    cancelled = budget.intervention(plan, status="cancelled")
    problem(budget.allocate(cancelled, "FNPS", 2024, "1.00"), 409, "intervention-cancelled")


def test_only_the_operator_writes_and_every_role_of_the_ambito_reads(budget):
    plan = budget.plan()
    intervention = budget.intervention(plan)
    budget.fund_year("FNPS", 2024, "1000.00")
    for roles in (("auditor",), ("coordinator",), ("stakeholder",), ("regional-admin",)):
        problem(budget.allocate(intervention, "FNPS", 2024, "1.00", *roles), 403, "forbidden")
    assert budget.allocate(intervention, "FNPS", 2024, "1.00").status_code == 201
    for roles in (("auditor",), ("coordinator",), ("stakeholder",), ("regional-admin",), ("operator",)):
        listed = budget.call("GET", f"/interventions/{intervention}/allocations", *roles)
        assert listed.status_code == 200 and len(listed.get_json()["items"]) == 1, roles
    problem(budget.call("GET", f"/interventions/{intervention}/allocations", tenant=budget.other), 404, "not-found")


def test_lists_per_intervention_and_per_fund_year_with_cursor(budget):
    plan = budget.plan()
    interventions = [budget.intervention(plan) for _ in range(5)]
    budget.fund_year("FNPS", 2024, "1000.00")
    budget.fund_year("FNPS", 2025, "1000.00")
    budget.fund_year("FSC-SOCIALE", 2024, "1000.00")
    for i, intervention in enumerate(interventions):
        assert budget.allocate(intervention, "FNPS", 2024, f"{i + 1}.00").status_code == 201
    assert budget.allocate(interventions[0], "FNPS", 2025, "7.00").status_code == 201
    assert budget.allocate(interventions[0], "FSC-SOCIALE", 2024, "9.00").status_code == 201
    seen, after = [], ""
    while True:
        page = budget.call("GET", f"/allocations?fund=FNPS&year=2024&limit=2&after={after}").get_json()
        seen += [item["amount"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        after = page["next_cursor"]
    assert seen == ["1.00", "2.00", "3.00", "4.00", "5.00"]
    mine = budget.call("GET", f"/interventions/{interventions[0]}/allocations").get_json()["items"]
    assert sorted((a["fund"], a["year"], a["amount"]) for a in mine) == [
        ("FNPS", 2024, "1.00"), ("FNPS", 2025, "7.00"), ("FSC-SOCIALE", 2024, "9.00")]
    only_2025 = budget.call("GET", f"/interventions/{interventions[0]}/allocations?year=2025").get_json()["items"]
    assert [a["amount"] for a in only_2025] == ["7.00"]
    problem(budget.call("GET", "/allocations?after=not*a*cursor"), 422, "validation-error")
