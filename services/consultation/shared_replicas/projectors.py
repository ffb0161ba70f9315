"""Projectors of the consultation data other Ambiti share with this one: pure functions event -> rows.

They are applied only where an event is received through a share (the receiving tenants' databases,
shared/sharing.py), never in the owner's own database: `origin` is the event's tenant, the Ambito
that owns the record. Each row is keyed by (origin, id) and guarded by the owner's `version`, so a
duplicate or an older event arriving late changes nothing; nothing is ever deleted (a closed table,
a retired service, a member that left stay, with their state). Tolerant readers: only the fields
used here are read; the events carry no personal data, and no field that names an account
(`accounts`, `recorded_by`, ...) is read even if an event carried it.
"""
from __future__ import annotations

from decimal import Decimal

from shared.consumer.rows import Upsert
from shared.events import readers
from shared.events.envelope import CloudEvent

PREFIX = "it.pdz.consultation."
TABLE_TYPES = tuple(f"{PREFIX}table.{verb}.v1" for verb in ("created", "updated", "closed", "snapshot"))
MEMBER_TYPES = tuple(f"{PREFIX}table_member.{verb}.v1"
                     for verb in ("added", "requested", "admitted", "changed", "left", "refused"))
NEED_TYPES = (f"{PREFIX}need.recorded.v1", f"{PREFIX}need.updated.v1", f"{PREFIX}need.snapshot.v1")
# proposal events that carry its whole content, and those that carry a step of its status only;
# the `snapshot` types are backfills (pdz republish, docs/federation.md)
PROPOSAL_SNAPSHOTS = tuple(f"{PREFIX}proposal.{verb}.v1" for verb in ("submitted", "updated", "accepted",
                                                                     "snapshot"))
PROPOSAL_STEPS = tuple(f"{PREFIX}proposal.{verb}.v1" for verb in ("evaluation_started", "assessed", "rejected",
                                                                 "merged"))
OFFER_TYPES = tuple(f"{PREFIX}service_offer.{verb}.v1" for verb in ("added", "updated", "retired"))


def _key(event: CloudEvent, field: str) -> dict:
    return {"origin": event.tenantid, "id": readers.a_uuid(event.data, field)}


def _optional_uuid(data: dict, field: str):
    return readers.a_uuid(data, field) if data.get(field) is not None else None


def table(event: CloudEvent) -> list:
    data = event.data
    return [Upsert("replica_tables", key=_key(event, "table_id"), newer_than="version", values={
        "kind": readers.text(data, "kind"), "title": readers.text(data, "title"),
        "areas": readers.texts(data, "areas") if "areas" in data else [],
        "membership": readers.text(data, "membership"), "status": readers.text(data, "status"),
        "version": readers.integer(data, "version"), "source_event_id": event.id})]


def table_member(event: CloudEvent) -> list:
    data = event.data
    return [Upsert("replica_table_members", key=_key(event, "member_id"), newer_than="version", values={
        "table_id": readers.a_uuid(data, "table_id"), "organisation_id": readers.a_uuid(data, "organisation_id"),
        "state": readers.text(data, "state"), "reason": readers.optional_text(data, "reason"),
        "version": readers.integer(data, "version"), "source_event_id": event.id})]


def need(event: CloudEvent) -> list:
    data = event.data
    recorded_at = readers.timestamp(data, "recorded_at")
    return [Upsert("replica_needs", key=_key(event, "need_id"), newer_than="version", values={
        "table_id": readers.a_uuid(data, "table_id"), "session_id": _optional_uuid(data, "session_id"),
        "organisation_id": readers.a_uuid(data, "organisation_id"), "title": readers.text(data, "title"),
        "description": readers.text(data, "description"), "area": readers.text(data, "area"),
        "target_group": readers.text(data, "target_group"), "comuni": readers.texts(data, "comuni"),
        "evidence": readers.optional_text(data, "evidence") or "", "status": readers.text(data, "status"),
        "on_behalf": bool(data.get("on_behalf", False)), "recorded_by_role": readers.text(data, "recorded_by_role"),
        "version": readers.integer(data, "version"), "recorded_at": recorded_at,
        "updated_at": readers.timestamp(data, "updated_at") if data.get("updated_at") else recorded_at,
        "source_event_id": event.id})]


def _proposal_status(event: CloudEvent) -> Upsert:
    data = event.data
    values = {"table_id": readers.a_uuid(data, "table_id"),
              "organisation_id": readers.a_uuid(data, "organisation_id"),
              "title": readers.text(data, "title"), "status": readers.text(data, "status"),
              "version": readers.integer(data, "version"), "source_event_id": event.id}
    if "answer" in data:  # the decisions carry the reasoned answer and its time
        values.update(answer=readers.optional_text(data, "answer"), decided_at=readers.timestamp(data, "decided_at"),
                      merged_into=_optional_uuid(data, "merged_into"))
    return Upsert("replica_proposals", key=_key(event, "proposal_id"), newer_than="version", values=values)


def proposal_step(event: CloudEvent) -> list:
    return [_proposal_status(event)]


def proposal_snapshot(event: CloudEvent) -> list:
    """The status (guarded by version) and the content (guarded by content_version): two rows, one record."""
    data = event.data
    status = _proposal_status(event)
    content = {
        "content_version": readers.integer(data, "version"),
        "description": readers.text(data, "description"), "expected_outcome": readers.text(data, "expected_outcome"),
        "need_ids": [readers.a_uuid({"id": v}, "id") for v in data.get("need_ids", [])],
        "areas": readers.texts(data, "areas"), "target_groups": readers.texts(data, "target_groups"),
        "comuni": readers.texts(data, "comuni"),
        "deliverers": [readers.a_uuid({"id": v}, "id") for v in data.get("deliverers", [])],
        "estimated_cost": Decimal(readers.text(data, "estimated_cost")),
        "on_behalf": bool(data.get("on_behalf", False)),
        "recorded_by_role": readers.optional_text(data, "recorded_by_role"),
        "submitted_at": readers.timestamp(data, "submitted_at"), "source_event_id": event.id}
    # status first: on a first arrival it inserts the row; the content then updates only its own columns,
    # so a late snapshot brings its content without undoing a newer status.
    return [status, Upsert("replica_proposals", key=status.key, newer_than="content_version", values=content)]


def offer(event: CloudEvent) -> list:
    data = event.data
    capacity = data.get("capacity") or {}
    return [Upsert("replica_offer", key=_key(event, "offer_id"), newer_than="version", values={
        "organisation_id": readers.a_uuid(data, "organisation_id"), "name": readers.text(data, "name"),
        "area": readers.text(data, "area"), "target_group": readers.text(data, "target_group"),
        "comuni": readers.texts(data, "comuni"),
        "capacity_amount": readers.integer(capacity, "amount") if capacity else None,
        "capacity_unit": readers.text(capacity, "unit") if capacity else None,
        "accredited": bool(data.get("accredited", False)), "status": readers.text(data, "status"),
        "recorded_by_office": bool(data.get("recorded_by_office", False)),
        "version": readers.integer(data, "version"), "at": readers.timestamp(data, "at"),
        "source_event_id": event.id})]


PROJECTORS = {
    **{t: table for t in TABLE_TYPES},
    **{t: table_member for t in MEMBER_TYPES},
    **{t: need for t in NEED_TYPES},
    **{t: proposal_snapshot for t in PROPOSAL_SNAPSHOTS},
    **{t: proposal_step for t in PROPOSAL_STEPS},
    **{t: offer for t in OFFER_TYPES},
}
