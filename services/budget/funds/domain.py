"""Rules of fund assignments and of the fund-year ledger: pure, no I/O."""
from __future__ import annotations

from decimal import Decimal

from services.budget.reference import Fund


class UnknownFund(LookupError):
    """The fund code is not in the reference configuration."""

    def __init__(self, code: str):
        super().__init__(f"no fund {code!r} in the reference data")
        self.code = code


class FundOfAnotherRegion(ValueError):
    """A regional fund assigns money only to the Ambiti of its region."""

    def __init__(self, fund: Fund, region: str):
        super().__init__(f"fund {fund.code} is a fund of region {fund.region}; this Ambito is in {region}")
        self.fund, self.region = fund, region


class FundYearClosed(Exception):
    """The fund-year was closed (its residui carried to the next year): its assignment is settled."""

    def __init__(self, fund: str, year: int):
        super().__init__(f"fund {fund} year {year} is closed: its residui were carried to {year + 1}")
        self.fund, self.year = fund, year


class BelowAllocated(Exception):
    """A correction would leave the fund-year with less money than is already allocated from it."""

    def __init__(self, *, fund: str, year: int, assigned_after: Decimal, residui_in: Decimal, allocated: Decimal):
        super().__init__(
            f"fund {fund} year {year}: assigned would become {assigned_after} (+ {residui_in} residui), "
            f"but {allocated} is already allocated to interventions; release allocations first")
        self.fund, self.year = fund, year
        self.assigned_after, self.residui_in, self.allocated = assigned_after, residui_in, allocated


class TotalTooLarge(ValueError):
    """The fund-year's total would not fit an amount (NUMERIC(14,2): at most 999,999,999,999.99)."""

    def __init__(self, fund: str, year: int):
        super().__init__(f"fund {fund} year {year}: the assigned total would exceed 999999999999.99")
        self.fund, self.year = fund, year


class DuplicateDecree(Exception):
    """The same decree is already recorded for this fund and year."""

    def __init__(self, fund: str, year: int, decree_reference: str):
        super().__init__(f"decree {decree_reference!r} is already recorded for fund {fund} year {year}")
        self.fund, self.year, self.decree_reference = fund, year, decree_reference


def check_fund(fund: Fund | None, code: str, *, region: str) -> Fund:
    """The fund, if this Ambito (of `region`) may receive it."""
    if fund is None:
        raise UnknownFund(code)
    if fund.region is not None and fund.region != region:
        raise FundOfAnotherRegion(fund, region)
    return fund


def available(*, assigned: Decimal, residui_in: Decimal, allocated: Decimal) -> Decimal:
    """What can still be allocated on a fund-year."""
    return assigned + residui_in - allocated


def fits(*, assigned: Decimal, residui_in: Decimal, allocated: Decimal) -> bool:
    """The ledger invariant (the CHECK of fund_years): never more allocated than there is."""
    return assigned >= 0 and allocated <= assigned + residui_in


def changed_fields(current: dict, changes: dict) -> dict:
    """The changes that actually change something."""
    return {k: v for k, v in changes.items() if current.get(k) != v}
