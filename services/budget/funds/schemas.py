"""Marshmallow schemas of the fund assignments and fund-years API."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.http.money_field import Amount

FUND_CODE = r"^[A-Z][A-Z0-9_.-]{1,40}$"
YEAR = validate.Range(min=2000, max=2100)


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Name the decree (e.g. \"DGR n. 512 del 14/06/2025\").")


def positive(value) -> None:
    if value <= 0:
        raise ValidationError("An assignment is more than 0.00.")


class AssignmentIn(Schema):
    fund = fields.String(required=True, validate=validate.Regexp(FUND_CODE),
                         metadata={"description": "Codice del fondo (GET /funds), es. FNPS"})
    year = fields.Integer(required=True, validate=YEAR, metadata={"description": "Annualità del fondo"})
    amount = Amount(required=True, validate=positive, metadata={"description": "Importo assegnato all'Ambito"})
    decree_reference = fields.String(required=True, validate=[validate.Length(min=1, max=300), not_blank],
                                     metadata={"description": "Estremi del decreto di riparto o di assegnazione, "
                                                              "es. \"DGR n. 512 del 14/06/2025\""})
    decree_date = fields.Date(required=True, metadata={"description": "Data del decreto"})


class AssignmentPatch(Schema):
    amount = Amount(validate=positive, metadata={"description": "Importo corretto"})
    decree_reference = fields.String(validate=[validate.Length(min=1, max=300), not_blank],
                                     metadata={"description": "Estremi del decreto corretti"})
    decree_date = fields.Date(metadata={"description": "Data del decreto corretta"})

    @validates_schema
    def _something(self, data, **_kwargs):
        if not data:
            raise ValidationError("Correct at least one of amount, decree_reference, decree_date.",
                                  field_name="amount")


class AssignmentOut(Schema):
    id = fields.UUID()
    fund = fields.String(attribute="fund_code")
    year = fields.Integer()
    amount = Amount()
    decree_reference = fields.String()
    decree_date = fields.Date()
    version = fields.Integer()
    created_at = fields.DateTime()
    created_by = fields.String()
    updated_at = fields.DateTime()
    updated_by = fields.String(allow_none=True)


class AssignmentListQuery(Schema):
    fund = fields.String(validate=validate.Regexp(FUND_CODE))
    year = fields.Integer(validate=YEAR)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String()


class AssignmentPage(Schema):
    items = fields.List(fields.Nested(AssignmentOut))
    next_cursor = fields.String(allow_none=True)


class FundYearsQuery(Schema):
    year = fields.Integer(validate=YEAR, metadata={"description": "Solo quest'anno"})
    fund = fields.String(validate=validate.Regexp(FUND_CODE), metadata={"description": "Solo questo fondo"})


class FundYearRow(Schema):
    fund = fields.String()
    fund_name = fields.String(metadata={"description": "Denominazione del fondo"})
    source = fields.String(allow_none=True, metadata={"description": "national, regional, EU, PNRR o comuni"})
    year = fields.Integer()
    assigned = Amount(metadata={"description": "Assegnato (somma dei decreti)"})
    residui_in = Amount(metadata={"description": "Residui ricevuti dall'anno precedente"})
    allocated = Amount(metadata={"description": "Ripartito sugli interventi"})
    available = Amount(metadata={"description": "Disponibile: assigned + residui_in - allocated"})
    closed = fields.Boolean(metadata={"description": "Anno chiuso (residui portati all'anno successivo)"})


class FundYearsOut(Schema):
    items = fields.List(fields.Nested(FundYearRow))
