"""Marshmallow schemas of the calls API."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.registry.calls.domain import TRANSITIONS


class CallIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=5, max=300),
                          metadata={"description": "Titolo dell'avviso"})
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    areas = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=50),
                        metadata={"description": "Codici delle aree tematiche della regione (GET /areas)"})
    requirements = fields.String(load_default="", validate=validate.Length(max=20000),
                                 metadata={"description": "Requisiti di partecipazione"})
    opens_at = fields.AwareDateTime(required=True, metadata={"description": "Apertura (con fuso orario)"})
    closes_at = fields.AwareDateTime(required=True, metadata={"description": "Scadenza (con fuso orario)"})

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
