"""Payloads of the stakeholder events. Organisations only: no personal data, no tax code."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.registry import SERVICE

STAKEHOLDER_REGISTERED = "it.pdz.registry.stakeholder.registered.v1"
STAKEHOLDER_UPDATED = "it.pdz.registry.stakeholder.updated.v1"


def _snapshot(stakeholder: dict) -> dict:
    return {
        "stakeholder_id": str(stakeholder["id"]),
        "name": stakeholder["name"],
        "type": stakeholder["type"],
        "runts_section": stakeholder["runts_section"],
        "runts_number": stakeholder["runts_number"],
        "seat_istat": stakeholder["seat_istat"],
        "areas": list(stakeholder["areas"]),
        "status": stakeholder["status"],
        "version": stakeholder["version"],
    }


def _source(source: dict | None) -> dict:
    """The application an admission came from (optional fields: absent when there was none)."""
    if not source:
        return {}
    return {"application_id": str(source["application_id"]), "protocol_number": source["protocol_number"]}


def stakeholder_registered(*, tenant: str, stakeholder: dict, source: dict | None = None) -> CloudEvent:
    return new_event(type=STAKEHOLDER_REGISTERED, service=SERVICE, tenant=tenant,
                     aggregate_id=str(stakeholder["id"]),
                     data={**_snapshot(stakeholder), "registered_at": stakeholder["created_at"].isoformat(),
                           **_source(source)})


def stakeholder_updated(*, tenant: str, stakeholder: dict, changed: list[str],
                        source: dict | None = None) -> CloudEvent:
    return new_event(type=STAKEHOLDER_UPDATED, service=SERVICE, tenant=tenant,
                     aggregate_id=str(stakeholder["id"]),
                     data={**_snapshot(stakeholder), "changed": sorted(changed),
                           "updated_at": stakeholder["updated_at"].isoformat(), **_source(source)})
