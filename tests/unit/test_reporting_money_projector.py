"""Reporting's budget content projector, pure (services/reporting/budget_content_projector.py).

Interventions, quarterly progress, fund assignments, co-financing, fund-year closures and the acts one by
one. `applied` writes rows as the consumer's writer does (insert, or update only when the `newer_than`
column is higher; an unguarded upsert always updates), on dictionaries: that duplicates and any order
change nothing is seen without a database. Every event built here is valid against its catalogue schema.
"""
import copy
import json
import random
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from shared.consumer.rows import Upsert
from shared.events.envelope import new_event

from services.reporting.projector import project
from tests.contract.catalogue import assert_valid_event

TENANT = "oglio-po"
EVENTS = Path(__file__).resolve().parents[2] / "events"
INTERVENTION, PLAN = str(uuid.uuid4()), str(uuid.uuid4())
STATUSES = ["planned", "active", "suspended", "completed", "cancelled"]


def example(type_: str) -> dict:
    return json.loads((EVENTS / type_ / "example.json").read_text())


def event(kind: str, data: dict, tenant: str = TENANT):
    type_ = f"it.pdz.budget.{kind}.v1"
    assert_valid_event(type_, data)
    return new_event(type=type_, service="budget", tenant=tenant, aggregate_id="subject", data=data)


def applied(rows, tables=None):
    tables = copy.deepcopy(tables) if tables else {}
    for row in rows:
        assert isinstance(row, Upsert)
        table = tables.setdefault(row.table, {})
        key = tuple(sorted(row.key.items()))
        old = table.get(key)
        if old is None or row.newer_than is None or old[row.newer_than] < row.values[row.newer_than]:
            table[key] = {**(old or {}), **row.key, **row.values}
    return tables


def applying(events):
    return applied([row for e in events for row in project(e)])


def intervention(version: int, *, status="planned", percent=None, proposals=(), kind="intervention.updated",
                 progress=None):
    data = {**example("it.pdz.budget.intervention.planned.v1"), "intervention_id": INTERVENTION, "plan_id": PLAN,
            "status": status, "percentage": percent, "proposal_ids": list(proposals), "version": version,
            "title": f"Titolo v{version}", "actual_start": None if status == "planned" else "2025-02-03"}
    if kind == "intervention.updated":
        data["changed"] = ["title"]
    if progress is not None:
        data["progress"] = progress
    return event(kind, data)


def progress_record(version: int, year: int, quarter: int, revision: int, percent: str, outputs: dict):
    record = {"year": year, "quarter": quarter, "period": f"{year}-Q{quarter}", "status": "active",
              "percentage": percent, "outputs": outputs, "actual_start": "2025-02-03", "source": "api",
              "revision": revision, "recorded_at": "2025-07-08T12:00:00+02:00"}
    return intervention(version, status="active", percent=percent, kind="intervention.progress_recorded",
                        progress=record)


def test_the_catalogue_examples_give_rows_of_every_table():
    tables = set()
    for path in sorted(EVENTS.glob("it.pdz.budget.*")):
        data = example(path.name)
        rows = project(new_event(type=path.name, service="budget", tenant=TENANT, aggregate_id="x", data=data))
        assert rows, path.name
        tables |= {r.table for r in rows}
    assert {"budget_intervention_facts", "budget_progress_facts", "budget_fund_assignment_facts",
            "budget_cofinancing_facts", "budget_residui_facts", "budget_commitment_facts",
            "budget_payment_facts", "budget_allocation_facts", "budget_plan_states"} <= tables


def test_an_intervention_carries_its_proposals_leps_and_comuni():
    proposal = str(uuid.uuid4())
    [row] = project(intervention(1, proposals=[proposal], kind="intervention.planned"))
    assert row.table == "budget_intervention_facts" and row.newer_than == "version"
    assert row.key == {"tenant": TENANT, "intervention_id": uuid.UUID(INTERVENTION)}
    assert row.values["proposal_ids"] == [uuid.UUID(proposal)]
    assert row.values["leps"] == ["dimissioni-protette"] and row.values["comuni"] == ["076042", "076097"]
    assert row.values["continues_origin"] == "lagonegrese" and row.values["percent"] is None


def test_a_progress_record_writes_the_intervention_and_the_quarter():
    rows = project(progress_record(3, 2025, 2, 1, "37.50", {"utenti serviti": "42", "corse": "310.5"}))
    tables = applied(rows)
    [quarter] = tables["budget_progress_facts"].values()
    assert (quarter["year"], quarter["quarter"], quarter["percent"]) == (2025, 2, Decimal("37.50"))
    assert dict(zip(quarter["output_names"], quarter["output_values"])) == {
        "utenti serviti": Decimal("42.00"), "corse": Decimal("310.50")}
    [facts] = tables["budget_intervention_facts"].values()
    assert facts["percent"] == Decimal("37.50") and facts["version"] == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STATUSES), st.booleans()), min_size=1, max_size=8), st.randoms())
def test_interventions_newest_version_wins_whatever_the_order_and_duplicates(steps, rnd):
    events = []
    for version, (status, with_progress) in enumerate(steps, start=1):
        events.append(progress_record(version, 2025, 1 + version % 4, version, f"{version}.00", {"n": str(version)})
                      if with_progress else intervention(version, status=status))
    in_order = applying(events)
    shuffled = events + [rnd.choice(events) for _ in range(len(events))]
    rnd.shuffle(shuffled)
    assert applying(shuffled) == in_order
    [facts] = in_order["budget_intervention_facts"].values()
    assert facts["version"] == len(steps)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["utenti serviti", "ore", "pasti"]),
                                st.integers(0, 10 ** 6).map(str), max_size=3), min_size=1, max_size=6),
       st.randoms())
def test_a_quarter_keeps_its_latest_revision_and_a_dropped_output_goes(revisions, rnd):
    events = [progress_record(n, 2025, 3, n, "50.00", outputs) for n, outputs in enumerate(revisions, start=1)]
    shuffled = events * 2
    rnd.shuffle(shuffled)
    [quarter] = applying(shuffled)["budget_progress_facts"].values()
    assert quarter["revision"] == len(revisions)
    assert dict(zip(quarter["output_names"], quarter["output_values"])) == {
        k: Decimal(v) for k, v in revisions[-1].items()}


def assignment(version: int, amount: str, assignment_id: str):
    data = {**example("it.pdz.budget.fund_assignment.recorded.v1"), "assignment_id": assignment_id,
            "amount": amount, "version": version}
    if version == 1:
        return event("fund_assignment.recorded", data)
    return event("fund_assignment.corrected", {**data, "previous_amount": "1.00", "changed": ["amount"]})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 10 ** 9), min_size=1, max_size=6), st.randoms())
def test_an_assignment_keeps_its_latest_correction(cents, rnd):
    assignment_id = str(uuid.uuid4())
    events = [assignment(v, f"{c // 100}.{c % 100:02d}", assignment_id) for v, c in enumerate(cents, start=1)]
    shuffled = events + events[:1]
    rnd.shuffle(shuffled)
    [row] = applying(shuffled)["budget_fund_assignment_facts"].values()
    assert row["amount"] == Decimal(cents[-1]) / 100 and row["version"] == len(cents)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10 ** 8), min_size=1, max_size=5), st.randoms())
def test_cofinancing_keeps_its_latest_split(totals, rnd):
    def set_(version, cents):
        first = cents // 3
        amounts = [first, cents - first]
        shares = [{"istat_code": code, "population": 100, "population_date": "2025-01-01",
                   "amount": f"{a // 100}.{a % 100:02d}"} for code, a in zip(("019021", "019050"), amounts)]
        return event("cofinancing.set", {**example("it.pdz.budget.cofinancing.set.v1"), "version": version,
                                         "total": f"{cents // 100}.{cents % 100:02d}", "shares": shares})
    events = [set_(v, c) for v, c in enumerate(totals, start=1)]
    shuffled = events * 2
    rnd.shuffle(shuffled)
    [row] = applying(shuffled)["budget_cofinancing_facts"].values()
    assert row["total"] == Decimal(totals[-1]) / 100 == sum(row["share_amounts"])
    assert row["share_istat_codes"] == ["019021", "019050"]


def test_a_closure_twice_is_one_row_with_its_origin():
    closed = event("fund_year.closed", example("it.pdz.budget.fund_year.closed.v1"))
    [row] = applying([closed, closed])["budget_residui_facts"].values()
    assert row["carried"] == sum(row["origin_amounts"]) == Decimal("25000.00")
    assert row["origin_allocation_ids"][1] is None


def test_acts_are_kept_one_by_one_with_their_dates_whatever_the_order():
    base = example("it.pdz.budget.payment.recorded.v1")
    allocation_id, commitment_id = str(uuid.uuid4()), str(uuid.uuid4())
    payments = []
    paid = Decimal("0")
    for n, (amount, day) in enumerate([("100.10", "2025-03-31"), ("0.01", "2025-04-01"), ("50.00", "2025-06-30")]):
        paid += Decimal(amount)
        payments.append(event("payment.recorded", {
            **base, "payment_id": str(uuid.uuid4()), "allocation_id": allocation_id, "commitment_id": commitment_id,
            "amount": amount, "act_date": day,
            "allocation": {"allocated": "1000.00", "committed": "500.00", "paid": str(paid)},
            "commitment": {"committed": "500.00", "paid": str(paid)}}))
    shuffled = payments * 2
    random.Random(7).shuffle(shuffled)
    tables = applying(shuffled)
    rows = tables["budget_payment_facts"].values()
    assert sorted((str(r["act_date"]), r["amount"]) for r in rows) == [
        ("2025-03-31", Decimal("100.10")), ("2025-04-01", Decimal("0.01")), ("2025-06-30", Decimal("50.00"))]
    [totals] = tables["budget_allocation_facts"].values()  # budget_projector's rows come along
    assert totals["paid"] == Decimal("150.11")


@pytest.mark.parametrize("kind, path, value, named", [
    ("intervention.updated", ("version",), "3", "version"),
    ("intervention.updated", ("proposal_ids",), ["not-a-uuid"], "proposal_ids.0"),
    ("intervention.updated", ("percentage",), "101.00", "percentage"),
    ("intervention.updated", ("planned_start",), "2025-13-01", "planned_start"),
    ("intervention.progress_recorded", ("progress", "quarter"), 5, "quarter"),
    ("intervention.progress_recorded", ("progress", "outputs"), {"utenti": 3}, "utenti"),
    ("fund_assignment.recorded", ("amount",), 184250.0, "amount"),
    ("cofinancing.set", ("shares",), [{"istat_code": "076042", "population": "12", "amount": "1.00"}], "population"),
    ("fund_year.closed", ("origin",), [{"allocation_id": None, "intervention_id": None, "amount": "-1"}], "amount"),
    ("payment.recorded", ("act_date",), None, "act_date"),
])
def test_a_malformed_field_is_a_value_error_naming_it(kind, path, value, named):
    type_ = f"it.pdz.budget.{kind}.v1"
    data = copy.deepcopy(example(type_))
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    bad = new_event(type=type_, service="budget", tenant=TENANT, aggregate_id="x", data=data)
    with pytest.raises(ValueError, match=named):
        project(bad)
