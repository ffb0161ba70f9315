"""Expenditure rules, pure: what a commitment or a payment may be, the refusals, the summary arithmetic.

A commitment (impegno) takes part of an allocation (fund x intervention x year); a payment
(liquidazione) pays part of a commitment. The ledgers are columns updated in place and guarded by
CHECKs (migration 004): allocations paid <= committed <= amount, commitments paid <= amount. The
database refuses what would overspend whatever the race; the errors below say so with the figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.budget.expenditure import codes

ZERO = Decimal("0.00")


class ExpenditureError(Exception):
    """A refusal of the use case, with its problem slug in `code`."""

    code = "expenditure"


class AllocationNotFound(LookupError):
    """No allocation with this id in the Ambito."""


class CommitmentNotFound(LookupError):
    """No commitment with this id in the Ambito."""


class InvalidField(ExpenditureError):
    """A field's value breaks a rule the schema cannot state (422 naming the field)."""

    code = "validation-error"

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class PlanNotApproved(ExpenditureError):
    """The allocation is not yet in a plan the Assemblea dei Sindaci approved."""

    code = "plan-not-approved"

    def __init__(self, plan_id):
        super().__init__(f"the allocation is not part of a version of plan {plan_id} approved by the Assemblea "
                         "dei Sindaci: money is committed only on approved allocations")
        self.plan_id = plan_id


class FundYearClosed(ExpenditureError):
    """The fund-year was closed: its unspent money went to the next year as residui."""

    code = "fund-year-closed"

    def __init__(self, fund_code: str, year: int):
        super().__init__(f"{fund_code} {year} is closed and its unspent money carried to {year + 1} as residui: "
                         f"commit on the {year + 1} allocation")
        self.fund_code, self.year = fund_code, year


class SupplierSuspended(ExpenditureError):
    """The supplier is suspended in the register."""

    code = "supplier-suspended"

    def __init__(self, supplier_id):
        super().__init__(f"the organisation {supplier_id} is suspended in the register: lift the suspension "
                         "before committing money to it")
        self.supplier_id = supplier_id


class OrganisationRevoked(ExpenditureError):
    """The supplier came from a former Ambito's register that is no longer shared (marked by revoke.py)."""

    code = "organisation-revoked"

    def __init__(self, supplier_id):
        super().__init__(f"the organisation {supplier_id} came from a former Ambito's register that is no longer "
                         "shared with this one: kept for history only")
        self.supplier_id = supplier_id


class OverCommitted(ExpenditureError):
    """More would be committed than allocated."""

    code = "over-committed"

    def __init__(self, *, allocated: Decimal, committed: Decimal, requested: Decimal):
        super().__init__(f"the allocation has {allocated} allocated and {committed} already committed: "
                         f"{requested} more would exceed it by {committed + requested - allocated}")
        self.allocated, self.committed, self.requested = allocated, committed, requested


class OverPaid(ExpenditureError):
    """More would be paid than committed."""

    code = "over-paid"

    def __init__(self, *, committed: Decimal, paid: Decimal, requested: Decimal):
        super().__init__(f"the commitment is {committed} and {paid} is already paid: "
                         f"{requested} more would exceed it by {paid + requested - committed}")
        self.committed, self.paid, self.requested = committed, paid, requested


def check_amount(amount: Decimal) -> Decimal:
    """A positive Decimal with cents (a float never reaches NUMERIC)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"an amount must be a Decimal, got {type(amount).__name__}")
    if amount <= ZERO:
        raise InvalidField("amount", "must be more than 0.00")
    return amount


def check_act_date(act_date: date, *, today: date, not_before: date | None = None) -> date:
    """An act already adopted (not after today); a payment's not before its commitment's."""
    if act_date > today:
        raise InvalidField("act_date", f"an act is recorded once adopted: {act_date} is after today ({today})")
    if not_before is not None and act_date < not_before:
        raise InvalidField("act_date", f"a payment cannot precede its commitment's act ({not_before})")
    return act_date


def check_codes(*, cup: str | None, cig: str | None) -> tuple[str | None, str | None]:
    """The CUP and CIG normalised (capitals, no blanks around), or InvalidField naming the one that is wrong."""
    result = []
    for field, value, problem in (("cup", cup, codes.cup_problem), ("cig", cig, codes.cig_problem)):
        if value is None or not value.strip():
            result.append(None)
            continue
        value = codes.normalise(value)
        why = problem(value)
        if why:
            raise InvalidField(field, why)
        result.append(value)
    return result[0], result[1]


def check_supplier(supplier: dict | None, supplier_id) -> None:
    """The supplier is in the register replica and not suspended (withdrawn is accepted: see docs)."""
    if supplier is None:
        raise InvalidField("supplier_id", "no such organisation in the register (the replica of the registry)")
    if supplier.get("revoked_at") is not None:
        raise OrganisationRevoked(supplier_id)
    if supplier["status"] == "suspended":
        raise SupplierSuspended(supplier_id)


@dataclass(frozen=True)
class SummaryLine:
    """One fund-year: what was available, allocated, committed and paid, and what follows from them."""

    fund_code: str | None
    year: int | None
    assigned: Decimal
    residui_in: Decimal
    allocated: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def available(self) -> Decimal:
        return self.assigned + self.residui_in

    @property
    def unallocated(self) -> Decimal:
        return self.available - self.allocated

    @property
    def uncommitted(self) -> Decimal:
        return self.allocated - self.committed

    @property
    def to_pay(self) -> Decimal:
        """Committed and not yet paid (residui passivi, once the year is closed)."""
        return self.committed - self.paid

    def as_dict(self) -> dict:
        return {"fund_code": self.fund_code, "year": self.year, "assigned": self.assigned,
                "residui_in": self.residui_in, "available": self.available, "allocated": self.allocated,
                "unallocated": self.unallocated, "committed": self.committed, "uncommitted": self.uncommitted,
                "paid": self.paid, "to_pay": self.to_pay}


FIGURES = ("assigned", "residui_in", "allocated", "committed", "paid")


def summary(rows: list[dict]) -> dict:
    """Lines per fund and year (in the order given) and their totals, every figure exact to the cent."""
    lines = [SummaryLine(fund_code=r["fund_code"], year=r["year"], **{k: _cents(r[k]) for k in FIGURES})
             for r in rows]
    total = SummaryLine(fund_code=None, year=None,
                        **{k: sum((getattr(line, k) for line in lines), ZERO) for k in FIGURES})
    return {"lines": [line.as_dict() for line in lines], "totals": total.as_dict()}


def _cents(value) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"a ledger figure must be a Decimal, got {type(value).__name__}")
    return value.quantize(Decimal("0.01"))
