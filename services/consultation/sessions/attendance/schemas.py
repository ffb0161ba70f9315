"""Marshmallow schemas of the attendance API. The register's entries carry personal data (attendee_name,
attendee_role); the summary carries none."""
from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate, validates_schema, ValidationError

from services.consultation.privacy.domain import normalise_name
from services.consultation.sessions.schemas import RomeDateTime, cursor_field, when
from services.consultation.text import NFCString

MODES = ("in_person", "remote")


class AttendanceEntryIn(Schema):
    organisation_id = fields.UUID(required=True, metadata={"description": "The organisation present"})
    mode = fields.String(required=True, validate=validate.OneOf(MODES),
                         metadata={"description": "in_person (in presenza) or remote (da remoto)"})
    arrived_at = when("Arrival", allow_none=True, load_default=None)
    left_at = when("Departure", allow_none=True, load_default=None)
    attendee_name = NFCString(allow_none=True, load_default=None, validate=validate.Length(min=1, max=200),
                              metadata={"description": "Nome e cognome del partecipante (dato personale)"})
    attendee_role = NFCString(allow_none=True, load_default=None, validate=validate.Length(min=1, max=200),
                              metadata={"description": "Ruolo del partecipante nell'organizzazione (dato personale)"})

    @validates_schema
    def _times(self, data, **_kwargs):
        if data.get("arrived_at") and data.get("left_at") and data["left_at"] < data["arrived_at"]:
            raise ValidationError("must not come before arrived_at", field_name="left_at")

    @post_load
    def _tidy(self, data, **_kwargs):
        for name in ("attendee_name", "attendee_role"):
            if data.get(name) is not None:
                data[name] = normalise_name(data[name]) or None
        return data


class AttendanceEntryPatch(AttendanceEntryIn):
    """AttendanceEntryIn with every field optional (used with partial=True, without organisation_id)."""


class AttendanceEntryOut(Schema):
    id = fields.UUID()
    session_id = fields.UUID()
    organisation_id = fields.UUID()
    organisation_name = fields.String()
    organisation_type = fields.String()
    mode = fields.String(validate=validate.OneOf(MODES))
    arrived_at = RomeDateTime(allow_none=True)
    left_at = RomeDateTime(allow_none=True)
    attendee_name = fields.String(allow_none=True)
    attendee_role = fields.String(allow_none=True)
    erased_at = RomeDateTime(allow_none=True, metadata={"description": "When an erasure removed the name and role"})
    recorded_at = RomeDateTime()
    updated_at = RomeDateTime()
    version = fields.Integer()


class AttendanceRegisterQuery(Schema):
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))
    after = cursor_field()


class AttendanceRegisterPage(Schema):
    items = fields.List(fields.Nested(AttendanceEntryOut))
    next_cursor = fields.String(allow_none=True)


class OrganisationPresent(Schema):
    organisation_id = fields.UUID()
    organisation_name = fields.String()
    organisation_type = fields.String()
    in_person = fields.Integer(metadata={"description": "Attendees in person"})
    remote = fields.Integer(metadata={"description": "Attendees connected remotely"})


class AttendanceTotals(Schema):
    organisations = fields.Integer()
    in_person = fields.Integer()
    remote = fields.Integer()


class AttendanceSummaryOut(Schema):
    session_id = fields.UUID()
    organisations = fields.List(fields.Nested(OrganisationPresent))
    totals = fields.Nested(AttendanceTotals)
