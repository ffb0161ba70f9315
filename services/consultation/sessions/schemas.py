"""Marshmallow schemas of the sessions API (and the fields its sub-packages share)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.consultation.sessions.domain import STATUSES
from services.consultation.text import NFCString

ROME = ZoneInfo("Europe/Rome")
# A day inside Python's years 1-9999, so that the instant reads back in any time zone (PostgreSQL too).
EARLIEST, LATEST = datetime(1, 1, 2, tzinfo=timezone.utc), datetime(9999, 12, 30, tzinfo=timezone.utc)
CURSOR = validate.Regexp(r"^[A-Za-z0-9_-]{0,27}$", error="Not a valid cursor.")


def representable(value: datetime) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError("Must be between the years 1 and 9999.")


class RomeDateTime(fields.DateTime):
    """An instant shown in Europe/Rome (with its offset): what people of the Ambito read."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(None if value is None else value.astimezone(ROME), attr, obj, **kwargs)


def when(description: str, **kwargs) -> fields.AwareDateTime:
    return fields.AwareDateTime(validate=representable, metadata={
        "description": f"{description} (ISO 8601 with time zone; answers show Europe/Rome)"}, **kwargs)


def cursor_field() -> fields.String:
    return fields.String(validate=CURSOR, metadata={"description": "Cursor from the previous page's next_cursor"})


class SessionIn(Schema):
    title = NFCString(required=True, validate=validate.Length(min=1, max=300),
                      metadata={"description": "Titolo della sessione"})
    starts_at = when("Start", required=True)
    ends_at = when("End", allow_none=True, load_default=None)
    place = NFCString(allow_none=True, load_default=None, validate=validate.Length(min=1, max=500),
                      metadata={"description": "Luogo (indirizzo, sala)"})
    video_link = fields.Url(allow_none=True, load_default=None, schemes={"https", "http"},
                            validate=validate.Length(max=2000),
                            metadata={"description": "Collegamento per partecipare in videoconferenza"})
    agenda = fields.List(NFCString(validate=validate.Length(min=1, max=500)), load_default=list,
                         validate=validate.Length(max=50),
                         metadata={"description": "Ordine del giorno: i punti, nell'ordine"})
    seat_limit = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=10000),
                                metadata={"description": "Posti disponibili (null: senza limite)"})

    @validates_schema
    def _where_and_when(self, data, **_kwargs):
        if not self.partial and not (data.get("place") or "").strip() and not data.get("video_link"):
            raise ValidationError("give a place or a video link (or both)", field_name="place")
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must come after starts_at", field_name="ends_at")


class SessionPatch(SessionIn):
    """SessionIn with every field optional (used as SessionPatch(partial=True))."""


class SessionCancelIn(Schema):
    reason = NFCString(load_default=None, allow_none=True, validate=validate.Length(min=1, max=2000),
                       metadata={"description": "Motivo dell'annullamento"})


class SessionOut(Schema):
    id = fields.UUID()
    table_id = fields.UUID()
    title = fields.String()
    starts_at = RomeDateTime()
    ends_at = RomeDateTime(allow_none=True)
    place = fields.String(allow_none=True)
    video_link = fields.String(allow_none=True)
    agenda = fields.List(fields.String())
    seat_limit = fields.Integer(allow_none=True)
    seats_taken = fields.Integer(metadata={"description": "Seats allotted to registrations"})
    seats_free = fields.Integer(allow_none=True, metadata={"description": "Seats still free (null: no limit)"})
    waiting = fields.Integer(metadata={"description": "Registrations on the waiting list"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    cancel_reason = fields.String(allow_none=True)
    held_at = RomeDateTime(allow_none=True)
    cancelled_at = RomeDateTime(allow_none=True)
    version = fields.Integer()
    created_at = RomeDateTime()
    updated_at = RomeDateTime()


class SessionListQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = cursor_field()


class SessionPage(Schema):
    items = fields.List(fields.Nested(SessionOut))
    next_cursor = fields.String(allow_none=True)


class SessionInviteIn(Schema):
    organisation_ids = fields.List(fields.UUID(), load_default=None, allow_none=True,
                                   validate=validate.Length(min=1, max=1000), metadata={
                                       "description": "The members to invite; absent or null: every member in force"})


class SessionNotInvited(Schema):
    organisation_id = fields.UUID()
    reason = fields.String(metadata={"description": "not-a-member, membership-ended, organisation-suspended,"
                                                    " organisation-withdrawn, unknown-organisation,"
                                                    " shared-organisation, organisation-revoked"})


class SessionInviteOut(Schema):
    invited = fields.List(fields.UUID(), metadata={"description": "Invited by this call"})
    already_invited = fields.List(fields.UUID())
    not_invited = fields.List(fields.Nested(SessionNotInvited))


class InvitationOut(Schema):
    organisation_id = fields.UUID()
    name = fields.String()
    type = fields.String()
    invited_at = RomeDateTime()


class InvitationList(Schema):
    items = fields.List(fields.Nested(InvitationOut))
