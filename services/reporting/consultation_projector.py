"""Consultation's events -> reporting's rows, pure (migration 006_consultation_facts.sql).

This module: tables, memberships, sessions, invitations, registrations, attendance, minutes and
erasures; consultation_projector_contributions.py: needs, proposals, service offers, questionnaires,
rounds and milestones. PROJECTORS here holds both.

What is kept is what the indicators need: organisations by id, states, days and counts. An attendance
entry keeps its organisation and mode (the events carry no name); minutes keep their status; an erasure
keeps how many entries and sessions. Every upsert is guarded by a number that only grows (docstrings
below), so applying an event twice, or an older one late, changes nothing.
"""
from __future__ import annotations

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent

from services.reporting import consultation_projector_fields as f
from services.reporting.consultation_projector_contributions import PROJECTORS as CONTRIBUTIONS

PREFIX = "it.pdz.consultation."
TABLE_EVENTS = ("table.created", "table.updated", "table.closed", "table.snapshot")
MEMBER_EVENTS = ("table_member.added", "table_member.changed", "table_member.requested",
                 "table_member.admitted", "table_member.refused", "table_member.left")
SESSION_EVENTS = ("session.scheduled", "session.updated", "session.held", "session.cancelled")
REGISTRATION_EVENTS = ("registration.registered", "registration.waitlisted", "registration.promoted",
                       "registration.cancelled")
MINUTES_EVENTS = ("minutes.drafted", "minutes.updated", "minutes.approved", "minutes.corrected")
# A registration only moves forward (waiting -> registered -> cancelled, or waiting -> cancelled), and its
# events carry no version: the stage of its status is the guard.
REGISTRATION_STAGES = {"waiting": 1, "registered": 2, "cancelled": 3}


def table(event: CloudEvent) -> list:
    """A table's kind, title, areas and status, guarded by its version."""
    data = event.data
    return [Upsert("consultation_table_facts",
                   key={"tenant": event.tenantid, "table_id": f.uuid_(data, "table_id")},
                   values={"kind": f.text(data, "kind"), "title": f.string(data, "title"),
                           "areas": f.strings(data, "areas", default=[]),
                           "membership": f.optional_text(data, "membership"), "status": f.text(data, "status"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]


def member(event: CloudEvent) -> list:
    """An organisation's membership of a table (requested, member, left), guarded by its version."""
    data = event.data
    return [Upsert("consultation_member_facts",
                   key={"tenant": event.tenantid, "member_id": f.uuid_(data, "member_id")},
                   values={"table_id": f.uuid_(data, "table_id"), "organisation_id": f.uuid_(data, "organisation_id"),
                           "state": f.text(data, "state"), "reason": f.optional_text(data, "reason"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]


def session(event: CloudEvent) -> list:
    """A session's table, start, seat limit and status (scheduled, held, cancelled), guarded by its version."""
    data = event.data
    return [Upsert("consultation_session_facts",
                   key={"tenant": event.tenantid, "session_id": f.uuid_(data, "session_id")},
                   values={"table_id": f.uuid_(data, "table_id"), "title": f.string(data, "title"),
                           "starts_at": f.timestamp(data, "starts_at"), "ends_at": f.optional_timestamp(data, "ends_at"),
                           "seat_limit": f.optional_integer(data, "seat_limit"), "status": f.text(data, "status"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]


def invited(event: CloudEvent) -> list:
    """One row per organisation a call invited: a fact, written the same each time it is seen."""
    data = event.data
    session_id, table_id = f.uuid_(data, "session_id"), f.uuid_(data, "table_id")
    at = f.timestamp(data, "invited_at")
    return [Upsert("consultation_invitation_facts",
                   key={"tenant": event.tenantid, "session_id": session_id, "organisation_id": organisation},
                   values={"table_id": table_id, "invited_at": at})
            for organisation in f.uuids(data, "organisation_ids")]


def registration(event: CloudEvent) -> list:
    """A registration's organisation, seats and status, guarded by the stage of its status."""
    data = event.data
    status = f.text(data, "status")
    if status not in REGISTRATION_STAGES:
        raise ValueError(f"status must be one of {', '.join(REGISTRATION_STAGES)}")
    return [Upsert("consultation_registration_facts",
                   key={"tenant": event.tenantid, "registration_id": f.uuid_(data, "registration_id")},
                   values={"session_id": f.uuid_(data, "session_id"), "table_id": f.uuid_(data, "table_id"),
                           "organisation_id": f.uuid_(data, "organisation_id"),
                           "seats": f.integer(data, "seats", minimum=1), "status": status,
                           "stage": REGISTRATION_STAGES[status], "at": f.timestamp(data, "at")},
                   newer_than="stage")]


def attendance(event: CloudEvent) -> list:
    """An attendance entry's organisation, its type and the mode, guarded by the entry's version.

    Only these fields are read: were a name ever added to the event, it would not reach reporting."""
    data = event.data
    return [Upsert("consultation_attendance_facts",
                   key={"tenant": event.tenantid, "attendance_id": f.uuid_(data, "attendance_id")},
                   values={"session_id": f.uuid_(data, "session_id"), "table_id": f.uuid_(data, "table_id"),
                           "organisation_id": f.uuid_(data, "organisation_id"),
                           "organisation_type": f.string(data, "organisation_type"), "mode": f.text(data, "mode"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]


def minutes(event: CloudEvent) -> list:
    """A numbered version of a session's minutes: its status (never its text), guarded by its version."""
    data = event.data
    return [Upsert("consultation_minutes_facts",
                   key={"tenant": event.tenantid, "minutes_id": f.uuid_(data, "minutes_id"),
                        "number": f.integer(data, "number", minimum=1)},
                   values={"session_id": f.uuid_(data, "session_id"), "table_id": f.uuid_(data, "table_id"),
                           "corrects": f.optional_integer(data, "corrects"), "status": f.text(data, "status"),
                           "approved_at": f.optional_timestamp(data, "approved_at"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]


def erased(event: CloudEvent) -> list:
    """An erasure: how many entries lost their names, in how many sessions (a fact, the same each time)."""
    data = event.data
    return [Upsert("consultation_erasure_facts",
                   key={"tenant": event.tenantid, "erasure_id": f.uuid_(data, "erasure_id")},
                   values={"entries_cleared": f.integer(data, "entries_cleared"),
                           "sessions": len(f.uuids(data, "session_ids")),
                           "erased_at": f.timestamp(data, "erased_at")})]


def _types(projector, names) -> dict:
    return {f"{PREFIX}{name}.v1": projector for name in names}


PROJECTORS = {**_types(table, TABLE_EVENTS), **_types(member, MEMBER_EVENTS), **_types(session, SESSION_EVENTS),
              f"{PREFIX}session.invited.v1": invited, **_types(registration, REGISTRATION_EVENTS),
              f"{PREFIX}attendance.recorded.v1": attendance, **_types(minutes, MINUTES_EVENTS),
              f"{PREFIX}personal_data.erased.v1": erased, **CONTRIBUTIONS}
