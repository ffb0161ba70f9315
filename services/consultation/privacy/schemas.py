"""Marshmallow schemas of consultation's personal-data API."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.consultation.privacy.domain import ACTIONS, RESOURCES
from services.consultation.sessions.schemas import RomeDateTime, cursor_field, representable
from services.consultation.text import NFCString


class AttendeeErasureIn(Schema):
    attendee_name = NFCString(required=True, validate=validate.Length(min=1, max=200), metadata={
        "description": "Nome e cognome della persona, come registrati (maiuscole e spazi non contano)"})
    organisation_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "Only the entries of this organisation (to tell homonyms apart)"})

    @validates_schema
    def _not_blank(self, data, **_kwargs):
        if not (data.get("attendee_name") or "").strip():
            raise ValidationError("must not be blank", field_name="attendee_name")


class ErasedAttendanceOut(Schema):
    attendance_id = fields.UUID()
    session_id = fields.UUID()
    table_id = fields.UUID()
    organisation_id = fields.UUID()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields",
                          metadata={"description": "What was removed: attendee_name, attendee_role"})


class AttendeeErasureOut(Schema):
    erasure_id = fields.UUID()
    entries_cleared = fields.Integer()
    removed = fields.List(fields.Nested(ErasedAttendanceOut), metadata={
        "description": "The attendance entries whose name (and role) were removed; the presence stays"})
    erased_at = RomeDateTime()


class AccessLogQuery(Schema):
    subject = fields.String(validate=validate.Length(min=1, max=200),
                            metadata={"description": "Who (the token's `sub`)"})
    action = fields.String(validate=validate.OneOf(ACTIONS), metadata={"description": "What was done"})
    resource = fields.String(validate=validate.OneOf(RESOURCES), metadata={"description": "Which kind of record"})
    resource_id = fields.String(validate=validate.Length(min=1, max=200),
                                metadata={"description": "Which record (an attendance entry's id)"})
    from_ = fields.AwareDateTime(data_key="from", validate=representable, metadata={
        "description": "Entries at or after this instant (ISO 8601 with time zone)"})
    to = fields.AwareDateTime(validate=representable, metadata={
        "description": "Entries before this instant (ISO 8601 with time zone)"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    after = cursor_field()

    @validates_schema
    def _range(self, data, **_kwargs):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ValidationError("must come after from", field_name="to")


class AccessLogEntry(Schema):
    at = RomeDateTime()
    subject = fields.String()
    action = fields.String(validate=validate.OneOf(ACTIONS))
    resource = fields.String(validate=validate.OneOf(RESOURCES))
    resource_id = fields.String()
    request_id = fields.String(allow_none=True)


class AccessLogPage(Schema):
    items = fields.List(fields.Nested(AccessLogEntry))
    next_cursor = fields.String(allow_none=True)
