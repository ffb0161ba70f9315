"""Payloads of the session events: ids, numbers, statuses and counts; never a person's name, never free text
written about people (the minutes' body, a correction's reason, a cancellation's reason stay in the database).

Every event of a session (its registrations, attendance and minutes too) is keyed by the session id, so
that one session's events keep their order on one partition: a promotion never overtakes the
cancellation that made it.
"""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.consultation import SERVICE

SESSION_SCHEDULED = "it.pdz.consultation.session.scheduled.v1"
SESSION_UPDATED = "it.pdz.consultation.session.updated.v1"
SESSION_HELD = "it.pdz.consultation.session.held.v1"
SESSION_CANCELLED = "it.pdz.consultation.session.cancelled.v1"
SESSION_INVITED = "it.pdz.consultation.session.invited.v1"
REGISTRATION_REGISTERED = "it.pdz.consultation.registration.registered.v1"
REGISTRATION_WAITLISTED = "it.pdz.consultation.registration.waitlisted.v1"
REGISTRATION_PROMOTED = "it.pdz.consultation.registration.promoted.v1"
REGISTRATION_CANCELLED = "it.pdz.consultation.registration.cancelled.v1"
ATTENDANCE_RECORDED = "it.pdz.consultation.attendance.recorded.v1"
MINUTES_DRAFTED = "it.pdz.consultation.minutes.drafted.v1"
MINUTES_UPDATED = "it.pdz.consultation.minutes.updated.v1"
MINUTES_APPROVED = "it.pdz.consultation.minutes.approved.v1"
MINUTES_CORRECTED = "it.pdz.consultation.minutes.corrected.v1"


def _event(type_: str, *, tenant: str, session_id, data: dict) -> CloudEvent:
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(session_id),
                     data={"session_id": str(session_id), **data})


def _iso(value):
    return None if value is None else value.isoformat()


def session_event(type_: str, *, tenant: str, session: dict) -> CloudEvent:
    return _event(type_, tenant=tenant, session_id=session["id"], data={
        "table_id": str(session["table_id"]),
        "title": session["title"],
        "starts_at": session["starts_at"].isoformat(),
        "ends_at": _iso(session["ends_at"]),
        "place": session["place"],
        # whether people join by video, not the link itself: a meeting link can be a credential
        "remote_link": session["video_link"] is not None,
        "agenda": list(session["agenda"]),
        "seat_limit": session["seat_limit"],
        "status": session["status"],
        "version": session["version"],
    })


def invited_event(*, tenant: str, session: dict, organisation_ids: list, at) -> CloudEvent:
    return _event(SESSION_INVITED, tenant=tenant, session_id=session["id"], data={
        "table_id": str(session["table_id"]),
        "organisation_ids": [str(o) for o in organisation_ids],
        "invited_at": at.isoformat(),
    })


def registration_event(type_: str, *, tenant: str, session: dict, registration: dict,
                       position: int | None = None) -> CloudEvent:
    data = {
        "table_id": str(session["table_id"]),
        "registration_id": str(registration["id"]),
        "organisation_id": str(registration["organisation_id"]),
        "seats": registration["seats"],
        "status": registration["status"],
        "on_behalf": registration["on_behalf"],
        "at": (registration["cancelled_at"] or registration["promoted_at"]
               or registration["registered_at"]).isoformat(),
    }
    if position is not None:
        data["position"] = position
    return _event(type_, tenant=tenant, session_id=session["id"], data=data)


def attendance_event(*, tenant: str, session: dict, entry: dict, organisation_type: str,
                     totals: dict) -> CloudEvent:
    """One entry's facts (organisation, mode) and the register's counts; never the attendee."""
    return _event(ATTENDANCE_RECORDED, tenant=tenant, session_id=session["id"], data={
        "table_id": str(session["table_id"]),
        "attendance_id": str(entry["id"]),
        "organisation_id": str(entry["organisation_id"]),
        "organisation_type": organisation_type,
        "mode": entry["mode"],
        "version": entry["version"],
        "totals": totals,
    })


def minutes_event(type_: str, *, tenant: str, session: dict, minutes: dict) -> CloudEvent:
    return _event(type_, tenant=tenant, session_id=session["id"], data={
        "table_id": str(session["table_id"]),
        "minutes_id": str(minutes["id"]),
        "number": minutes["number"],
        "corrects": minutes["corrects"],
        "status": minutes["status"],
        "version": minutes["version"],
        "approved_at": _iso(minutes["approved_at"]),
    })
