"""Marshmallow schemas of the co-financing API."""
from __future__ import annotations

from marshmallow import Schema, fields

from shared.http.money_field import Amount

from services.budget.cofinancing.domain import RULE


class CofinancingIn(Schema):
    total = Amount(required=True, metadata={"description": "Cofinanziamento complessivo dei comuni per l'anno"})


class CofinancingShareOut(Schema):
    istat_code = fields.String(metadata={"description": "Codice ISTAT del comune"})
    population = fields.Integer(metadata={"description": "Popolazione usata per il riparto"})
    population_date = fields.Date(metadata={"description": "Data del dato di popolazione"})
    amount = Amount(metadata={"description": "Quota del comune"})


class CofinancingOut(Schema):
    intervention_id = fields.UUID()
    year = fields.Integer()
    total = Amount()
    rule = fields.Constant(RULE, metadata={"description": "Riparto per popolazione, resti al centesimo col metodo "
                                                          "dei resti più alti (parità: codice ISTAT crescente)"})
    population_as_of = fields.DateTime(metadata={"description": "Versione del profilo d'Ambito usata"})
    shares = fields.List(fields.Nested(CofinancingShareOut))
    version = fields.Integer()
    created_at = fields.DateTime()


class CofinancingList(Schema):
    items = fields.List(fields.Nested(CofinancingOut))
