"""Every event type the consultation consumer reads, and its projector."""
from __future__ import annotations

from shared.events.envelope import CloudEvent

from services.consultation.members.projector import PROJECTORS as MEMBERS
from services.consultation.territory.projector import PROJECTORS as TERRITORY

PROJECTORS = {**MEMBERS, **TERRITORY}


def project(event: CloudEvent) -> list:
    """Rows for any event consultation reads; another type gives none."""
    projector = PROJECTORS.get(event.type)
    return projector(event) if projector else []
