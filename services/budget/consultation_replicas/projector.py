"""Consultation's table, need and milestone events to replica rows, pure (what the Piano tells of FASE 1-2).

Every event of these types is a full snapshot of its aggregate (created, updated, closed, recorded,
and a backfill's `snapshot`), so each becomes one Upsert keyed by (origin, id) and guarded by the
aggregate's `version`: a duplicate or an older version arriving late changes nothing, in any order.
Tolerant readers: only the fields the Piano shows are read, extra fields are ignored; a field that is
missing or of the wrong type is a ValueError naming it (the consumer dead-letters the event).
The need's organisation and the account that recorded it are not kept: the Piano names neither.
"""
from __future__ import annotations

from datetime import date

from shared.consumer.rows import Upsert
from shared.events import readers
from shared.events.envelope import CloudEvent

TABLE_TYPES = tuple(f"it.pdz.consultation.table.{verb}.v1" for verb in ("created", "updated", "closed", "snapshot"))
NEED_TYPES = tuple(f"it.pdz.consultation.need.{verb}.v1" for verb in ("recorded", "updated", "snapshot"))
MILESTONE_TYPES = tuple(f"it.pdz.consultation.milestone.{verb}.v1" for verb in ("planned", "updated"))


def _optional_date(data: dict, field: str) -> date | None:
    return None if data.get(field) is None else readers.a_date(data, field)


def table(event: CloudEvent) -> list:
    data = event.data
    return [Upsert("consultation_tables", key={"origin": event.tenantid, "table_id": readers.a_uuid(data, "table_id")},
                   newer_than="version", values={
                       "kind": readers.text(data, "kind"),
                       "title": readers.text(data, "title"),
                       "areas": readers.texts(data, "areas"),
                       "status": readers.text(data, "status"),
                       "version": readers.integer(data, "version"),
                       "source_event_id": event.id,
                   })]


def need(event: CloudEvent) -> list:
    data = event.data
    as_of = readers.optional_timestamp(data, "updated_at") or readers.optional_timestamp(data, "recorded_at")
    return [Upsert("consultation_needs", key={"origin": event.tenantid, "need_id": readers.a_uuid(data, "need_id")},
                   newer_than="version", values={
                       "table_id": readers.optional_uuid(data, "table_id"),
                       "title": readers.text(data, "title"),
                       "description": readers.optional_text(data, "description"),
                       "area": readers.text(data, "area"),
                       "target_group": readers.text(data, "target_group"),
                       "comuni": readers.texts(data, "comuni"),
                       "status": readers.text(data, "status"),
                       "version": readers.integer(data, "version"),
                       "as_of": as_of,
                       "source_event_id": event.id,
                   })]


def milestone(event: CloudEvent) -> list:
    data = event.data
    return [Upsert("consultation_milestones",
                   key={"origin": event.tenantid, "milestone_id": readers.a_uuid(data, "milestone_id")},
                   newer_than="version", values={
                       "year": readers.integer(data, "year"),
                       "phase": readers.text(data, "phase"),
                       "table_id": readers.optional_uuid(data, "table_id"),
                       "title": readers.text(data, "title"),
                       "planned_start": _optional_date(data, "planned_start"),
                       "planned_end": _optional_date(data, "planned_end"),
                       "actual_start": _optional_date(data, "actual_start"),
                       "actual_end": _optional_date(data, "actual_end"),
                       "status": readers.text(data, "status"),
                       "version": readers.integer(data, "version"),
                       "source_event_id": event.id,
                   })]


# Tables and needs: shared data sets (consultation.tables, consultation.needs), own and received.
SHARED = {**{t: table for t in TABLE_TYPES}, **{t: need for t in NEED_TYPES}}
# Milestones are in no data set: the cronoprogramma is this Ambito's own.
OWN_ONLY = {t: milestone for t in MILESTONE_TYPES}
