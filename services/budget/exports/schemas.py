"""Query parameters of the exports (the edge only)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

YEAR = {"validate": validate.Range(min=2000, max=2100), "load_default": None}


class SiossQuery(Schema):
    year = fields.Integer(metadata={"description": "Solo quest'anno (annualità); tutti se assente"}, **YEAR)


class PovertyQuery(Schema):
    year = fields.Integer(metadata={"description": "Solo questa annualità; tutte se assente"}, **YEAR)
    as_of = fields.Date(load_default=None, metadata={
        "description": "Dati cumulati a questa data (atti con data fino a questa), come la rilevazione della "
                       "Piattaforma Multifondo chiede (es. 2024-08-31); oggi se assente"})
