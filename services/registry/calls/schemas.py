"""Marshmallow schemas of the calls API."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.registry.calls.domain import TRANSITIONS
from services.registry.text import NFCString

# A day inside Python's years 1-9999, so that the instant reads back in any time zone (PostgreSQL too).
EARLIEST, LATEST = datetime(1, 1, 2, tzinfo=timezone.utc), datetime(9999, 12, 30, tzinfo=timezone.utc)


def representable(value: datetime) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError("Must be between the years 1 and 9999.")


class CallIn(Schema):
    title = NFCString(required=True, validate=validate.Length(min=5, max=300),
                      metadata={"description": "Titolo dell'avviso"})
    description = NFCString(load_default="", validate=validate.Length(max=20000))
    areas = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=50),
                        metadata={"description": "Codici delle aree tematiche della regione (GET /areas)"})
    requirements = NFCString(load_default="", validate=validate.Length(max=20000),
                             metadata={"description": "Requisiti di partecipazione"})
    opens_at = fields.AwareDateTime(required=True, validate=representable,
                                    metadata={"description": "Apertura (con fuso orario)"})
    closes_at = fields.AwareDateTime(required=True, validate=representable,
                                     metadata={"description": "Scadenza (con fuso orario)"})

    @validates_schema
    def _window(self, data, **_kwargs):
        if "opens_at" in data and "closes_at" in data and data["closes_at"] <= data["opens_at"]:
            raise ValidationError("must come after opens_at", field_name="closes_at")


class CallPatch(CallIn):
    """CallIn with every field optional (used as CallPatch(partial=True))."""


class CallOut(Schema):
    id = fields.UUID()
    title = fields.String()
    description = fields.String()
    areas = fields.List(fields.String())
    requirements = fields.String()
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    status = fields.String(metadata={"description": "draft, published or closed"})
    accepting_applications = fields.Boolean()
    published_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CallListQuery(Schema):
    status = fields.String(validate=validate.OneOf(list(TRANSITIONS)))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String()


class CallPage(Schema):
    items = fields.List(fields.Nested(CallOut))
    next_cursor = fields.String(allow_none=True)
