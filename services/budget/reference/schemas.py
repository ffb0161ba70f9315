"""Marshmallow schemas of the reference data API (funds, LEPS, nomenclature): read only."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.budget.reference.model import SOURCES


class FundAreaOut(Schema):
    code = fields.String()
    name = fields.String(metadata={"description": "Denominazione dell'area tematica della regione"})


class FundEarmarkOut(Schema):
    areas = fields.List(fields.Nested(FundAreaOut), allow_none=True,
                        metadata={"description": "Aree tematiche della regione dell'Ambito che il fondo può "
                                                 "finanziare (null: nessun vincolo)"})
    leps = fields.List(fields.String(), allow_none=True,
                       metadata={"description": "L'intervento deve coprire almeno uno di questi LEPS (null: nessun vincolo)"})
    kinds = fields.List(fields.String(), allow_none=True,
                        metadata={"description": "Tipi di intervento ammessi: service, transfer, project"})
    target_groups = fields.List(fields.String(), allow_none=True,
                                metadata={"description": "Aree di utenza (L. 328/2000) ammesse"})
    nomenclature = fields.List(fields.String(), allow_none=True,
                               metadata={"description": "Codici del nomenclatore ammessi"})


class FundOut(Schema):
    code = fields.String()
    name = fields.String(metadata={"description": "Denominazione del fondo"})
    source = fields.String(metadata={"description": "national, regional, EU, PNRR o comuni"})
    region = fields.String(allow_none=True, metadata={"description": "Regione di un fondo regionale"})
    legal_basis = fields.String(metadata={"description": "Riferimenti normativi"})
    rule = fields.String(metadata={"description": "Il vincolo di destinazione, in parole"})
    restricted = fields.Boolean(metadata={"description": "Il fondo ha vincoli di destinazione"})
    earmark = fields.Nested(FundEarmarkOut)


class FundsQuery(Schema):
    source = fields.String(validate=validate.OneOf(SOURCES))


class FundsOut(Schema):
    items = fields.List(fields.Nested(FundOut))


class LepsOut(Schema):
    code = fields.String()
    name = fields.String(metadata={"description": "Livello essenziale delle prestazioni sociali"})
    legal_basis = fields.String()


class LepsListOut(Schema):
    items = fields.List(fields.Nested(LepsOut))


class NomenclatureEntryOut(Schema):
    code = fields.String()
    name = fields.String()
    parent = fields.String(allow_none=True)
    level = fields.Integer()
    note = fields.String()


class NomenclatureOut(Schema):
    source = fields.String(metadata={"description": "Documento, versione e anno da cui vengono i codici"})
    items = fields.List(fields.Nested(NomenclatureEntryOut))
