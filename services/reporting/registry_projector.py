"""The registry's profile, call and application events -> reporting's rows, pure (migration 005).

Idempotent whatever the order: every upsert is guarded by a number that only grows (the profile's
and the call's `version`; an application's `status_rank`, 1 once reviewed, since a review is final;
`submission_seen`, 1 once the submission's facts are written, since they never change), or writes a
value that one event alone carries (a call's publication and closing time: published and closed
once). So a duplicate, or an older event arriving late, changes nothing.

Organisations, places and counts only: an application's organisation name, its representative and
the rejection's reason are not read. `personal_data.erased.v1` gives no rows: reporting holds nothing
about the people erased (application_facts has no person in it), and an erased application's facts
(type, areas, status, dates) stay, as they are not personal data.
"""
from __future__ import annotations

import re
from datetime import datetime
from functools import partial

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent
from shared.events.readers import a_date, a_uuid, integer, missing_as_value_error, text, timestamp

PROFILE_UPDATED = "it.pdz.registry.profile.updated.v1"
CALL_DRAFTED = "it.pdz.registry.call.drafted.v1"
CALL_UPDATED = "it.pdz.registry.call.updated.v1"
CALL_PUBLISHED = "it.pdz.registry.call.published.v1"
CALL_CLOSED = "it.pdz.registry.call.closed.v1"
APPLICATION_SUBMITTED = "it.pdz.registry.application.submitted.v1"
APPLICATION_ADMITTED = "it.pdz.registry.application.admitted.v1"
APPLICATION_REJECTED = "it.pdz.registry.application.rejected.v1"
PERSONAL_DATA_ERASED = "it.pdz.registry.personal_data.erased.v1"

ISTAT_RE = re.compile(r"^[0-9]{6}$")
RUNTS_SECTIONS = frozenset("abcdefg")


# A missing field is a ValueError here, as it always was (not readers' KeyError): _comune_rows and
# application_submitted catch ValueError alone to say where the field is (comuni.0.population).
_uuid = missing_as_value_error(a_uuid)
_text = partial(missing_as_value_error(text), empty=False)  # a name, a status, a protocol number: never ""
_int = partial(missing_as_value_error(integer), minimum=0)  # versions, populations
_timestamp = missing_as_value_error(timestamp)
_date = missing_as_value_error(a_date)


def _istat(data: dict, field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not ISTAT_RE.match(value):
        raise ValueError(f"{field} must be a 6-digit ISTAT code")
    return value


def _areas(data: dict, field: str = "areas") -> list[str]:
    value = data.get(field)
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise ValueError(f"{field} must be a list of strings")
    return list(value)


# --- profile -------------------------------------------------------------------------------------

def _comune_rows(tenant: str, version: int, as_of: datetime, position: int, comune) -> list:
    where = f"comuni.{position}"
    if not isinstance(comune, dict):
        raise ValueError(f"{where} must be an object")
    try:
        code, name = _istat(comune, "istat_code"), _text(comune, "name")
        people, on = _int(comune, "population"), _date(comune, "population_date")
    except ValueError as exc:
        raise ValueError(f"{where}.{exc}") from None
    return [Upsert("ambito_comuni", key={"tenant": tenant, "istat_code": code}, newer_than="version",
                   values={"name": name, "population": people, "population_date": on, "version": version}),
            Upsert("ambito_comuni_history", key={"tenant": tenant, "version": version, "istat_code": code},
                   values={"population": people, "population_date": on, "as_of": as_of})]


def profile_updated(event: CloudEvent) -> list:
    """The profile now (newest version wins), its comuni with the version listing them, and the version's history."""
    data = event.data  # tolerant reader: only the fields used here
    version, as_of = _int(data, "version"), _timestamp(data, "updated_at")
    comuni = data.get("comuni")
    if not isinstance(comuni, list):
        raise ValueError("comuni must be a list")
    tenant = event.tenantid
    profile = Upsert("ambito_profiles", key={"tenant": tenant}, newer_than="version", values={
        "name": _text(data, "name"), "region": _text(data, "region"),
        "capofila_istat": _istat(data, "capofila_istat"), "total_population": _int(data, "total_population"),
        "version": version, "as_of": as_of, "source_event_id": event.id})
    rows = [profile]
    for position, comune in enumerate(comuni):
        rows.extend(_comune_rows(tenant, version, as_of, position, comune))
    return rows


# --- calls ---------------------------------------------------------------------------------------

def _key(event: CloudEvent, field: str) -> dict:
    return {"tenant": event.tenantid, field: _uuid(event.data, field)}


def call_changed(event: CloudEvent) -> list:
    """drafted / updated / published / closed: the snapshot (newest version wins); when published or closed."""
    data = event.data
    key = _key(event, "call_id")
    rows = [Upsert("call_facts", key=key, newer_than="version", values={
        "title": _text(data, "title"), "areas": _areas(data),
        "opens_at": _timestamp(data, "opens_at"), "closes_at": _timestamp(data, "closes_at"),
        "status": _text(data, "status"), "version": _int(data, "version")})]
    # The event's own time is the moment of the step; its own upsert, so a later snapshot seen first keeps it.
    if event.type in (CALL_PUBLISHED, CALL_CLOSED):
        column = "published_at" if event.type == CALL_PUBLISHED else "closed_at"
        rows.append(Upsert("call_facts", key=key, values={column: _timestamp({"ce_time": event.time}, "ce_time")}))
    return rows


# --- applications --------------------------------------------------------------------------------

def application_submitted(event: CloudEvent) -> list:
    """The submission's facts: the organisation's type, RUNTS section and seat, the areas, the time; never its name."""
    data = event.data
    organisation = data.get("organisation")
    if not isinstance(organisation, dict):
        raise ValueError("organisation must be an object")
    section = organisation.get("runts_section")
    if section is not None and section not in RUNTS_SECTIONS:
        raise ValueError("organisation.runts_section must be one of a-g or null")
    seat = organisation.get("seat_istat")
    if seat is not None and (not isinstance(seat, str) or not ISTAT_RE.match(seat)):
        raise ValueError("organisation.seat_istat must be a 6-digit ISTAT code or null")
    try:
        kind = _text(organisation, "type")
    except ValueError as exc:
        raise ValueError(f"organisation.{exc}") from None
    return [Upsert("application_facts", key=_key(event, "application_id"), newer_than="submission_seen", values={
        "call_id": _uuid(data, "call_id"), "protocol_number": _text(data, "protocol_number"),
        "organisation_type": kind, "runts_section": section, "seat_istat": seat, "areas": _areas(data),
        "submitted_at": _timestamp(data, "submitted_at"), "submission_seen": 1})]


def application_reviewed(event: CloudEvent) -> list:
    """admitted / rejected: the final status, when, and the stakeholder an admission registered; never the reason."""
    data = event.data
    admitted = event.type == APPLICATION_ADMITTED
    return [Upsert("application_facts", key=_key(event, "application_id"), newer_than="status_rank", values={
        "call_id": _uuid(data, "call_id"), "protocol_number": _text(data, "protocol_number"),
        "status": "admitted" if admitted else "rejected", "status_rank": 1,
        "reviewed_at": _timestamp(data, "reviewed_at"),
        "stakeholder_id": _uuid(data, "stakeholder_id") if admitted else None})]


def personal_data_erased(event: CloudEvent) -> list:
    """Nothing to project: reporting holds no personal data, and the erasure's counts are no indicator."""
    return []


PROJECTORS = {PROFILE_UPDATED: profile_updated,
              CALL_DRAFTED: call_changed, CALL_UPDATED: call_changed,
              CALL_PUBLISHED: call_changed, CALL_CLOSED: call_changed,
              APPLICATION_SUBMITTED: application_submitted,
              APPLICATION_ADMITTED: application_reviewed, APPLICATION_REJECTED: application_reviewed,
              PERSONAL_DATA_ERASED: personal_data_erased}
