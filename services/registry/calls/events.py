"""Payloads of the call events."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.registry import SERVICE

CALL_DRAFTED = "it.pdz.registry.call.drafted.v1"
CALL_UPDATED = "it.pdz.registry.call.updated.v1"
CALL_PUBLISHED = "it.pdz.registry.call.published.v1"
CALL_CLOSED = "it.pdz.registry.call.closed.v1"


def call_event(type_: str, *, tenant: str, call: dict) -> CloudEvent:
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(call["id"]), data={
        "call_id": str(call["id"]),
        "title": call["title"],
        "areas": list(call["areas"]),
        "opens_at": call["opens_at"].isoformat(),
        "closes_at": call["closes_at"].isoformat(),
        "status": call["status"],
        "version": call["version"],
    })
