"""Payload of the profile's event. Organisations and places only: no personal data."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.registry import SERVICE

PROFILE_UPDATED = "it.pdz.registry.profile.updated.v1"
# One profile per Ambito: its events share one key, `<tenant>/profile`, and so stay in order.
AGGREGATE_ID = "profile"


def profile_updated(*, tenant: str, profile: dict) -> CloudEvent:
    return new_event(type=PROFILE_UPDATED, service=SERVICE, tenant=tenant, aggregate_id=AGGREGATE_ID, data={
        "name": profile["name"],
        "region": profile["region"],
        "comuni": [{"istat_code": c["istat_code"], "name": c["name"], "province": c["province"],
                    "population": c["population"], "population_date": c["population_date"].isoformat()}
                   for c in profile["comuni"]],
        "total_population": profile["total_population"],
        "capofila_istat": profile["capofila_istat"],
        "ente_gestore": profile["ente_gestore"],
        "asl_district": profile["asl_district"],
        "version": profile["version"],
        "updated_at": profile["updated_at"].isoformat(),
    })
