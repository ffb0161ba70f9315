"""The replica of accepted proposals: consultation's proposal events to rows of `accepted_proposals`, pure.

- `proposal.accepted.v1`: the Ufficio di Piano accepted a proposal and handed it to planning; the
  event carries everything planning needs, the needs it answers included (area, target group, comuni).
- `proposal.snapshot.v1`: a proposal as it stands, re-published by a backfill (pdz republish) for an
  Ambito that now receives the data set. Only an accepted one is kept (budget plans nothing else);
  it carries the need ids but not the needs' details, so it writes no `needs`: a row the accepted
  event made keeps them, a row the snapshot makes has none (the ids are in `need_ids`).

Each row is keyed by (origin, proposal id) and guarded by the proposal's `version`: a duplicate, or a
snapshot of the version the accepted event already brought, changes nothing. Nothing is deleted.
"""
from __future__ import annotations

import uuid

from shared.consumer.rows import Upsert
from shared.events import readers
from shared.events.envelope import CloudEvent

PROPOSAL_ACCEPTED = "it.pdz.consultation.proposal.accepted.v1"
PROPOSAL_SNAPSHOT = "it.pdz.consultation.proposal.snapshot.v1"
ACCEPTED = "accepted"


def _need(position: int, need) -> dict:
    if not isinstance(need, dict):
        raise ValueError(f"needs.{position} must be an object")
    try:
        need_id = str(uuid.UUID(readers.text(need, "need_id")))
    except ValueError:
        raise ValueError(f"needs.{position}.need_id is not a UUID") from None
    return {"need_id": need_id, "area": readers.text(need, "area"),
            "target_group": readers.text(need, "target_group"), "comuni": readers.texts(need, "comuni")}


def needs(data: dict) -> readers.JsonList:
    """The needs a proposal answers, as the jsonb column holds them: [{need_id, area, target_group, comuni}]."""
    value = data.get("needs")
    if value is None:
        return readers.JsonList()
    if not isinstance(value, list):
        raise ValueError("needs must be a list")
    return readers.JsonList(_need(i, n) for i, n in enumerate(value))


def _values(event: CloudEvent) -> dict:
    data = event.data  # tolerant reader: only the fields used here
    return {
        "table_id": readers.a_uuid(data, "table_id"),
        "organisation_id": readers.optional_uuid(data, "organisation_id"),
        "title": readers.text(data, "title"),
        "status": ACCEPTED,
        "areas": readers.texts(data, "areas"),
        "target_groups": readers.texts(data, "target_groups"),
        "comuni": readers.texts(data, "comuni"),
        "need_ids": readers.uuids(data, "need_ids"),
        "estimated_cost": readers.optional_amount(data, "estimated_cost"),
        "decided_at": readers.optional_timestamp(data, "decided_at"),
        "version": readers.integer(data, "version"),
        "source_event_id": event.id,
    }


def _key(event: CloudEvent) -> dict:
    return {"origin": event.tenantid, "proposal_id": readers.a_uuid(event.data, "proposal_id")}


def proposal_accepted(event: CloudEvent) -> list:
    return [Upsert("accepted_proposals", key=_key(event), newer_than="version",
                   values={**_values(event), "needs": needs(event.data)})]


def proposal_snapshot(event: CloudEvent) -> list:
    if readers.text(event.data, "status") != ACCEPTED:
        return []  # submitted, under evaluation, rejected or merged: nothing for planning
    return [Upsert("accepted_proposals", key=_key(event), newer_than="version", values=_values(event))]


PROJECTORS = {PROPOSAL_ACCEPTED: proposal_accepted, PROPOSAL_SNAPSHOT: proposal_snapshot}
