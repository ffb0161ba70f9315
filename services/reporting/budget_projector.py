"""Budget's money events -> reporting's rows, pure (migration 004_budget_facts.sql).

Per tenant and allocation: fund, year, intervention, plan, allocated, committed, paid; per tenant and
plan version: its state. Idempotent by construction: every row is an Upsert guarded by a figure that
only grows (the allocation's `version`; committed + paid of the allocation after an act, which every
act raises since acts are never edited or deleted; the plan's version), so applying an event twice, or
an older one late, changes nothing.
"""
from __future__ import annotations

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent
from shared.events.readers import a_uuid, amount, integer, timestamp

ALLOCATION_MADE = "it.pdz.budget.allocation.made.v1"
ALLOCATION_CHANGED = "it.pdz.budget.allocation.changed.v1"
ALLOCATION_RELEASED = "it.pdz.budget.allocation.released.v1"
COMMITMENT_RECORDED = "it.pdz.budget.commitment.recorded.v1"
PAYMENT_RECORDED = "it.pdz.budget.payment.recorded.v1"
PLAN_CREATED = "it.pdz.budget.plan.created.v1"
PLAN_TRANSITIONED = "it.pdz.budget.plan.transitioned.v1"


def _identity(data: dict) -> dict:
    """What never changes for an allocation: its fund, year, intervention and plan."""
    return {"fund": str(data["fund"]), "year": integer(data, "year"),
            "intervention_id": a_uuid(data, "intervention_id"), "plan_id": a_uuid(data, "plan_id")}


def _key(event: CloudEvent) -> dict:
    return {"tenant": event.tenantid, "allocation_id": a_uuid(event.data, "allocation_id")}


def allocation(event: CloudEvent) -> list:
    """made / changed / released: the plan's figure for the allocation, guarded by its version."""
    data = event.data
    return [Upsert("budget_allocation_facts", key=_key(event),
                   values={**_identity(data), "allocated": amount(data, "amount"),
                           "released": event.type == ALLOCATION_RELEASED,
                           "allocation_version": integer(data, "version")},
                   newer_than="allocation_version")]


def expenditure(event: CloudEvent) -> list:
    """commitment / payment recorded: the allocation's committed and paid after the act."""
    data = event.data
    totals = data["allocation"]
    if not isinstance(totals, dict):
        raise ValueError("allocation must be an object with allocated, committed, paid")
    committed, paid = amount(totals, "committed"), amount(totals, "paid")
    return [Upsert("budget_allocation_facts", key=_key(event),
                   values={**_identity(data), "committed": committed, "paid": paid, "spent": committed + paid},
                   newer_than="spent")]


def plan_state(event: CloudEvent) -> list:
    """A plan version's state: `to` of a transition, `draft` of a creation; the plan's newer version wins."""
    data = event.data
    created = event.type == PLAN_CREATED
    return [Upsert("budget_plan_states",
                   key={"tenant": event.tenantid, "plan_id": a_uuid(data, "plan_id"),
                        "number": integer(data, "number")},
                   values={"first_year": integer(data, "first_year"), "last_year": integer(data, "last_year"),
                           "kind": str(data["kind"]),
                           "reference_year": integer(data, "first_year" if created else "reference_year"),
                           "state": str(data["state"] if created else data["to"]),
                           "changed_at": timestamp(data, "created_at" if created else "at"),
                           "plan_version": integer(data, "version")},
                   newer_than="plan_version")]


PROJECTORS = {ALLOCATION_MADE: allocation, ALLOCATION_CHANGED: allocation, ALLOCATION_RELEASED: allocation,
              COMMITMENT_RECORDED: expenditure, PAYMENT_RECORDED: expenditure,
              PLAN_CREATED: plan_state, PLAN_TRANSITIONED: plan_state}
