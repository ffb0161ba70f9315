"""Expenditure use cases: one transaction each, the connection passed in.

Recording a commitment or a payment is an UPDATE of the ledger columns in place
(`committed = committed + x`, `paid = paid + x`): the row lock serialises concurrent writers and the
CHECKs of migration 004 refuse whatever would overspend, whatever the race. The refused UPDATE runs in
a savepoint, so the figures for the 409 are read in the same transaction right after.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg

from shared.outbox.store import add_event

from services.budget.expenditure import domain, events, store

ROME = ZoneInfo("Europe/Rome")


def today() -> date:
    """The day in Italy, where the acts are adopted."""
    return datetime.now(ROME).date()


def _guarded(conn: psycopg.Connection, update, refusal):
    """Run `update` in a savepoint; if a CHECK refuses it, raise what `refusal()` builds (after the rollback)."""
    try:
        with conn.transaction():
            return update()
    except psycopg.errors.CheckViolation:
        pass
    raise refusal()


def _reference(act_reference: str) -> str:
    text = act_reference.strip()
    if not text:
        raise domain.InvalidField("act_reference", "name the act (e.g. \"Determina n. 123 del 10/03/2025\")")
    return text


def record_commitment(*, conn: psycopg.Connection, tenant: str, allocation_id: uuid.UUID, amount: Decimal,
                      act_date: date, act_reference: str, recorded_by: str, cup: str | None = None,
                      cig: str | None = None, supplier_id: uuid.UUID | None = None, on: date | None = None) -> dict:
    """Commit part of an allocation by an adopted act (impegno), with its event, in one transaction."""
    domain.check_amount(amount)
    domain.check_act_date(act_date, today=on or today())
    cup, cig = domain.check_codes(cup=cup, cig=cig)
    act_reference = _reference(act_reference)
    with conn.transaction():
        allocation = store.allocation_for_commitment(conn, allocation_id)   # locks the fund-year first
        if allocation is None:
            raise domain.AllocationNotFound(allocation_id)
        if allocation["closed_at"] is not None:
            raise domain.FundYearClosed(allocation["fund_code"], allocation["year"])
        if not allocation["approved"]:
            raise domain.PlanNotApproved(allocation["plan_id"])
        if supplier_id is not None:
            domain.check_supplier(store.organisation(conn, supplier_id), supplier_id)

        def refusal():
            figures = store.allocation_figures(conn, allocation_id)
            return domain.OverCommitted(allocated=figures["amount"], committed=figures["committed"], requested=amount)

        ledger = _guarded(conn, lambda: store.add_committed(conn, allocation_id, amount), refusal)
        commitment_id = uuid.uuid4()
        # An intervention's CUP (an investment's) is the commitment's unless the act names another.
        store.insert_commitment(conn, id=commitment_id, allocation_id=allocation_id, amount=amount,
                                act_date=act_date, act_reference=act_reference,
                                cup=cup or allocation["intervention_cup"], cig=cig, supplier_id=supplier_id,
                                created_by=recorded_by)
        commitment = store.get_commitment(conn, commitment_id)
        add_event(conn, events.commitment_recorded(tenant=tenant, commitment=commitment, allocation=ledger))
    return commitment


def record_payment(*, conn: psycopg.Connection, tenant: str, commitment_id: uuid.UUID, amount: Decimal,
                   act_date: date, act_reference: str, recorded_by: str, on: date | None = None) -> dict:
    """Pay part of a commitment by an adopted act (liquidazione), with its event, in one transaction."""
    domain.check_amount(amount)
    act_reference = _reference(act_reference)
    with conn.transaction():
        # Read without a lock: allocation_id and act_date never change. The locks come next, in the
        # order of store.py: the allocation row, then the commitment row.
        commitment = store.get_commitment(conn, commitment_id)
        if commitment is None:
            raise domain.CommitmentNotFound(commitment_id)
        domain.check_act_date(act_date, today=on or today(), not_before=commitment["act_date"])
        allocation_id = commitment["allocation_id"]

        def update():
            ledger = store.add_paid_to_allocation(conn, allocation_id, amount)
            return ledger, store.add_paid_to_commitment(conn, commitment_id, amount)

        def refusal():
            figures = store.commitment_figures(conn, commitment_id)
            return domain.OverPaid(committed=figures["amount"], paid=figures["paid"], requested=amount)

        ledger, figures = _guarded(conn, update, refusal)
        payment = store.insert_payment(conn, id=uuid.uuid4(), commitment_id=commitment_id, amount=amount,
                                       act_date=act_date, act_reference=act_reference, created_by=recorded_by)
        payment["allocation_id"] = allocation_id
        add_event(conn, events.payment_recorded(tenant=tenant, payment=payment,
                                                commitment={**commitment, **figures}, allocation=ledger))
    return payment


def get_commitment(*, conn: psycopg.Connection, commitment_id: uuid.UUID) -> dict:
    """One commitment with its fund, year, intervention and what is still to pay."""
    commitment = store.get_commitment(conn, commitment_id)
    if commitment is None:
        raise domain.CommitmentNotFound(commitment_id)
    return commitment


def list_commitments(*, conn: psycopg.Connection, filters: dict, after_seq: int, limit: int) -> list[dict]:
    """At most `limit` commitments after `after_seq` in recording order, filtered (None = any)."""
    return store.page_commitments(conn, filters=filters, after_seq=after_seq, limit=limit)


def list_allocation_commitments(*, conn: psycopg.Connection, allocation_id: uuid.UUID, after_seq: int,
                                limit: int) -> list[dict]:
    """At most `limit` commitments of one allocation after `after_seq`; AllocationNotFound if there is none."""
    if not store.allocation_exists(conn, allocation_id):
        raise domain.AllocationNotFound(allocation_id)
    return store.page_commitments(conn, filters={"allocation_id": allocation_id}, after_seq=after_seq, limit=limit)


def list_payments(*, conn: psycopg.Connection, commitment_id: uuid.UUID, after_seq: int, limit: int) -> list[dict]:
    """At most `limit` payments of a commitment after `after_seq`, in recording order."""
    get_commitment(conn=conn, commitment_id=commitment_id)
    return store.page_payments(conn, commitment_id=commitment_id, after_seq=after_seq, limit=limit)


def expenditure_summary(*, conn: psycopg.Connection, year: int | None = None, fund: str | None = None) -> dict:
    """Per fund and year: available, allocated, committed, paid, still to pay; with totals."""
    return domain.summary(store.summary_rows(conn, year=year, fund=fund))
