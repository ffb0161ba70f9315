"""Allocation rules without I/O: earmarking as the allocations use it, the triennium, changes, and what a
closure carries (hypothesis: the residui reconcile to the cent with the ledger)."""
from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from services.budget.allocations import domain
from services.budget.reference import Fund, reference


def intervention(**extra):
    return {"area": "4", "leps": [], "kind": "service", "nomenclature_code": "1",
            "target_group": "poverta_emarginazione", **extra}


def test_an_unrestricted_fund_pays_for_anything_and_an_earmarked_one_names_its_rule():
    funds = reference().funds
    domain.check_earmark(funds["FNPS"], "FNPS", intervention(area="7", target_group="dipendenze"), "basilicata")
    with pytest.raises(domain.EarmarkViolation) as refused:
        domain.check_earmark(funds["FNA"], "FNA", intervention(), "basilicata")
    assert refused.value.extra["fund"] == "FNA" and "area" in refused.value.extra["rule"]
    assert refused.value.code == "earmark-violation" and refused.value.status == 422
    domain.check_earmark(funds["FNA"], "FNA", intervention(area="3", target_group="anziani"), "basilicata")


def test_leps_kind_and_region_restrictions_reach_the_allocation():
    funds = reference().funds
    pippi = intervention(area="2", target_group="minori", leps=["prevenzione-allontanamento-familiare"])
    with pytest.raises(domain.EarmarkViolation, match="kind"):
        domain.check_earmark(funds["PNRR-M5C2-1.1.1"], "PNRR-M5C2-1.1.1", pippi, "basilicata")
    domain.check_earmark(funds["PNRR-M5C2-1.1.1"], "PNRR-M5C2-1.1.1", {**pippi, "kind": "project"}, "basilicata")
    with pytest.raises(domain.EarmarkViolation, match="LEPS"):
        domain.check_earmark(funds["PNRR-M5C2-1.1.1"], "PNRR-M5C2-1.1.1", {**pippi, "kind": "project", "leps": []},
                             "basilicata")
    with pytest.raises(domain.EarmarkViolation, match="region"):
        domain.check_earmark(funds["FGSA-PUGLIA"], "FGSA-PUGLIA", intervention(), "basilicata")


def test_a_fund_missing_from_the_reference_data_pays_for_nothing():
    with pytest.raises(domain.EarmarkViolation, match="not in the reference"):
        domain.check_earmark(None, "GONE", intervention(), None)
    domain.check_earmark(Fund(code="ANY", name="Fondo", source="national"), "ANY", intervention(), None)


def test_the_year_lies_in_the_triennium():
    domain.check_year(2026, first_year=2024, last_year=2026)
    for year in (2023, 2027):
        with pytest.raises(domain.InvalidField) as refused:
            domain.check_year(year, first_year=2024, last_year=2026)
        assert refused.value.field == "year"


def test_a_change_is_its_delta_unless_below_committed_or_in_a_closed_year():
    args = {"fund": "FNPS", "year": 2024}
    assert domain.check_change(amount=Decimal("10.00"), new_amount=Decimal("4.00"), committed=Decimal("4.00"),
                               closed=False, **args) == Decimal("-6.00")
    with pytest.raises(domain.BelowCommitted):
        domain.check_change(amount=Decimal("10.00"), new_amount=Decimal("3.99"), committed=Decimal("4.00"),
                            closed=False, **args)
    with pytest.raises(domain.FundYearClosed):
        domain.check_change(amount=Decimal("10.00"), new_amount=Decimal("11.00"), committed=Decimal("0.00"),
                            closed=True, **args)


def test_the_refusals_carry_the_problem_members_as_strings():
    exhausted = domain.FundExhausted("FNPS", 2025, Decimal("300.00"))
    assert (exhausted.code, exhausted.extra) == ("fund-exhausted", {"fund": "FNPS", "year": 2025,
                                                                    "available": "300.00"})


money = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@st.composite
def fund_years(draw):
    """A consistent ledger: allocations within the money, each committed within its amount."""
    allocations = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        amount = draw(money)
        committed = draw(st.integers(min_value=0, max_value=int(amount * 100))) / Decimal(100)
        allocations.append({"id": uuid.uuid4(), "intervention_id": uuid.uuid4(), "amount": amount,
                            "committed": committed})
    allocated = sum((a["amount"] for a in allocations), Decimal("0.00"))
    residui_in = draw(money)
    assigned = max(allocated - residui_in, Decimal("0.00")) + draw(money)
    return assigned, residui_in, allocated, allocations


@given(fund_years())
def test_a_closure_carries_what_was_not_committed_and_its_origin_adds_up(ledger):
    assigned, residui_in, allocated, allocations = ledger
    carried = domain.carry(assigned=assigned, residui_in=residui_in, allocated=allocated, allocations=allocations)
    committed = sum((a["committed"] for a in allocations), Decimal("0.00"))
    assert carried.amount == assigned + residui_in - committed
    assert sum((o["amount"] for o in carried.origin), Decimal("0.00")) == carried.amount
    assert all(o["amount"] > 0 for o in carried.origin)
    never = [o for o in carried.origin if o["allocation_id"] is None]
    assert sum((o["amount"] for o in never), Decimal("0.00")) == assigned + residui_in - allocated
    for a in allocations:
        assert carried.per_allocation.get(a["id"], Decimal("0.00")) == a["amount"] - a["committed"]


def test_a_ledger_that_disagrees_with_its_rows_is_not_closed():
    with pytest.raises(ValueError):
        domain.carry(assigned=Decimal("10.00"), residui_in=Decimal("0.00"), allocated=Decimal("5.00"), allocations=[])
