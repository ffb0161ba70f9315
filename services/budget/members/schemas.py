"""Marshmallow schemas of the register replica's HTTP edge."""
from __future__ import annotations

import unicodedata

from marshmallow import Schema, fields, validate

from services.budget.members.projector import STATUSES

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CURSOR = r"^[A-Za-z0-9_-]{0,27}$"
# The registry's organisation types (it.pdz.registry.stakeholder.*.v1), for the filter and documentation.
ORGANISATION_TYPES = ("public_body", "comune", "health_authority", "school", "ets", "social_cooperative",
                      "enterprise", "trade_union", "representative_body", "other")


class NFCString(fields.String):
    """A string loaded in Unicode NFC (the registry stores names in NFC, so a decomposed "è" still matches)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs))


class OrganisationOut(Schema):
    id = fields.UUID(metadata={"description": "The organisation's id in the registry (stakeholder_id)"})
    origin = fields.String(metadata={
        "description": "The Ambito whose register the row comes from: this one, or a former Ambito that shares"
                       " its register with it"})
    name = fields.String(metadata={"description": "Denominazione"})
    type = fields.String(metadata={"description": "Tipo di organizzazione: " + ", ".join(ORGANISATION_TYPES)})
    tax_code = fields.String(allow_none=True, metadata={
        "description": "Codice fiscale o partita IVA, when the registry's events give it (today they do not)"})
    runts_section = fields.String(allow_none=True, metadata={"description": "Sezione RUNTS (a-g) per gli ETS"})
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "Status in the register: active, suspended or withdrawn"})
    version = fields.Integer(metadata={"description": "The register's version of the organisation shown here"})
    as_of = fields.DateTime(metadata={"description": "When the register made that version"})


class OrganisationListQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    type = fields.String(validate=validate.OneOf(ORGANISATION_TYPES))
    origin = fields.String(validate=[validate.Length(max=63), validate.Regexp(SLUG)],
                           metadata={"description": "Only rows from this Ambito's register"})
    q = NFCString(validate=validate.Length(min=1, max=100), metadata={
        "description": "Part of the name (case-insensitive; % and _ are plain characters)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."),
                          metadata={"description": "Cursor from the previous page's next_cursor"})


class OrganisationPage(Schema):
    items = fields.List(fields.Nested(OrganisationOut))
    next_cursor = fields.String(allow_none=True)
