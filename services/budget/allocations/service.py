"""Allocation use cases: one transaction each, the connection passed in; the ledger moves in the same transaction.

Locks are taken in one order everywhere (plan FOR SHARE, intervention FOR SHARE, fund-year row, allocation
row), so concurrent writers queue on the fund-year row instead of deadlocking; the CHECKs of the ledger rows
are the last word on money, whatever the race (a CheckViolation becomes a domain refusal).
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Mapping

import psycopg
from psycopg import errors

from shared.outbox.store import add_event

from services.budget.allocations import domain, events, store
from services.budget.plans.editable import ensure_editable
from services.budget.reference import Fund

ACTIONS = ("made", "changed", "released")


class InterventionNotFound(LookupError):
    """No such intervention in this Ambito."""


class AllocationNotFound(LookupError):
    """No such allocation in this Ambito."""


class StaleAllocation(Exception):
    def __init__(self, current_version: int):
        super().__init__(f"the allocation is at version {current_version}")
        self.current_version = current_version


def _editable_intervention(conn, intervention_id) -> dict:
    found = store.intervention(conn, intervention_id)
    if found is None:
        raise InterventionNotFound(intervention_id)
    ensure_editable(conn, plan_id=found["plan_id"])
    return store.intervention(conn, intervention_id, lock=True)


def _move(conn, *, fund: str, year: int, delta: Decimal) -> dict:
    """Move the ledger by delta (a savepoint, so a refusal leaves the transaction usable for reading why)."""
    ledger = store.fund_year(conn, fund=fund, year=year, lock=True)
    if ledger is None:   # no assignment for that fund and year: nothing to allocate
        raise domain.FundExhausted(fund, year, Decimal("0.00"))
    if ledger["closed_at"] is not None:
        raise domain.FundYearClosed(fund, year)
    try:
        with conn.transaction():
            return store.move_ledger(conn, fund=fund, year=year, delta=delta)
    except errors.CheckViolation:
        raise domain.FundExhausted(fund, year, store.available(conn, fund=fund, year=year)) from None


def make_allocation(*, conn: psycopg.Connection, tenant: str, intervention_id: uuid.UUID, fund: Fund, year: int,
                    amount: Decimal, by: str, region: str | None = None) -> dict:
    """Allocate `amount` of a fund's year to an intervention (earmarking and the fund's availability checked)."""
    if amount <= 0:
        raise domain.InvalidField("amount", "an allocation starts above zero")
    with conn.transaction():
        intervention = _editable_intervention(conn, intervention_id)
        domain.check_year(year, first_year=intervention["first_year"], last_year=intervention["last_year"])
        if intervention["status"] == "cancelled":
            raise domain.InterventionCancelled()
        domain.check_earmark(fund, fund.code, intervention, region)
        existing = store.find(conn, intervention_id=intervention_id, fund=fund.code, year=year)
        if existing is not None:
            raise domain.AllocationExists(existing["id"])
        _move(conn, fund=fund.code, year=year, delta=amount)
        try:
            with conn.transaction():
                row = store.insert(conn, id=uuid.uuid4(), intervention_id=intervention_id, fund_code=fund.code,
                                   year=year, amount=amount, created_by=by)
        except errors.UniqueViolation:  # a concurrent request made it first
            found = store.find(conn, intervention_id=intervention_id, fund=fund.code, year=year)
            raise domain.AllocationExists(found["id"] if found else "?") from None
        add_event(conn, events.allocation_event(events.ALLOCATION_MADE, tenant=tenant, allocation=row,
                                                previous_amount=None))
    return row


def _locked(conn, allocation_id, version: int | None) -> tuple[dict, dict]:
    """The allocation and its fund-year, locked in the global order, after the plan check."""
    current = store.get(conn, allocation_id)
    if current is None:
        raise AllocationNotFound(allocation_id)
    intervention = _editable_intervention(conn, current["intervention_id"])
    ledger = store.fund_year(conn, fund=current["fund_code"], year=current["year"], lock=True)
    row = store.get(conn, allocation_id, lock=True)
    if row is None:
        raise AllocationNotFound(allocation_id)
    if version is not None and row["version"] != version:
        raise StaleAllocation(row["version"])
    return {**row, "intervention": intervention}, ledger


def change_allocation(*, conn: psycopg.Connection, tenant: str, allocation_id: uuid.UUID, version: int,
                      amount: Decimal, funds: Mapping[str, Fund], region: str | None = None) -> dict:
    """Set a new amount (not below what is committed; a raise checks earmarking and the fund's availability)."""
    with conn.transaction():
        row, ledger = _locked(conn, allocation_id, version)
        delta = domain.check_change(amount=row["amount"], new_amount=amount, committed=row["committed"],
                                    closed=ledger["closed_at"] is not None, fund=row["fund_code"], year=row["year"])
        if delta > 0:
            domain.check_earmark(funds.get(row["fund_code"]), row["fund_code"], row["intervention"], region)
        if delta == 0:
            return _plain(row)
        _move(conn, fund=row["fund_code"], year=row["year"], delta=delta)
        try:
            with conn.transaction():
                changed = store.set_amount(conn, allocation_id, amount)
        except errors.CheckViolation:   # committed moved meanwhile: the CHECK is the last word
            raise domain.BelowCommitted(store.get(conn, allocation_id)["committed"]) from None
        add_event(conn, events.allocation_event(events.ALLOCATION_CHANGED, tenant=tenant, allocation=changed,
                                                previous_amount=row["amount"]))
    return changed


def release_allocation(*, conn: psycopg.Connection, tenant: str, allocation_id: uuid.UUID, version: int) -> dict:
    """Delete an allocation nothing was committed on, giving its whole amount back to the fund-year."""
    with conn.transaction():
        row, ledger = _locked(conn, allocation_id, version)
        domain.check_change(amount=row["amount"], new_amount=Decimal("0.00"), committed=row["committed"],
                            closed=ledger["closed_at"] is not None, fund=row["fund_code"], year=row["year"])
        _move(conn, fund=row["fund_code"], year=row["year"], delta=-row["amount"])
        store.delete(conn, allocation_id)
        add_event(conn, events.allocation_event(events.ALLOCATION_RELEASED, tenant=tenant,
                                                allocation={**row, "amount": Decimal("0.00")},
                                                previous_amount=row["amount"]))
    return _plain(row)


def _plain(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "intervention"}


def get_allocation(*, conn: psycopg.Connection, allocation_id: uuid.UUID) -> dict:
    """One allocation."""
    row = store.get(conn, allocation_id)
    if row is None:
        raise AllocationNotFound(allocation_id)
    return row


def list_allocations(*, conn: psycopg.Connection, intervention_id: uuid.UUID | None = None, fund: str | None = None,
                     year: int | None = None, after_seq: int = 0, limit: int = 50) -> list[dict]:
    """Up to `limit` allocations after `after_seq` in creation order, by intervention and/or fund-year."""
    if intervention_id is not None and store.intervention(conn, intervention_id) is None:
        raise InterventionNotFound(intervention_id)
    return store.page(conn, intervention_id=intervention_id, fund=fund, year=year, after_seq=after_seq, limit=limit)
