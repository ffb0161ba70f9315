"""Marshmallow schemas of the expenditure API (the edge only; the rules are in domain.py and codes.py)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from shared.http.money_field import Amount

from services.budget.expenditure import codes

ACT_REFERENCE = {"description": "L'atto: determina o provvedimento, es. \"Determina n. 123 del 10/03/2025\""}


def _code(check):
    def validator(value: str | None) -> None:
        if value is not None and value.strip():
            why = check(codes.normalise(value))
            if why:
                raise ValidationError(why)
    return validator


class CommitmentIn(Schema):
    amount = Amount(required=True)
    act_date = fields.Date(required=True, metadata={"description": "Data dell'atto di impegno (non futura)"})
    act_reference = fields.String(required=True, validate=validate.Length(min=1, max=300), metadata=ACT_REFERENCE)
    cup = fields.String(load_default=None, allow_none=True, validate=_code(codes.cup_problem),
                        metadata={"description": "CUP, 15 caratteri (lettere maiuscole e cifre); se assente, "
                                                 "quello dell'intervento", "example": "J51B21005120006"})
    cig = fields.String(load_default=None, allow_none=True, validate=_code(codes.cig_problem),
                        metadata={"description": "CIG, 10 caratteri, con i caratteri di controllo verificati "
                                                 "dove sono documentati", "example": "8527277397"})
    supplier_id = fields.UUID(load_default=None, allow_none=True,
                              metadata={"description": "Il fornitore: un'organizzazione del registro; assente per "
                                                       "i trasferimenti a persone (mai registrate qui)"})


class PaymentIn(Schema):
    amount = Amount(required=True)
    act_date = fields.Date(required=True, metadata={"description": "Data dell'atto di liquidazione (non futura, "
                                                                   "non prima dell'impegno)"})
    act_reference = fields.String(required=True, validate=validate.Length(min=1, max=300), metadata=ACT_REFERENCE)


class CommitmentOut(Schema):
    id = fields.UUID()
    allocation_id = fields.UUID()
    intervention_id = fields.UUID()
    plan_id = fields.UUID()
    fund_code = fields.String()
    year = fields.Integer()
    amount = Amount()
    paid = Amount()
    to_pay = Amount(metadata={"description": "Impegnato e non ancora liquidato"})
    act_date = fields.Date()
    act_reference = fields.String()
    cup = fields.String(allow_none=True)
    cig = fields.String(allow_none=True)
    supplier_id = fields.UUID(allow_none=True)
    created_at = fields.DateTime()


class PaymentOut(Schema):
    id = fields.UUID()
    commitment_id = fields.UUID()
    allocation_id = fields.UUID()
    amount = Amount()
    act_date = fields.Date()
    act_reference = fields.String()
    created_at = fields.DateTime()


class PageQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String()


class CommitmentListQuery(PageQuery):
    intervention_id = fields.UUID()
    allocation_id = fields.UUID()
    plan_id = fields.UUID()
    fund = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Codice del fondo"})
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    supplier_id = fields.UUID()
    cup = fields.String(validate=validate.Length(equal=15))


class CommitmentPage(Schema):
    items = fields.List(fields.Nested(CommitmentOut))
    next_cursor = fields.String(allow_none=True)


class PaymentPage(Schema):
    items = fields.List(fields.Nested(PaymentOut))
    next_cursor = fields.String(allow_none=True)


class SummaryQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    fund = fields.String(validate=validate.Length(min=1, max=100))


class SummaryLineOut(Schema):
    fund_code = fields.String(allow_none=True, metadata={"description": "null nella riga dei totali"})
    year = fields.Integer(allow_none=True)
    assigned = Amount(metadata={"description": "Assegnato dai decreti del fondo"})
    residui_in = Amount(metadata={"description": "Residui portati dall'anno precedente"})
    available = Amount(metadata={"description": "assigned + residui_in"})
    allocated = Amount(metadata={"description": "Ripartito sugli interventi"})
    unallocated = Amount(metadata={"description": "available - allocated"})
    committed = Amount(metadata={"description": "Impegnato"})
    uncommitted = Amount(metadata={"description": "allocated - committed"})
    paid = Amount(metadata={"description": "Liquidato"})
    to_pay = Amount(metadata={"description": "committed - paid: impegnato da liquidare"})


class SummaryOut(Schema):
    lines = fields.List(fields.Nested(SummaryLineOut))
    totals = fields.Nested(SummaryLineOut)
