"""The register replica's projectors: pure functions from a registry stakeholder event to rows.

Both event types carry a full snapshot of the organisation, so each one simply
becomes the row of `organisations`, guarded by the snapshot's `version`: a
duplicate or an older snapshot arriving late changes nothing (Upsert
newer_than). Nothing is ever deleted: a withdrawn organisation stays, so the
interventions it manages and the commitments it supplies keep pointing at it.
`origin` is the event's Ambito: this database's own, or a former Ambito that
shares its register with this one (issue 9; the consumer places the rows).
"""
from __future__ import annotations

from shared.consumer.rows import Upsert
from shared.events import readers
from shared.events.envelope import CloudEvent

STAKEHOLDER_REGISTERED = "it.pdz.registry.stakeholder.registered.v1"
STAKEHOLDER_UPDATED = "it.pdz.registry.stakeholder.updated.v1"
ACTIVE = "active"
STATUSES = (ACTIVE, "suspended", "withdrawn")


def _status(data: dict) -> str:
    # status and version were added to `registered` later: an old event is a first, active version.
    status = readers.text(data, "status") if "status" in data else ACTIVE
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    return status


def _rows(event: CloudEvent, *, as_of_field: str) -> list:
    data = event.data  # tolerant reader: only the fields used here
    key = {"origin": event.tenantid, "organisation_id": readers.a_uuid(data, "stakeholder_id")}
    return [Upsert("organisations", key=key, newer_than="version", values={
        "name": readers.text(data, "name"),
        "type": readers.text(data, "type"),
        # The registry's events carry no tax code today (a sole trader's is a person's codice
        # fiscale); read if a later, additive version of the event gives an organisation's.
        "tax_code": readers.optional_text(data, "tax_code"),
        "runts_section": readers.optional_text(data, "runts_section"),
        "status": _status(data),
        "version": readers.integer(data, "version", default=1),
        "as_of": readers.timestamp(data, as_of_field),
        "source_event_id": event.id,
    })]


def stakeholder_registered(event: CloudEvent) -> list:
    return _rows(event, as_of_field="registered_at")


def stakeholder_updated(event: CloudEvent) -> list:
    return _rows(event, as_of_field="updated_at")


PROJECTORS = {STAKEHOLDER_REGISTERED: stakeholder_registered, STAKEHOLDER_UPDATED: stakeholder_updated}
