"""Payloads of the registry's events. Organisations only: no personal data."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.registry import SERVICE

STAKEHOLDER_REGISTERED = "it.pdz.registry.stakeholder.registered.v1"


def stakeholder_registered(*, tenant: str, stakeholder: dict) -> CloudEvent:
    return new_event(type=STAKEHOLDER_REGISTERED, service=SERVICE, tenant=tenant,
                     aggregate_id=str(stakeholder["id"]), data={
                         "stakeholder_id": str(stakeholder["id"]),
                         "name": stakeholder["name"],
                         "type": stakeholder["type"],
                         "runts_section": stakeholder["runts_section"],
                         "registered_at": stakeholder["created_at"].isoformat(),
                     })
