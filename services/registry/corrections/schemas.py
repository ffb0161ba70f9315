"""Marshmallow schemas of the correction requests' HTTP edge."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.registry.corrections.domain import STATUSES
from services.registry.stakeholders.schemas import StakeholderPatch
from services.registry.text import NFCString

REASON = validate.Length(min=5, max=2000)


class CorrectionChanges(StakeholderPatch):
    """The register's fields with the values the organisation proposes (only those to correct)."""

    class Meta:
        exclude = ("status",)   # the organisation's state in the network is the office's decision


class CorrectionIn(Schema):
    stakeholder_id = fields.UUID(required=True, metadata={"description": "The organisation (one you represent)"})
    changes = fields.Nested(CorrectionChanges, required=True, metadata={
        "description": "Field -> proposed value: name, type, runts_section, runts_number, seat_istat, areas"})
    reason = NFCString(required=True, validate=REASON, metadata={"description": "Why, for the office (5-2000)"})


class CorrectionAcceptIn(Schema):
    stakeholder_version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The version of the stakeholder the office compared the proposal with (its ETag's number)"})


class CorrectionRejectIn(Schema):
    reason = NFCString(required=True, validate=REASON, metadata={"description": "Why, for the organisation"})


class CorrectionOut(Schema):
    id = fields.UUID()
    stakeholder_id = fields.UUID()
    stakeholder_name = fields.String(metadata={"description": "The organisation's name when the request was made"})
    stakeholder_version = fields.Integer(metadata={"description": "The record's version the request was made on"})
    current = fields.Dict(metadata={"description": "The register's values of the fields asked for, then"})
    changes = fields.Dict(metadata={"description": "The proposed values"})
    reason = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    requested_by = fields.String()
    requested_at = fields.DateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    applied_version = fields.Integer(allow_none=True, metadata={
        "description": "The stakeholder's version after the acceptance (null until accepted)"})


class CorrectionListQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    stakeholder_id = fields.UUID()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(metadata={"description": "Cursor from the previous page's next_cursor"})


class CorrectionPage(Schema):
    items = fields.List(fields.Nested(CorrectionOut))
    next_cursor = fields.String(allow_none=True)
