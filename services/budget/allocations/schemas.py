"""Marshmallow schemas of the allocations and fund-year closure API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.http.money_field import Amount

FUND_CODE = r"^[A-Z][A-Z0-9_.-]{1,40}$"
YEAR = validate.Range(min=2000, max=2100)


class AllocationIn(Schema):
    fund = fields.String(required=True, validate=validate.Regexp(FUND_CODE),
                         metadata={"description": "Codice del fondo (dati di riferimento, es. FNPS)"})
    year = fields.Integer(required=True, validate=YEAR, metadata={"description": "Anno del triennio del piano"})
    amount = Amount(required=True, metadata={"description": "Importo assegnato all'intervento (> 0)"})


class AllocationPatch(Schema):
    amount = Amount(required=True, metadata={"description": "Nuovo importo (non sotto l'impegnato)"})


class AllocationOut(Schema):
    id = fields.UUID()
    intervention_id = fields.UUID()
    plan_id = fields.UUID()
    fund = fields.String(attribute="fund_code")
    year = fields.Integer()
    amount = Amount(metadata={"description": "Importo programmato"})
    committed = Amount(metadata={"description": "Impegnato"})
    paid = Amount(metadata={"description": "Liquidato"})
    carried = Amount(metadata={"description": "Quota non impegnata portata all'anno successivo come residuo "
                                              "alla chiusura dell'anno del fondo"})
    open = Amount(metadata={"description": "Ancora impegnabile: amount - committed - carried"})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AllocationListQuery(Schema):
    fund = fields.String(validate=validate.Regexp(FUND_CODE))
    year = fields.Integer(validate=YEAR)
    intervention_id = fields.UUID()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String()


class InterventionAllocationQuery(Schema):
    year = fields.Integer(validate=YEAR)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String()


class AllocationPage(Schema):
    items = fields.List(fields.Nested(AllocationOut))
    next_cursor = fields.String(allow_none=True)


class OriginOut(Schema):
    allocation_id = fields.String(allow_none=True, metadata={"description": "null: la parte mai assegnata"})
    intervention_id = fields.String(allow_none=True)
    amount = fields.String(metadata={"description": "Importo in euro, es. \"1250.50\""})


class FundYearOut(Schema):
    fund = fields.String(attribute="fund_code")
    year = fields.Integer()
    assigned = Amount(metadata={"description": "Assegnato (somma dei decreti)"})
    residui_in = Amount(metadata={"description": "Residui ricevuti dall'anno precedente"})
    allocated = Amount(metadata={"description": "Assegnato agli interventi"})
    committed = Amount(metadata={"description": "Impegnato"})
    closed_at = fields.DateTime(allow_none=True)
    carried = Amount(allow_none=True, metadata={"description": "Residui portati all'anno successivo (null se aperto)"})
    to_year = fields.Integer()
    origin = fields.List(fields.Nested(OriginOut))
