"""Payloads of the milestone events: the milestone's fields, never its note (free text of the office)."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.consultation import SERVICE

MILESTONE_PLANNED = "it.pdz.consultation.milestone.planned.v1"
MILESTONE_UPDATED = "it.pdz.consultation.milestone.updated.v1"


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def milestone_event(type_: str, *, tenant: str, milestone: dict, changed: list[str] | None = None) -> CloudEvent:
    data = {
        "milestone_id": str(milestone["id"]),
        "year": milestone["plan_year"],
        "phase": milestone["phase"],
        "table_id": str(milestone["table_id"]) if milestone["table_id"] else None,
        "title": milestone["title"],
        "planned_start": _day(milestone["planned_start"]),
        "planned_end": _day(milestone["planned_end"]),
        "actual_start": _day(milestone["actual_start"]),
        "actual_end": _day(milestone["actual_end"]),
        "status": milestone["status"],
        "template_key": milestone["template_key"],
        "version": milestone["version"],
    }
    if type_ == MILESTONE_PLANNED:
        data["planned_at"] = milestone["created_at"].isoformat()
    else:
        data["changed"] = sorted(changed or [])
        data["updated_at"] = milestone["updated_at"].isoformat()
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(milestone["id"]), data=data)
