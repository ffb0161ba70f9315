"""Marshmallow schemas of the access log's HTTP edge."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.registry.calls.schemas import representable
from services.registry.privacy.domain import ACTIONS, RESOURCES


class LogQuery(Schema):
    subject = fields.String(validate=validate.Length(min=1, max=200),
                            metadata={"description": "Who (the token's `sub`)"})
    action = fields.String(validate=validate.OneOf(ACTIONS), metadata={"description": "What was done"})
    resource = fields.String(validate=validate.OneOf(RESOURCES), metadata={"description": "Which kind of record"})
    resource_id = fields.String(validate=validate.Length(min=1, max=200),
                                metadata={"description": "Which record (e.g. a person's id)"})
    from_ = fields.AwareDateTime(data_key="from", validate=representable, metadata={
        "description": "Entries at or after this instant (ISO 8601 with time zone)"})
    to = fields.AwareDateTime(validate=representable, metadata={
        "description": "Entries before this instant (ISO 8601 with time zone)"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    after = fields.String(metadata={"description": "Cursor from the previous page's next_cursor"})

    @validates_schema
    def _range(self, data, **_kwargs):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ValidationError("must come after from", field_name="to")


class LogEntry(Schema):
    at = fields.DateTime()
    subject = fields.String()
    action = fields.String(validate=validate.OneOf(ACTIONS))
    resource = fields.String(validate=validate.OneOf(RESOURCES))
    resource_id = fields.String()
    request_id = fields.String(allow_none=True)


class LogPage(Schema):
    items = fields.List(fields.Nested(LogEntry))
    next_cursor = fields.String(allow_none=True)
