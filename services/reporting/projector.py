"""Projectors: pure functions from an event to the rows of the read models."""
from __future__ import annotations

from datetime import datetime

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent
from shared.events.readers import a_uuid, timestamp

from services.reporting.budget_projector import PROJECTORS as BUDGET
from services.reporting.budget_content_projector import PROJECTORS as BUDGET_CONTENT
from services.reporting.campaigns.projector import PROJECTORS as CAMPAIGNS
from services.reporting.consultation_projector import PROJECTORS as CONSULTATION
from services.reporting.registry_projector import PROJECTORS as REGISTRY

STAKEHOLDER_REGISTERED = "it.pdz.registry.stakeholder.registered.v1"
STAKEHOLDER_UPDATED = "it.pdz.registry.stakeholder.updated.v1"


def _stakeholder_values(event: CloudEvent) -> dict:
    data = event.data  # tolerant reader: only the fields used here
    return {"name": str(data["name"]), "type": str(data["type"]),
            "runts_section": data.get("runts_section"),
            "status": str(data.get("status", "active")),
            "version": int(data.get("version", 1)),
            "source_event_id": event.id}


def _history(event: CloudEvent, values: dict, valid_from: datetime) -> Upsert:
    """The version's row in stakeholder_history: the same event always writes the same row."""
    return Upsert("stakeholder_history",
                  key={"tenant": event.tenantid, "stakeholder_id": a_uuid(event.data, "stakeholder_id"),
                       "version": values["version"]},
                  values={"type": values["type"], "runts_section": values["runts_section"],
                          "status": values["status"], "valid_from": valid_from,
                          "source_event_id": values["source_event_id"]})


def stakeholder_registered(event: CloudEvent) -> list:
    values = _stakeholder_values(event)
    registered_at = timestamp(event.data, "registered_at")
    return [Upsert("stakeholder_facts",
                   key={"tenant": event.tenantid, "stakeholder_id": a_uuid(event.data, "stakeholder_id")},
                   values={**values, "registered_at": registered_at},
                   newer_than="version"),
            _history(event, values, registered_at)]


def stakeholder_updated(event: CloudEvent) -> list:
    values = _stakeholder_values(event)
    rows = [Upsert("stakeholder_facts",
                   key={"tenant": event.tenantid, "stakeholder_id": a_uuid(event.data, "stakeholder_id")},
                   values=values, newer_than="version")]
    # An update without updated_at cannot be dated: the current figures take it, the history does not.
    if "updated_at" in event.data:
        rows.append(_history(event, values, timestamp(event.data, "updated_at")))
    return rows


PROJECTORS = {STAKEHOLDER_REGISTERED: stakeholder_registered, STAKEHOLDER_UPDATED: stakeholder_updated,
              **BUDGET,  # budget's allocations, acts and plan states (budget_projector.py)
              **REGISTRY,  # registry's profile, calls and applications (registry_projector.py)
              **CONSULTATION,  # tables, sessions, attendance, needs, proposals, milestones (consultation_projector*.py)
              **BUDGET_CONTENT,  # content, progress, residui, acts: after BUDGET (its acts' rows include BUDGET's)
              **CAMPAIGNS}  # plan transitions (009): after BUDGET, its rows include BUDGET's plan state


def project(event: CloudEvent) -> list:
    """Rows for any event reporting knows; an unknown type gives no rows."""
    projector = PROJECTORS.get(event.type)
    return projector(event) if projector else []
