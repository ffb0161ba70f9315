"""Payloads of the map of services' events: organisations and figures, never contacts or free text."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.consultation import SERVICE

OFFER_ADDED = "it.pdz.consultation.service_offer.added.v1"
OFFER_UPDATED = "it.pdz.consultation.service_offer.updated.v1"
OFFER_RETIRED = "it.pdz.consultation.service_offer.retired.v1"


def offer_event(type_: str, *, tenant: str, offer: dict, changed: list[str] | None = None) -> CloudEvent:
    capacity = (None if offer["capacity_unit"] is None
                else {"amount": offer["capacity_amount"], "unit": offer["capacity_unit"]})
    data = {
        "offer_id": str(offer["id"]),
        "organisation_id": str(offer["organisation_id"]),
        "name": offer["name"],
        "area": offer["area"],
        "target_group": offer["target_group"],
        "comuni": list(offer["comuni"]),
        "capacity": capacity,
        "accredited": offer["accredited"],
        "status": offer["status"],
        "recorded_by_office": offer["recorded_by_office"],
        "version": offer["version"],
        "at": offer["updated_at"].isoformat(),
    }
    if changed is not None:
        data["changed"] = changed
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(offer["id"]), data=data)
