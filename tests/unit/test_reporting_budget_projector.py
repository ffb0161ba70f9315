"""Reporting's budget projector, pure (services/reporting/budget_projector.py): budget's money events -> rows.

`applied` writes rows as the consumer's writer does (an Upsert inserts the key and its values, the other
columns taking the migration's defaults, or updates only when its `newer_than` column is higher), on
dictionaries: that a duplicate or an older event changes nothing is seen without a database. Every event
built here is valid against its catalogue schema.
"""
import copy
import itertools
import uuid
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from shared.consumer.rows import Upsert
from shared.events.envelope import new_event
from shared.money import format_amount

from services.reporting.projector import project
from tests.contract.catalogue import assert_valid_event

TENANT = "lagonegrese-pollino"
# The migration's defaults (004_budget_facts.sql) for the columns an Upsert does not name.
DEFAULTS = {"budget_allocation_facts": {"allocated": Decimal("0"), "released": False, "allocation_version": 0,
                                        "committed": Decimal("0"), "paid": Decimal("0"), "spent": Decimal("0")},
            "budget_plan_states": {},
            # the acts one by one (007_budget_content.sql, issue 11): their projectors return these rows too
            "budget_commitment_facts": {}, "budget_payment_facts": {},
            # each plan transition (009_plan_transitions.sql, the campaigns): the same event writes the same row
            "plan_transition_facts": {}}
ALLOCATION, INTERVENTION, PLAN = (str(uuid.uuid4()) for _ in range(3))


def applied(rows, tables=None):
    tables = copy.deepcopy(tables) if tables else {}
    for row in rows:
        assert isinstance(row, Upsert)
        table = tables.setdefault(row.table, {})
        key = tuple(sorted(row.key.items()))
        old = table.get(key)
        if old is None:
            table[key] = {**DEFAULTS[row.table], **row.key, **row.values}
        elif row.newer_than is None or old[row.newer_than] < row.values[row.newer_than]:
            table[key] = {**old, **row.values}
    return tables


def applying(*events, tables=None):
    return applied([row for e in events for row in project(e)], tables)


def event(kind, data, subject=ALLOCATION, tenant=TENANT):
    type_ = f"it.pdz.budget.{kind}.v1"
    assert_valid_event(type_, data)
    return new_event(type=type_, service="budget", tenant=tenant, aggregate_id=subject, data=data)


def money(value) -> str:
    return format_amount(Decimal(value))


def allocation(kind, amount, version, previous=None, committed="0"):
    return event(f"allocation.{kind}", {
        "allocation_id": ALLOCATION, "intervention_id": INTERVENTION, "plan_id": PLAN, "fund": "FNPS",
        "year": 2025, "amount": money(amount), "previous_amount": None if previous is None else money(previous),
        "committed": money(committed), "version": version})


def act(kind, allocated, committed, paid, amount):
    data = {"allocation_id": ALLOCATION, "intervention_id": INTERVENTION, "plan_id": PLAN, "fund": "FNPS",
            "year": 2025, "amount": money(amount), "act_date": "2025-03-10", "act_reference": "Determina n. 1",
            "recorded_at": "2025-03-11T09:30:00+01:00",
            "allocation": {"allocated": money(allocated), "committed": money(committed), "paid": money(paid)}}
    if kind == "commitment":
        data.update(commitment_id=str(uuid.uuid4()), cup=None, cig=None, supplier_id=None)
    else:
        data.update(payment_id=str(uuid.uuid4()), commitment_id=str(uuid.uuid4()),
                    commitment={"committed": money(committed), "paid": money(paid)})
    return event(f"{kind}.recorded", data)


def transition(number, action, from_, to, version):
    return event("plan.transitioned", {
        "plan_id": PLAN, "first_year": 2024, "last_year": 2026, "number": number, "kind": "triennial",
        "reference_year": 2024, "action": action, "from": from_, "to": to, "by_role": "operator",
        "at": f"2024-08-{version:02d}T10:00:00+00:00", "version": version}, subject=PLAN)


def the_allocation(tables):
    [row] = tables["budget_allocation_facts"].values()
    return {k: row[k] for k in ("fund", "year", "allocated", "committed", "paid", "released")}


# A plausible life of one allocation: made, raised, 2 commitments, a payment, raised again, a payment.
LIFE = [allocation("made", "18500", 1), allocation("changed", "21000", 2, previous="18500"),
        act("commitment", "21000", "12000", "0", "12000"), act("commitment", "21000", "20000", "0", "8000"),
        act("payment", "21000", "20000", "5000", "5000"), allocation("changed", "25000", 3, "21000", "20000"),
        act("payment", "25000", "20000", "7500.50", "2500.50")]
FINAL = {"fund": "FNPS", "year": 2025, "allocated": Decimal("25000.00"), "committed": Decimal("20000.00"),
         "paid": Decimal("7500.50"), "released": False}


def test_an_allocation_s_life_ends_with_its_figures():
    tables = applying(*LIFE)
    assert the_allocation(tables) == FINAL
    [key] = tables["budget_allocation_facts"]
    assert dict(key) == {"tenant": TENANT, "allocation_id": uuid.UUID(ALLOCATION)}
    row = tables["budget_allocation_facts"][key]
    assert (row["intervention_id"], row["plan_id"]) == (uuid.UUID(INTERVENTION), uuid.UUID(PLAN))


def test_every_event_applied_twice_changes_nothing():
    once = applying(*LIFE)
    assert applying(*LIFE, tables=once) == once
    assert applying(*[e for e in LIFE for _ in range(2)]) == once


@settings(max_examples=60, deadline=None)
@given(st.permutations(range(len(LIFE))), st.lists(st.integers(0, len(LIFE) - 1), max_size=6))
def test_any_order_and_any_late_replay_end_with_the_same_figures(order, replays):
    # The events of one allocation are keyed by it, so they arrive in order; an older one may still come
    # back late (a replay, a retried batch): whatever order, the newest figures stay.
    tables = applying(*(LIFE[i] for i in order), *(LIFE[i] for i in replays))
    assert the_allocation(tables) == FINAL


def test_an_older_allocation_event_after_a_newer_does_not_lower_the_amount():
    tables = applying(allocation("changed", "21000", 2, "18500"), allocation("made", "18500", 1))
    assert the_allocation(tables)["allocated"] == Decimal("21000.00")


def test_a_commitment_before_its_allocation_event_keeps_both_figures():
    tables = applying(act("commitment", "18500", "10000", "0", "10000"), allocation("made", "18500", 1))
    figures = the_allocation(tables)
    assert (figures["allocated"], figures["committed"], figures["paid"]) == (
        Decimal("18500.00"), Decimal("10000.00"), Decimal("0.00"))


def test_a_release_leaves_the_allocation_at_zero_marked_released():
    tables = applying(allocation("made", "18500", 1), allocation("released", "0", 2, "18500"))
    figures = the_allocation(tables)
    assert (figures["allocated"], figures["released"]) == (Decimal("0.00"), True)


def test_a_plan_version_s_state_is_its_latest_transition_whatever_the_order():
    path = [event("plan.created", {"plan_id": PLAN, "first_year": 2024, "last_year": 2026, "title": "Piano",
                                   "number": 1, "kind": "triennial", "state": "draft",
                                   "created_at": "2024-06-03T09:15:00+00:00", "version": 1}, subject=PLAN),
            transition(1, "adopt", "draft", "adopted", 2), transition(1, "approve", "adopted", "approved", 3),
            transition(1, "send", "approved", "sent", 4), transition(1, "accept", "sent", "accepted", 5),
            transition(1, "sign", "accepted", "signed", 6)]
    for order in itertools.islice(itertools.permutations(path), 0, 720, 7):
        tables = applying(*order, *path[:3])
        [row] = tables["budget_plan_states"].values()
        assert (row["number"], row["state"], row["plan_version"]) == (1, "signed", 6), order


def test_a_yearly_update_is_its_own_row():
    tables = applying(transition(1, "sign", "accepted", "signed", 6), transition(2, "open", None, "draft", 7))
    states = {row["number"]: row["state"] for row in tables["budget_plan_states"].values()}
    assert states == {1: "signed", 2: "draft"}


@pytest.mark.parametrize("field, value", [("allocation_id", "x"), ("amount", 18500), ("amount", "18,500"),
                                          ("version", "2"), ("year", None)])
def test_a_malformed_field_is_a_value_error_naming_it(field, value):
    good = allocation("made", "18500", 1)
    bad = new_event(type=good.type, service="budget", tenant=TENANT, aggregate_id=ALLOCATION,
                    data={**good.data, field: value})
    with pytest.raises(ValueError, match=field):
        project(bad)


def test_budget_events_reporting_does_not_read_give_no_rows():
    # every budget type of the catalogue is projected since issue 11: a future type stands for the rest
    other = new_event(type="it.pdz.budget.something.happened.v1", service="budget", tenant=TENANT,
                      aggregate_id=INTERVENTION, data={})
    assert project(other) == []
