"""Marshmallow schemas of the territory's HTTP edge (the replica's own: shared/territory/schemas.py)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.territory import schemas

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class TerritoryQuery(Schema):
    origin = fields.String(validate=[validate.Length(max=63), validate.Regexp(SLUG)], metadata={
        "description": "A former Ambito that shares its profile with this one (default: this Ambito)"})


class TerritoryOut(schemas.TerritoryOut):
    other_origins = fields.List(fields.String(), metadata={
        "description": "The other Ambiti whose territory this database holds (?origin= shows one)"})
