"""Payloads of the application events: organisations only, never the people they name."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.registry import SERVICE

APPLICATION_SUBMITTED = "it.pdz.registry.application.submitted.v1"
APPLICATION_ADMITTED = "it.pdz.registry.application.admitted.v1"
APPLICATION_REJECTED = "it.pdz.registry.application.rejected.v1"


def _base(application: dict) -> dict:
    return {"application_id": str(application["id"]), "call_id": str(application["call_id"]),
            "protocol_number": application["protocol_number"]}


def submitted(*, tenant: str, application: dict) -> CloudEvent:
    return new_event(type=APPLICATION_SUBMITTED, service=SERVICE, tenant=tenant,
                     aggregate_id=str(application["id"]), data={
                         **_base(application),
                         "organisation": {"name": application["organisation_name"],
                                          "type": application["organisation_type"],
                                          "runts_section": application["runts_section"],
                                          "seat_istat": application["seat_istat"]},
                         "areas": list(application["areas"]),
                         "submitted_at": application["submitted_at"].isoformat()})


def admitted(*, tenant: str, application: dict) -> CloudEvent:
    return new_event(type=APPLICATION_ADMITTED, service=SERVICE, tenant=tenant,
                     aggregate_id=str(application["id"]), data={
                         **_base(application), "stakeholder_id": str(application["stakeholder_id"]),
                         "reviewed_at": application["reviewed_at"].isoformat()})


def rejected(*, tenant: str, application: dict) -> CloudEvent:
    return new_event(type=APPLICATION_REJECTED, service=SERVICE, tenant=tenant,
                     aggregate_id=str(application["id"]), data={
                         **_base(application), "reason": application["rejection_reason"],
                         "reviewed_at": application["reviewed_at"].isoformat()})
