"""Marshmallow schemas of the registrations API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.consultation.sessions.schemas import RomeDateTime, cursor_field

STATUSES = ("registered", "waiting", "cancelled")


class RegistrationIn(Schema):
    organisation_id = fields.UUID(required=True, metadata={"description": "The member organisation registering"})
    seats = fields.Integer(load_default=1, validate=validate.Range(min=1, max=20),
                           metadata={"description": "Seats wanted (all or none: no partial allotment)"})
    on_behalf = fields.Boolean(load_default=False, metadata={
        "description": "The office (an operator or the table's coordinator) registers for the organisation"})


class RegistrationOut(Schema):
    id = fields.UUID()
    session_id = fields.UUID()
    organisation_id = fields.UUID()
    organisation_name = fields.String()
    seats = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    position = fields.Integer(allow_none=True, metadata={"description": "Place on the waiting list (1 = next)"})
    on_behalf = fields.Boolean()
    registered_at = RomeDateTime()
    promoted_at = RomeDateTime(allow_none=True, metadata={"description": "When it got a seat from the waiting list"})
    cancelled_at = RomeDateTime(allow_none=True)
    version = fields.Integer()


class RegistrationListQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    after = cursor_field()


class RegistrationPage(Schema):
    items = fields.List(fields.Nested(RegistrationOut))
    next_cursor = fields.String(allow_none=True)
