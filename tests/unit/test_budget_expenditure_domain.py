"""Expenditure rules without I/O: amounts, act dates, suppliers, and the summary's arithmetic to the cent."""
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from services.budget.expenditure import domain

CENTS = st.integers(min_value=0, max_value=10**12 - 1).map(lambda c: Decimal(c).scaleb(-2))


def test_amounts_are_positive_decimals():
    assert domain.check_amount(Decimal("0.01")) == Decimal("0.01")
    with pytest.raises(domain.InvalidField) as refused:
        domain.check_amount(Decimal("0.00"))
    assert refused.value.field == "amount"
    with pytest.raises(TypeError):
        domain.check_amount(10.5)


def test_act_dates_are_not_in_the_future_and_payments_follow_their_commitment():
    today = date(2025, 6, 30)
    assert domain.check_act_date(today, today=today) == today
    with pytest.raises(domain.InvalidField, match="after today"):
        domain.check_act_date(date(2025, 7, 1), today=today)
    with pytest.raises(domain.InvalidField, match="precede"):
        domain.check_act_date(date(2025, 3, 9), today=today, not_before=date(2025, 3, 10))
    assert domain.check_act_date(date(2025, 3, 10), today=today, not_before=date(2025, 3, 10))


def test_suppliers_must_be_in_the_register_and_not_suspended():
    domain.check_supplier({"status": "active"}, "x")
    domain.check_supplier({"status": "withdrawn"}, "x")   # the act exists: see docs/budget.md
    with pytest.raises(domain.SupplierSuspended):
        domain.check_supplier({"status": "suspended"}, "x")
    with pytest.raises(domain.InvalidField) as refused:
        domain.check_supplier(None, "x")
    assert refused.value.field == "supplier_id"


def test_refusals_name_the_figures():
    over = domain.OverCommitted(allocated=Decimal("1000.00"), committed=Decimal("900.00"), requested=Decimal("150.50"))
    assert over.code == "over-committed"
    assert "1000.00" in str(over) and "900.00" in str(over) and "150.50" in str(over) and "50.50" in str(over)
    paid = domain.OverPaid(committed=Decimal("100.00"), paid=Decimal("99.99"), requested=Decimal("0.02"))
    assert paid.code == "over-paid" and "by 0.01" in str(paid)


@st.composite
def ledgers(draw):
    """Fund-year rows as the database keeps them: paid <= committed <= allocated <= available."""
    rows = []
    for index in range(draw(st.integers(min_value=0, max_value=8))):
        assigned, residui_in = draw(CENTS), draw(CENTS)
        allocated = draw(st.integers(0, int((assigned + residui_in) * 100))) / Decimal(100)
        committed = draw(st.integers(0, int(allocated * 100))) / Decimal(100)
        paid = draw(st.integers(0, int(committed * 100))) / Decimal(100)
        rows.append({"fund_code": f"F{index}", "year": 2024 + index % 3, "assigned": assigned,
                     "residui_in": residui_in, "allocated": allocated, "committed": committed, "paid": paid})
    return rows


@given(ledgers())
def test_the_summary_reconciles_to_the_cent(rows):
    result = domain.summary(rows)
    lines, totals = result["lines"], result["totals"]
    assert [(line["fund_code"], line["year"]) for line in lines] == [(r["fund_code"], r["year"]) for r in rows]
    for line in [*lines, totals]:
        assert all(isinstance(v, Decimal) and v == v.quantize(Decimal("0.01"))
                   for k, v in line.items() if k not in ("fund_code", "year"))
        assert line["available"] == line["assigned"] + line["residui_in"]
        assert line["allocated"] + line["unallocated"] == line["available"]
        assert line["committed"] + line["uncommitted"] == line["allocated"]
        assert line["paid"] + line["to_pay"] == line["committed"]
        assert min(line["unallocated"], line["uncommitted"], line["to_pay"]) >= 0
    for figure in ("assigned", "residui_in", "available", "allocated", "unallocated", "committed", "uncommitted",
                   "paid", "to_pay"):
        assert totals[figure] == sum((line[figure] for line in lines), Decimal("0.00"))
    assert totals["fund_code"] is None and totals["year"] is None


def test_the_summary_refuses_a_float():
    with pytest.raises(TypeError):
        domain.summary([{"fund_code": "FNPS", "year": 2025, "assigned": 1.0, "residui_in": Decimal("0"),
                         "allocated": Decimal("0"), "committed": Decimal("0"), "paid": Decimal("0")}])


def test_an_empty_summary_is_all_zeros():
    assert domain.summary([]) == {"lines": [], "totals": {
        "fund_code": None, "year": None, **{k: Decimal("0.00") for k in (
            "assigned", "residui_in", "available", "allocated", "unallocated", "committed", "uncommitted", "paid",
            "to_pay")}}}
