"""Marshmallow schemas of the minutes API."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.consultation.sessions.minutes.domain import STATUSES
from services.consultation.sessions.schemas import RomeDateTime
from services.consultation.text import NFCString

# 80,000 characters (some 40 pages) always fit in the 1 MiB request limit (PDZ_MAX_BODY_BYTES), even
# when every character comes JSON-escaped as a surrogate pair (12 bytes): a valid body is never a 413.
MAX_BODY = 80_000
BODY = {"description": "Testo del verbale (markdown). Documento pubblico: nomina organizzazioni, non persone"}


class MinutesIn(Schema):
    body = NFCString(required=True, validate=validate.Length(min=1, max=MAX_BODY), metadata=BODY)
    corrects = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10000),
                              metadata={"description": "For a correction: the number of the version it corrects"})
    reason = NFCString(load_default=None, allow_none=True, validate=validate.Length(min=1, max=5000),
                       metadata={"description": "For a correction: what it corrects and why"})

    @validates_schema
    def _correction(self, data, **_kwargs):
        if (data.get("corrects") is None) != (not (data.get("reason") or "").strip()):
            raise ValidationError("a correction gives both corrects and reason; a first draft neither",
                                  field_name="reason")


class MinutesPatch(Schema):
    body = NFCString(validate=validate.Length(min=1, max=MAX_BODY), metadata=BODY)
    reason = NFCString(validate=validate.Length(min=1, max=5000), metadata={"description": "A correction's reason"})


class MinutesOut(Schema):
    id = fields.UUID()
    session_id = fields.UUID()
    number = fields.Integer(metadata={"description": "Version number: 1, then one per correction"})
    body = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "draft or approved"})
    corrects = fields.Integer(allow_none=True, metadata={"description": "The version this one corrects"})
    reason = fields.String(allow_none=True, metadata={"description": "What it corrects"})
    drafted_at = RomeDateTime()
    approved_by = fields.String(allow_none=True, metadata={"description": "Who approved it (account)"})
    approved_at = RomeDateTime(allow_none=True)
    updated_at = RomeDateTime()
    version = fields.Integer(metadata={"description": "Edit counter (the ETag), not the minutes' number"})


class MinutesList(Schema):
    items = fields.List(fields.Nested(MinutesOut))
    in_force = fields.Integer(allow_none=True, metadata={"description": "The number of the version in force"})
