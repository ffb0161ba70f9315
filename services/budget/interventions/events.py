"""Payloads of the intervention events: organisations and aggregates only, never people.

Every event carries the intervention as it stands (a snapshot, so a receiver keeps a replica from any
one of them, guarded by `version`); `progress_recorded` adds the period's record. The accounts that
made a change (token subjects) are never written: a subject may be a person's user name. Percentages
are strings with two decimals, output figures strings (e.g. "42", "12.5"), never floats.
"""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.budget import SERVICE

PLANNED = "it.pdz.budget.intervention.planned.v1"
UPDATED = "it.pdz.budget.intervention.updated.v1"
PROGRESS_RECORDED = "it.pdz.budget.intervention.progress_recorded.v1"


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def snapshot(intervention: dict) -> dict:
    """The intervention's data every event carries."""
    latest = intervention.get("progress")
    continues = intervention.get("continues")
    return {
        "intervention_id": str(intervention["id"]), "plan_id": str(intervention["plan_id"]),
        "code": intervention["code"], "title": intervention["title"],
        "nomenclature_code": intervention["nomenclature_code"], "area": intervention["area"],
        "target_group": intervention["target_group"], "leps": list(intervention["leps"]),
        "kind": intervention["kind"], "investment": intervention["investment"],
        "comuni": list(intervention["comuni"]),
        "managing_body": str(intervention["managing_body"]) if intervention["managing_body"] else None,
        "cup": intervention["cup"],
        "continues": ({"origin": continues["origin"], "intervention_id": str(continues["intervention_id"])}
                      if continues else None),
        "proposal_ids": [str(p) for p in intervention["proposal_ids"]],
        "need_ids": [str(n) for n in intervention["need_ids"]],
        "status": intervention["status"],
        "planned_start": _day(intervention["planned_start"]), "planned_end": _day(intervention["planned_end"]),
        "actual_start": _day(intervention["actual_start"]), "actual_end": _day(intervention["actual_end"]),
        "percentage": str(latest["percentage"]) if latest else None,
        "version": intervention["version"],
        "updated_at": intervention["updated_at"].isoformat(),
    }


def intervention_event(type_: str, *, tenant: str, intervention: dict, changed: list[str] | None = None,
                       progress: dict | None = None) -> CloudEvent:
    data = snapshot(intervention)
    if changed is not None:
        data["changed"] = changed
    if progress is not None:
        data["progress"] = {
            "year": progress["year"], "quarter": progress["quarter"],
            "period": f"{progress['year']}-Q{progress['quarter']}", "status": progress["status"],
            "percentage": str(progress["percentage"]), "outputs": dict(progress["outputs"]),
            "actual_start": _day(progress["actual_start"]), "source": progress["source"],
            "revision": progress["revision"], "recorded_at": progress["recorded_at"].isoformat()}
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(intervention["id"]), data=data)
