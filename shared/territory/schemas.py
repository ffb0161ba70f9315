"""Marshmallow schemas of a territory replica's HTTP edge: a service subclasses TerritoryOut to say more."""
from __future__ import annotations

from marshmallow import Schema, fields


class ComuneOut(Schema):
    istat_code = fields.String(metadata={"description": "Codice ISTAT del comune", "pattern": "^[0-9]{6}$"})
    name = fields.String(metadata={"description": "Denominazione ISTAT"})
    province = fields.String(metadata={"description": "Sigla della provincia"})
    population = fields.Integer(metadata={"description": "Popolazione residente"})
    population_date = fields.Date(metadata={"description": "Data di riferimento della popolazione"})


class TerritoryOut(Schema):
    origin = fields.String(metadata={"description": "The Ambito whose profile this is"})
    name = fields.String(metadata={"description": "Denominazione dell'Ambito"})
    region = fields.String()
    capofila_istat = fields.String(metadata={"description": "Codice ISTAT del comune capofila"})
    ente_gestore = fields.String(allow_none=True)
    asl_district = fields.String(allow_none=True)
    total_population = fields.Integer(metadata={"description": "Popolazione totale dei comuni dell'Ambito"})
    version = fields.Integer(metadata={"description": "The registry's profile version shown here"})
    as_of = fields.DateTime(metadata={"description": "When the registry made that version"})
    comuni = fields.List(fields.Nested(ComuneOut))
