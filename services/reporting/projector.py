"""Projectors: pure functions from an event to the rows of the read models."""
from __future__ import annotations

import uuid
from datetime import datetime

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent

STAKEHOLDER_REGISTERED = "it.pdz.registry.stakeholder.registered.v1"


def stakeholder_registered(event: CloudEvent) -> list:
    data = event.data  # tolerant reader: only the fields used here
    return [Upsert("stakeholder_facts",
                   key={"tenant": event.tenantid, "stakeholder_id": uuid.UUID(data["stakeholder_id"])},
                   values={"name": str(data["name"]), "type": str(data["type"]),
                           "runts_section": data.get("runts_section"),
                           "registered_at": datetime.fromisoformat(data["registered_at"]),
                           "source_event_id": event.id})]


PROJECTORS = {STAKEHOLDER_REGISTERED: stakeholder_registered}


def project(event: CloudEvent) -> list:
    """Rows for any event reporting knows; an unknown type gives no rows."""
    projector = PROJECTORS.get(event.type)
    return projector(event) if projector else []
