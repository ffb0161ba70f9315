"""Closing a fund-year on the real PostgreSQL: the uncommitted money goes to year + 1 as residui with its origin,
in the same transaction as the next year's ledger; a closed year's allocations are frozen."""
from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.integration.test_budget_alloc_world import budget, problem  # noqa: F401


def test_closing_carries_each_allocations_uncommitted_part_and_the_never_allocated_rest(budget):
    plan = budget.plan(2024)
    first, second, third = (budget.intervention(plan) for _ in range(3))
    budget.fund_year("FNPS", 2024, "100000.00", residui_in="5000.00")
    a = budget.allocate(first, "FNPS", 2024, "60000.00").get_json()
    b = budget.allocate(second, "FNPS", 2024, "30000.00").get_json()
    c = budget.allocate(third, "FNPS", 2024, "8000.00").get_json()
    budget.commit(a["id"], "45000.50")
    budget.commit(c["id"], "8000.00")
    budget.sql("UPDATE allocations SET paid = 20000 WHERE id = %s", (a["id"],))
    closed = budget.call("POST", "/fund-years/FNPS/2024/close")
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    # 105,000 available, 53,000.50 committed: 51,999.50 carried; 7,000 of it was never allocated.
    assert (body["assigned"], body["residui_in"], body["allocated"], body["committed"], body["carried"]) == (
        "100000.00", "5000.00", "98000.00", "53000.50", "51999.50")
    assert body["closed_at"] and body["to_year"] == 2025
    assert body["origin"] == [
        {"allocation_id": a["id"], "intervention_id": str(first), "amount": "14999.50"},
        {"allocation_id": b["id"], "intervention_id": str(second), "amount": "30000.00"},
        {"allocation_id": None, "intervention_id": None, "amount": "7000.00"}]
    assert sum(Decimal(o["amount"]) for o in body["origin"]) == Decimal(body["carried"])
    # The next year's ledger row was made with the residui in it (no assignment for 2025 yet).
    assert budget.ledger("FNPS", 2025)["residui_in"] == Decimal("51999.50")
    rows = budget.sql("SELECT from_year, to_year, amount, origin FROM residui WHERE fund_code = 'FNPS'")
    assert [(r["from_year"], r["to_year"], r["amount"], r["origin"]) for r in rows] == [
        (2024, 2025, Decimal("51999.50"), body["origin"])]
    carried = {r["id"]: r["carried"] for r in budget.sql("SELECT id, carried FROM allocations")}
    assert {str(k): v for k, v in carried.items()} == {a["id"]: Decimal("14999.50"), b["id"]: Decimal("30000.00"),
                                                       c["id"]: Decimal("0.00")}
    # The plan's figures stay; what is still committable is zero everywhere.
    listed = budget.call("GET", "/allocations?fund=FNPS&year=2024").get_json()["items"]
    assert [(x["amount"], x["open"]) for x in listed] == [("60000.00", "0.00"), ("30000.00", "0.00"),
                                                          ("8000.00", "0.00")]
    event = budget.outbox("it.pdz.budget.fund_year.closed.v1")
    assert len(event) == 1 and event[0]["subject"] == "FNPS/2024"
    assert (event[0]["data"]["carried"], event[0]["data"]["origin"]) == ("51999.50", body["origin"])
    again = budget.call("GET", "/fund-years/FNPS/2024/residui", "auditor").get_json()
    assert (again["carried"], again["origin"], again["committed"]) == ("51999.50", body["origin"], "53000.50")


def test_closing_twice_is_refused_and_years_close_in_order(budget):
    budget.plan(2024)
    budget.fund_year("FNPS", 2024, "1000.00")
    budget.fund_year("FNPS", 2025, "1000.00")
    body = problem(budget.call("POST", "/fund-years/FNPS/2025/close"), 409, "previous-year-open")
    assert body["year"] == 2024
    assert budget.call("POST", "/fund-years/FNPS/2024/close").status_code == 200
    problem(budget.call("POST", "/fund-years/FNPS/2024/close"), 409, "fund-year-closed")
    assert budget.ledger("FNPS", 2025)["residui_in"] == Decimal("1000.00")   # carried once, not twice
    assert len(budget.sql("SELECT * FROM residui")) == 1
    assert budget.call("POST", "/fund-years/FNPS/2025/close").get_json()["carried"] == "2000.00"
    assert budget.ledger("FNPS", 2026)["residui_in"] == Decimal("2000.00")
    problem(budget.call("POST", "/fund-years/FNPS/2031/close"), 404, "not-found")
    problem(budget.call("POST", "/fund-years/FNPS/abcd/close"), 404, "not-found")
    problem(budget.call("POST", "/fund-years/FNPS/2026/close", "auditor"), 403, "forbidden")
    assert len(budget.outbox("it.pdz.budget.fund_year.closed.v1")) == 2


def test_a_closed_years_allocations_are_frozen_and_its_residui_are_allocated_the_year_after(budget):
    plan = budget.plan(2024)
    intervention, other = budget.intervention(plan), budget.intervention(plan)
    budget.fund_year("FNPS", 2024, "1000.00")
    made = budget.allocate(intervention, "FNPS", 2024, "600.00").get_json()
    budget.commit(made["id"], "100.00")
    assert budget.call("POST", "/fund-years/FNPS/2024/close").status_code == 200
    path = f"/allocations/{made['id']}"
    for amount in ("700.00", "300.00"):
        problem(budget.call("PATCH", path, json={"amount": amount}, headers={"If-Match": '"1"'}), 409,
                "fund-year-closed")
    problem(budget.call("DELETE", path, headers={"If-Match": '"1"'}), 409, "fund-year-closed")
    problem(budget.allocate(other, "FNPS", 2024, "1.00"), 409, "fund-year-closed")
    # A commitment on money that moved to 2025 is refused by the database itself.
    with pytest.raises(psycopg.errors.CheckViolation, match="allocations_open_check"):
        budget.commit(made["id"], "0.01")
    # Paying what was committed in 2024 goes on (residui passivi).
    budget.sql("UPDATE allocations SET paid = 100 WHERE id = %s", (made["id"],))
    # 2025: the 900.00 carried (500 from the allocation, 400 never allocated) is allocatable, and no more.
    problem(budget.allocate(intervention, "FNPS", 2025, "900.01"), 409, "fund-exhausted")
    assert budget.allocate(intervention, "FNPS", 2025, "900.00").status_code == 201
    assert budget.ledger("FNPS", 2024)["allocated"] == Decimal("600.00")
