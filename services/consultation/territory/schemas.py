"""Marshmallow schemas of the territory's HTTP edge (the replica's own: shared/territory/schemas.py)."""
from __future__ import annotations

from marshmallow import fields

from shared.territory import schemas


class TerritoryOut(schemas.TerritoryOut):
    origin = fields.String(metadata={"description": "The Ambito whose profile this is (this one)"})
