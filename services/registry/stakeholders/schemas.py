"""Marshmallow schemas at the registry's HTTP edge."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.registry.stakeholders.domain import RUNTS_SECTIONS, STAKEHOLDER_TYPES
from services.registry.taxcodes import (InvalidTaxCode,
                                      normalise_tax_code)


class StakeholderIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=300),
                         metadata={"description": "Denominazione dell'organizzazione"})
    type = fields.String(required=True, validate=validate.OneOf(STAKEHOLDER_TYPES))
    tax_code = fields.String(required=True, metadata={
        "description": "Codice fiscale (16 caratteri) o partita IVA / codice fiscale numerico (11 cifre)"})
    runts_section = fields.String(load_default=None, allow_none=True,
                                  validate=validate.OneOf(RUNTS_SECTIONS),
                                  metadata={"description": "Sezione RUNTS (a-g) per gli ETS"})

    @validates("tax_code")
    def _check_tax_code(self, value, **_kwargs):
        try:
            normalise_tax_code(value)
        except InvalidTaxCode as exc:
            raise ValidationError(str(exc)) from exc

    @validates_schema
    def _runts_for_ets(self, data, **_kwargs):
        if data.get("type") == "ets" and not data.get("runts_section"):
            raise ValidationError("required for type 'ets'", field_name="runts_section")


class StakeholderOut(Schema):
    id = fields.UUID()
    name = fields.String()
    type = fields.String()
    tax_code = fields.String()
    runts_section = fields.String(allow_none=True)
    created_at = fields.DateTime()


class StakeholderListQuery(Schema):
    type = fields.String(validate=validate.OneOf(STAKEHOLDER_TYPES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(metadata={"description": "Cursor from the previous page's next_cursor"})


class StakeholderPage(Schema):
    items = fields.List(fields.Nested(StakeholderOut))
    next_cursor = fields.String(allow_none=True)
