"""Allocation and residui rules, pure: the triennium, what an allocation may become, what a closure carries."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.budget.reference import Fund, earmark_violation

ZERO = Decimal("0.00")


class InvalidField(ValueError):
    """A request value this service refuses (422 naming the field)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class AllocationRefused(Exception):
    """A refusal with its problem slug (409 unless said otherwise) and extra members."""

    code = "allocation-refused"
    status = 409

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.extra = extra


class EarmarkViolation(AllocationRefused):
    code, status = "earmark-violation", 422

    def __init__(self, fund: str, rule: str):
        super().__init__(f"fund {fund} may not pay for this intervention: {rule}", fund=fund, rule=rule)


class FundExhausted(AllocationRefused):
    code = "fund-exhausted"

    def __init__(self, fund: str, year: int, available: Decimal):
        super().__init__(f"fund {fund} has {available} euro left to allocate in {year}",
                         fund=fund, year=year, available=str(available))


class BelowCommitted(AllocationRefused):
    code = "below-committed"

    def __init__(self, committed: Decimal):
        super().__init__(f"{committed} euro of this allocation are already committed: it cannot go below that",
                         committed=str(committed))


class FundYearClosed(AllocationRefused):
    code = "fund-year-closed"

    def __init__(self, fund: str, year: int):
        super().__init__(f"{fund} {year} is closed: its uncommitted money was carried to {year + 1} as residui, "
                         f"so its allocations no longer change", fund=fund, year=year)


class AllocationExists(AllocationRefused):
    code = "allocation-exists"

    def __init__(self, allocation_id):
        super().__init__(f"the intervention already has an allocation of this fund for this year "
                         f"({allocation_id}): change its amount instead", allocation_id=str(allocation_id))


class InterventionCancelled(AllocationRefused):
    code = "intervention-cancelled"

    def __init__(self):
        super().__init__("a cancelled intervention receives no money")


class AlreadyClosed(AllocationRefused):
    code = "fund-year-closed"

    def __init__(self, fund: str, year: int):
        super().__init__(f"{fund} {year} was already closed", fund=fund, year=year)


class PreviousYearOpen(AllocationRefused):
    code = "previous-year-open"

    def __init__(self, fund: str, year: int):
        super().__init__(f"close {fund} {year - 1} first: its residui flow into {year}", fund=fund, year=year - 1)


def check_year(year: int, *, first_year: int, last_year: int) -> None:
    """An allocation's year lies within the plan's triennium."""
    if not first_year <= year <= last_year:
        raise InvalidField("year", f"the plan covers {first_year}-{last_year}")


def check_earmark(fund: Fund | None, fund_code: str, intervention: dict, region: str | None) -> None:
    """Refuse a fund the reference data does not know, or whose earmarking the intervention breaks."""
    if fund is None:
        raise EarmarkViolation(fund_code, f"fund {fund_code} is not in the reference configuration")
    rule = earmark_violation(fund, area=intervention["area"], leps=intervention["leps"], kind=intervention["kind"],
                             nomenclature_code=intervention["nomenclature_code"],
                             target_group=intervention.get("target_group"), region=region)
    if rule is not None:
        raise EarmarkViolation(fund.code, rule)


def check_change(*, amount: Decimal, new_amount: Decimal, committed: Decimal, closed: bool, fund: str,
                 year: int) -> Decimal:
    """The ledger delta of changing an allocation from `amount` to `new_amount`, or the refusal."""
    if closed:
        raise FundYearClosed(fund, year)
    if new_amount < committed:
        raise BelowCommitted(committed)
    return new_amount - amount


@dataclass(frozen=True)
class Carried:
    """What closing a fund-year carries to the next: the total and where each part comes from."""

    amount: Decimal
    origin: list[dict]     # [{allocation_id, intervention_id, amount}], ids None for the never-allocated part
    per_allocation: dict   # allocation_id -> the uncommitted part carried from it


def carry(*, assigned: Decimal, residui_in: Decimal, allocated: Decimal, allocations: list[dict]) -> Carried:
    """Residui of a fund-year: every allocation's uncommitted part, plus what was never allocated.

    The total is assigned + residui_in - committed (the money of the year not committed by the closure);
    the committed but unpaid part stays with its commitments in the year (residui passivi, docs/budget.md).
    """
    if sum((a["amount"] for a in allocations), ZERO) != allocated:
        raise ValueError("the ledger's allocated differs from the sum of the allocations")
    per_allocation = {a["id"]: a["amount"] - a["committed"] for a in allocations
                      if a["amount"] - a["committed"] > 0}
    origin = [{"allocation_id": a["id"], "intervention_id": a["intervention_id"], "amount": per_allocation[a["id"]]}
              for a in allocations if a["id"] in per_allocation]
    never = assigned + residui_in - allocated
    if never > 0:
        origin.append({"allocation_id": None, "intervention_id": None, "amount": never})
    return Carried(amount=sum((o["amount"] for o in origin), ZERO), origin=origin, per_allocation=per_allocation)
