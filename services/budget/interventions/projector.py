"""The replica of a former Ambito's interventions: its it.pdz.budget.intervention.* events to rows, pure.

Applied only where an event is RECEIVED through a share of `budget.interventions` (shared/sharing.py),
never in the owner's own database (its API wrote the intervention there): the budget consumer wires it
as `received_only(PROJECTORS)` (shared/consumer/placement.py). Every event carries the intervention as
it stands, so each is one upsert keyed by (origin, id), guarded by the owner's `version`: a duplicate or
an older event arriving late changes nothing. Tolerant reader: only the fields below are read.
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent

PREFIX = "it.pdz.budget.intervention."
TYPES = tuple(f"{PREFIX}{verb}.v1" for verb in ("planned", "updated", "progress_recorded"))


def _text(data: dict, name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {type(value).__name__}")
    return value


def _optional_text(data: dict, name: str) -> str | None:
    return None if data.get(name) is None else _text(data, name)


def _uuid(data: dict, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(_text(data, name))
    except ValueError:
        raise ValueError(f"{name} is not a UUID") from None


def _texts(data: dict, name: str) -> list[str]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings")
    return value


def _day(data: dict, name: str) -> date | None:
    text = _optional_text(data, name)
    try:
        return date.fromisoformat(text) if text is not None else None
    except ValueError:
        raise ValueError(f"{name} is not an ISO date") from None


def _percentage(data: dict) -> Decimal | None:
    text = _optional_text(data, "percentage")
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        raise ValueError("percentage is not a decimal") from None


def intervention(event: CloudEvent) -> list:
    data = event.data
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("version must be an integer")
    return [Upsert("replica_interventions", key={"origin": event.tenantid, "id": _uuid(data, "intervention_id")},
                   newer_than="version", values={
                       "plan_id": _uuid(data, "plan_id"), "code": _text(data, "code"), "title": _text(data, "title"),
                       "nomenclature_code": _text(data, "nomenclature_code"), "area": _text(data, "area"),
                       "target_group": _text(data, "target_group"), "leps": _texts(data, "leps"),
                       "kind": _text(data, "kind"), "comuni": _texts(data, "comuni"),
                       "managing_body": _uuid(data, "managing_body") if data.get("managing_body") else None,
                       "cup": _optional_text(data, "cup"), "status": _text(data, "status"),
                       "planned_start": _day(data, "planned_start"), "planned_end": _day(data, "planned_end"),
                       "actual_start": _day(data, "actual_start"), "actual_end": _day(data, "actual_end"),
                       "percentage": _percentage(data), "version": version, "source_event_id": event.id})]


PROJECTORS = {event_type: intervention for event_type in TYPES}
