"""Payloads of the allocation and fund-year events: amounts as strings with two decimals, never numbers or people."""
from __future__ import annotations

from decimal import Decimal

from shared.events.envelope import CloudEvent, new_event
from shared.money import format_amount

from services.budget import SERVICE

ALLOCATION_MADE = "it.pdz.budget.allocation.made.v1"
ALLOCATION_CHANGED = "it.pdz.budget.allocation.changed.v1"
ALLOCATION_RELEASED = "it.pdz.budget.allocation.released.v1"
FUND_YEAR_CLOSED = "it.pdz.budget.fund_year.closed.v1"


def allocation_event(type_: str, *, tenant: str, allocation: dict, previous_amount: Decimal | None) -> CloudEvent:
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(allocation["id"]), data={
        "allocation_id": str(allocation["id"]),
        "intervention_id": str(allocation["intervention_id"]),
        "plan_id": str(allocation["plan_id"]),
        "fund": allocation["fund_code"],
        "year": allocation["year"],
        "amount": format_amount(allocation["amount"]),
        "previous_amount": format_amount(previous_amount) if previous_amount is not None else None,
        "committed": format_amount(allocation["committed"]),
        "version": allocation["version"],
    })


def fund_year_id(fund: str, year: int) -> str:
    """The aggregate id of a fund-year (the event key's second part)."""
    return f"{fund}/{year}"


def closed_event(*, tenant: str, closure: dict) -> CloudEvent:
    return new_event(type=FUND_YEAR_CLOSED, service=SERVICE, tenant=tenant,
                     aggregate_id=fund_year_id(closure["fund_code"], closure["year"]), data={
        "fund": closure["fund_code"],
        "year": closure["year"],
        "closed_at": closure["closed_at"].isoformat(),
        "assigned": format_amount(closure["assigned"]),
        "residui_in": format_amount(closure["residui_in"]),
        "allocated": format_amount(closure["allocated"]),
        "committed": format_amount(closure["committed"]),
        "carried": format_amount(closure["carried"]),
        "to_year": closure["to_year"],
        "origin": closure["origin"],
    })
