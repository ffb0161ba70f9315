"""Payloads of the fund assignment events (amounts as euro strings, never numbers)."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event
from shared.money import format_amount

from services.budget import SERVICE
from services.budget.funds.domain import available

RECORDED = "it.pdz.budget.fund_assignment.recorded.v1"
CORRECTED = "it.pdz.budget.fund_assignment.corrected.v1"


def _ledger(row: dict) -> dict:
    return {"assigned": format_amount(row["assigned"]), "residui_in": format_amount(row["residui_in"]),
            "allocated": format_amount(row["allocated"]),
            "available": format_amount(available(assigned=row["assigned"], residui_in=row["residui_in"],
                                                 allocated=row["allocated"]))}


def assignment_event(type_: str, *, tenant: str, assignment: dict, ledger: dict, previous: dict | None = None,
                     changed: list[str] | None = None) -> CloudEvent:
    data = {
        "assignment_id": str(assignment["id"]),
        "fund": assignment["fund_code"],
        "year": assignment["year"],
        "amount": format_amount(assignment["amount"]),
        "decree_reference": assignment["decree_reference"],
        "decree_date": assignment["decree_date"].isoformat(),
        "version": assignment["version"],
        "fund_year": _ledger(ledger),
    }
    if previous is not None:
        data["previous_amount"] = format_amount(previous["amount"])
        data["changed"] = list(changed or [])
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(assignment["id"]), data=data)
