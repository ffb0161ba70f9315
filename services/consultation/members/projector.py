"""The register replica's projectors: pure functions from a registry stakeholder event to rows.

Both event types carry a full snapshot of the organisation, so each one simply
becomes the row, guarded by the snapshot's `version`: a duplicate or an older
snapshot arriving late changes nothing (Upsert newer_than). Each version's
status also goes into the status history, whatever the order of arrival, so
that a withdrawal is known even if a newer snapshot arrived first. Nothing is
ever deleted: a withdrawn organisation stays, and so do its past contributions.
"""
from __future__ import annotations

from shared.consumer.rows import Upsert
from shared.events import readers
from shared.events.envelope import CloudEvent

from services.consultation.members.domain import ACTIVE, check_status

STAKEHOLDER_REGISTERED = "it.pdz.registry.stakeholder.registered.v1"
STAKEHOLDER_UPDATED = "it.pdz.registry.stakeholder.updated.v1"


def _rows(event: CloudEvent, *, as_of_field: str) -> list:
    data = event.data  # tolerant reader: only the fields used here
    # status and version were added to `registered` later: an old event is a first, active version.
    version = readers.integer(data, "version", default=1)
    status = check_status(readers.text(data, "status") if "status" in data else ACTIVE)
    as_of = readers.timestamp(data, as_of_field)
    # The origin is the Ambito whose register the event comes from: today always the database's own
    # tenant; shared data of predecessor Ambiti (issue 9) will arrive with their own tenantid.
    key = {"origin": event.tenantid, "organisation_id": readers.a_uuid(data, "stakeholder_id")}
    return [
        Upsert("organisations", key=key, newer_than="version", values={
            "name": readers.text(data, "name"),
            "type": readers.text(data, "type"),
            "runts_section": readers.optional_text(data, "runts_section"),
            "seat_istat": readers.optional_text(data, "seat_istat"),
            "areas": readers.texts(data, "areas"),
            "status": status,
            "version": version,
            "as_of": as_of,
            "source_event_id": event.id,
        }),
        Upsert("organisation_statuses", key={**key, "version": version},
               values={"status": status, "as_of": as_of}),
    ]


def stakeholder_registered(event: CloudEvent) -> list:
    return _rows(event, as_of_field="registered_at")


def stakeholder_updated(event: CloudEvent) -> list:
    return _rows(event, as_of_field="updated_at")


PROJECTORS = {STAKEHOLDER_REGISTERED: stakeholder_registered, STAKEHOLDER_UPDATED: stakeholder_updated}
