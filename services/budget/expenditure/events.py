"""Payloads of the expenditure events: organisations and aggregates only, never people.

Both are keyed by the allocation (ce_subject = allocation_id): they change its ledger, so one
allocation's commitments and payments reach a consumer in order and the `allocation` figures of the
latest event are its totals. Amounts are strings with two decimals, never numbers. The account that
recorded the act is not written (it may be a person's user name).
"""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event
from shared.money import format_amount

from services.budget import SERVICE

COMMITMENT_RECORDED = "it.pdz.budget.commitment.recorded.v1"
PAYMENT_RECORDED = "it.pdz.budget.payment.recorded.v1"


def _ledger(allocation: dict) -> dict:
    return {"allocation_id": str(allocation["id"]), "intervention_id": str(allocation["intervention_id"]),
            "fund": allocation["fund_code"], "year": allocation["year"],
            "allocation": {"allocated": format_amount(allocation["amount"]),
                           "committed": format_amount(allocation["committed"]),
                           "paid": format_amount(allocation["paid"])}}


def commitment_recorded(*, tenant: str, commitment: dict, allocation: dict) -> CloudEvent:
    data = {"commitment_id": str(commitment["id"]), "plan_id": str(commitment["plan_id"]), **_ledger(allocation),
            "amount": format_amount(commitment["amount"]), "act_date": commitment["act_date"].isoformat(),
            "act_reference": commitment["act_reference"], "cup": commitment["cup"], "cig": commitment["cig"],
            "supplier_id": str(commitment["supplier_id"]) if commitment["supplier_id"] else None,
            "recorded_at": commitment["created_at"].isoformat()}
    return new_event(type=COMMITMENT_RECORDED, service=SERVICE, tenant=tenant, aggregate_id=str(allocation["id"]),
                     data=data)


def payment_recorded(*, tenant: str, payment: dict, commitment: dict, allocation: dict) -> CloudEvent:
    data = {"payment_id": str(payment["id"]), "commitment_id": str(commitment["id"]),
            "plan_id": str(commitment["plan_id"]), **_ledger(allocation),
            "amount": format_amount(payment["amount"]), "act_date": payment["act_date"].isoformat(),
            "act_reference": payment["act_reference"],
            "commitment": {"committed": format_amount(commitment["amount"]),
                           "paid": format_amount(commitment["paid"])},
            "recorded_at": payment["created_at"].isoformat()}
    return new_event(type=PAYMENT_RECORDED, service=SERVICE, tenant=tenant, aggregate_id=str(allocation["id"]),
                     data=data)
