"""The replica of a former Ambito's interventions: its it.pdz.budget.intervention.* events to rows, pure.

Applied only where an event is RECEIVED through a share of `budget.interventions` (shared/sharing.py),
never in the owner's own database (its API wrote the intervention there): the budget consumer wires it
as `received_only(PROJECTORS)` (shared/consumer/placement.py). Every event carries the intervention as
it stands, so each is one upsert keyed by (origin, id), guarded by the owner's `version`: a duplicate or
an older event arriving late changes nothing. Tolerant reader: only the fields below are read.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from shared.consumer.rows import Upsert
from shared.events import readers
from shared.events.envelope import CloudEvent

PREFIX = "it.pdz.budget.intervention."
TYPES = tuple(f"{PREFIX}{verb}.v1" for verb in ("planned", "updated", "progress_recorded"))


def _texts(data: dict, name: str) -> list[str]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings")
    return value


def _day(data: dict, name: str) -> date | None:
    text = readers.optional_text(data, name)
    try:
        return date.fromisoformat(text) if text is not None else None
    except ValueError:
        raise ValueError(f"{name} is not an ISO date") from None


def _percentage(data: dict) -> Decimal | None:
    text = readers.optional_text(data, "percentage")
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        raise ValueError("percentage is not a decimal") from None


def intervention(event: CloudEvent) -> list:
    data = event.data
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("version must be an integer")
    text, uuid = readers.text, readers.a_uuid
    return [Upsert("replica_interventions", key={"origin": event.tenantid, "id": uuid(data, "intervention_id")},
                   newer_than="version", values={
                       "plan_id": uuid(data, "plan_id"), "code": text(data, "code"), "title": text(data, "title"),
                       "nomenclature_code": text(data, "nomenclature_code"), "area": text(data, "area"),
                       "target_group": text(data, "target_group"), "leps": _texts(data, "leps"),
                       "kind": text(data, "kind"), "comuni": _texts(data, "comuni"),
                       "managing_body": uuid(data, "managing_body") if data.get("managing_body") else None,
                       "cup": readers.optional_text(data, "cup"), "status": text(data, "status"),
                       "planned_start": _day(data, "planned_start"), "planned_end": _day(data, "planned_end"),
                       "actual_start": _day(data, "actual_start"), "actual_end": _day(data, "actual_end"),
                       "percentage": _percentage(data), "version": version, "source_event_id": event.id})]


PROJECTORS = {event_type: intervention for event_type in TYPES}
