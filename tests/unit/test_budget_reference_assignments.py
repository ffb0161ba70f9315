"""The fund assignment rules (services/budget/funds/domain.py): which funds an Ambito may receive, and the
fund-year ledger's arithmetic, as a property over random sequences of assignments, corrections and allocations."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from services.budget.funds import domain
from services.budget.reference import reference

CENTS = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2))


def test_an_ambito_receives_national_funds_and_only_its_own_regions():
    funds = reference().funds
    assert domain.check_fund(funds["FNPS"], "FNPS", region="basilicata") is funds["FNPS"]
    assert domain.check_fund(funds["FR-BASILICATA"], "FR-BASILICATA", region="basilicata").region == "basilicata"
    with pytest.raises(domain.FundOfAnotherRegion, match="region lombardia"):
        domain.check_fund(funds["FSR-LOMBARDIA"], "FSR-LOMBARDIA", region="basilicata")
    with pytest.raises(domain.UnknownFund, match="NESSUNO"):
        domain.check_fund(None, "NESSUNO", region="basilicata")


def test_the_refusal_names_every_figure():
    error = domain.BelowAllocated(fund="FNA", year=2025, assigned_after=Decimal("79499.99"),
                                  residui_in=Decimal("500.00"), allocated=Decimal("80000.00"))
    for figure in ("FNA", "2025", "79499.99", "500.00", "80000.00"):
        assert figure in str(error)


def test_only_real_changes_are_changes():
    current = {"amount": Decimal("10.00"), "decree_reference": "DGR 1"}
    assert domain.changed_fields(current, {"amount": Decimal("10.00"), "decree_reference": "DGR 2"}) == {
        "decree_reference": "DGR 2"}


operations = st.lists(st.one_of(
    st.tuples(st.just("assign"), CENTS),
    st.tuples(st.just("correct"), st.integers(min_value=0, max_value=50), CENTS),
    st.tuples(st.just("allocate"), CENTS),
    st.tuples(st.just("release"), CENTS),
), max_size=60)


@given(operations, CENTS)
def test_the_ledger_reconciles_to_the_cent_whatever_the_sequence(ops, residui_in):
    amounts: list[Decimal] = []
    assigned, allocated = Decimal("0.00"), Decimal("0.00")
    for op in ops:
        if op[0] == "assign":
            amounts.append(op[1])
            assigned += op[1]
        elif op[0] == "correct" and amounts:
            index = op[1] % len(amounts)
            after = assigned + op[2] - amounts[index]
            if domain.fits(assigned=after, residui_in=residui_in, allocated=allocated):
                amounts[index], assigned = op[2], after
        elif op[0] == "allocate":
            if domain.fits(assigned=assigned, residui_in=residui_in, allocated=allocated + op[1]):
                allocated += op[1]
        elif op[0] == "release":
            allocated -= min(op[1], allocated)
        assert assigned == sum(amounts, Decimal("0.00"))
        available = domain.available(assigned=assigned, residui_in=residui_in, allocated=allocated)
        assert available >= 0 and available == assigned + residui_in - allocated
        assert available.as_tuple().exponent == -2
