"""Fund assignment use cases: one transaction each, the connection passed in.

Every assignment moves the fund-year ledger (fund_years.assigned) in the same
transaction, in place, so the ledger's CHECK (allocated <= assigned + residui_in)
decides under concurrency whether a lowering correction leaves enough money for
what is already allocated (issue 10 item 1, 004_money.sql).
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.budget.funds import domain, events, store
from services.budget.reference import reference


class AssignmentNotFound(LookupError):
    """No fund assignment with this id in the Ambito."""


class StaleAssignment(Exception):
    """The assignment changed since the client read it."""

    def __init__(self, current_version: int):
        super().__init__(f"the assignment is at version {current_version}")
        self.current_version = current_version


def _move_ledger(conn: psycopg.Connection, *, fund: str, year: int, delta: Decimal, create: bool) -> dict:
    """Move fund_years.assigned by delta; the CHECK's refusal becomes BelowAllocated with the figures."""
    move = store.add_assigned if create else store.move_assigned
    try:
        with conn.transaction():   # a savepoint: after a refusal the outer transaction can still read
            row = move(conn, fund=fund, year=year, delta=delta)
    except psycopg.errors.NumericValueOutOfRange:
        raise domain.TotalTooLarge(fund, year) from None
    except psycopg.errors.CheckViolation:
        current = store.ledger(conn, fund=fund, year=year)
        raise domain.BelowAllocated(fund=fund, year=year, assigned_after=current["assigned"] + delta,
                                    residui_in=current["residui_in"], allocated=current["allocated"]) from None
    if row is None:
        raise domain.FundYearClosed(fund, year)
    return row


def record_assignment(*, conn: psycopg.Connection, tenant: str, region: str, fund: str, year: int,
                      amount: Decimal, decree_reference: str, decree_date: date, recorded_by: str) -> dict:
    """Record what a fund assigned for a year, by decree, and add it to the fund-year's `assigned`."""
    domain.check_fund(reference().funds.get(fund), fund, region=region)
    decree_reference = decree_reference.strip()
    with conn.transaction():
        try:
            with conn.transaction():
                assignment = store.insert(conn, id=uuid.uuid4(), fund_code=fund, year=year, amount=amount,
                                          decree_reference=decree_reference, decree_date=decree_date,
                                          created_by=recorded_by)
        except psycopg.errors.UniqueViolation:
            raise domain.DuplicateDecree(fund, year, decree_reference) from None
        ledger = _move_ledger(conn, fund=fund, year=year, delta=amount, create=True)
        add_event(conn, events.assignment_event(events.RECORDED, tenant=tenant, assignment=assignment, ledger=ledger))
    return assignment


def correct_assignment(*, conn: psycopg.Connection, tenant: str, assignment_id: uuid.UUID, version: int,
                       changes: dict, corrected_by: str) -> dict:
    """Correct an assignment's amount or decree; the fund-year's `assigned` follows the amount."""
    if "decree_reference" in changes:
        changes = {**changes, "decree_reference": changes["decree_reference"].strip()}
    with conn.transaction():
        current = store.get(conn, assignment_id, for_update=True)
        if current is None:
            raise AssignmentNotFound(assignment_id)
        if current["version"] != version:
            raise StaleAssignment(current["version"])
        changes = domain.changed_fields(current, changes)
        if not changes:
            return current
        fund, year = current["fund_code"], current["year"]
        try:
            with conn.transaction():
                assignment = store.update(conn, assignment_id, changes=changes, by=corrected_by)
        except psycopg.errors.UniqueViolation:
            raise domain.DuplicateDecree(fund, year, changes["decree_reference"]) from None
        # Also when only the decree changes: a closed fund-year's assignments are settled.
        ledger = _move_ledger(conn, fund=fund, year=year, delta=assignment["amount"] - current["amount"],
                              create=False)
        add_event(conn, events.assignment_event(events.CORRECTED, tenant=tenant, assignment=assignment,
                                                ledger=ledger, previous=current, changed=sorted(changes)))
    return assignment


def get_assignment(*, conn: psycopg.Connection, assignment_id: uuid.UUID) -> dict:
    """One assignment."""
    assignment = store.get(conn, assignment_id)
    if assignment is None:
        raise AssignmentNotFound(assignment_id)
    return assignment


def list_assignments(*, conn: psycopg.Connection, fund: str | None, year: int | None, after: str | None,
                     limit: int) -> dict:
    """A page of assignments in recording order, optionally of one fund and/or year."""
    return page(store.page(conn, fund=fund, year=year, after_seq=decode_cursor(after), limit=limit + 1), limit)


def fund_years(*, conn: psycopg.Connection, year: int | None, fund: str | None) -> list[dict]:
    """Per fund and year: assigned, residui carried in, allocated and what is still available."""
    funds = reference().funds
    rows = []
    for row in store.ledgers(conn, year=year, fund=fund):
        known = funds.get(row["fund_code"])
        rows.append({**row, "fund": row["fund_code"], "fund_name": known.name if known else row["fund_code"],
                     "source": known.source if known else None, "closed": row["closed_at"] is not None,
                     "available": domain.available(assigned=row["assigned"], residui_in=row["residui_in"],
                                                   allocated=row["allocated"])})
    return rows
