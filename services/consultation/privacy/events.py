"""Event types of consultation's privacy package."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.consultation import SERVICE

PERSONAL_DATA_ERASED = "it.pdz.consultation.personal_data.erased.v1"


def erased_event(*, tenant: str, erasure: dict, session_ids: list) -> CloudEvent:
    """How much was erased and from which sessions, never whose."""
    return new_event(type=PERSONAL_DATA_ERASED, service=SERVICE, tenant=tenant, aggregate_id=str(erasure["id"]),
                     data={"erasure_id": str(erasure["id"]), "entries_cleared": len(erasure["removed"]),
                           "session_ids": sorted({str(s) for s in session_ids}),
                           "erased_at": erasure["requested_at"].isoformat()})
