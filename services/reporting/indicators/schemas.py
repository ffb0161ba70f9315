"""Response schemas of the indicators API (marshmallow, at the edge only)."""
from __future__ import annotations

from marshmallow import Schema, fields


def _as_of():
    return fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), metadata={
        "description": "per source service (registry, consultation, budget): the time of the newest event applied "
                       "to the read models (ISO 8601; null: none yet)"})


class DefinitionOut(Schema):
    code = fields.String()
    name = fields.String(metadata={"description": "in Italian"})
    unit = fields.String(metadata={"description": "EUR, EUR/abitante, numero, percentuale, abitanti"})
    kind = fields.String(metadata={"description": "flow (what happened in the period) or stock (at its end)"})
    formula = fields.String(metadata={"description": "how it is computed, in Italian"})
    source_events = fields.List(fields.String())
    dimensions = fields.List(fields.String())


class Definitions(Schema):
    indicators = fields.List(fields.Nested(DefinitionOut))


class FigureOut(Schema):
    territory = fields.String(metadata={"description": "code of the territory (see territories)"})
    level = fields.String(metadata={"description": "ambito, whole, former or region"})
    dimension = fields.Dict(keys=fields.String(), values=fields.String())
    value = fields.String(metadata={"description": "exact decimal, as a string"})


class IndicatorOut(DefinitionOut):
    as_of = fields.String(allow_none=True, metadata={
        "description": "the oldest of its source services' newest applied events (ISO 8601; null: none yet)"})
    figures = fields.List(fields.Nested(FigureOut))


class TerritoryOut(Schema):
    code = fields.String()
    level = fields.String(metadata={"description": "ambito (its own records), whole (a merged Ambito with its "
                                                   "former territories), former (one former territory), region"})
    ambito = fields.String(allow_none=True)
    tenants = fields.List(fields.String(), metadata={"description": "whose records the figures count"})


class Answer(Schema):
    tenant = fields.String()
    region = fields.String()
    period = fields.String()
    as_of = _as_of()
    territories = fields.List(fields.Nested(TerritoryOut))
    indicators = fields.List(fields.Nested(IndicatorOut))


class SourceOut(Schema):
    service = fields.String(metadata={"description": "the service that owns the record"})
    record = fields.String(metadata={"description": "the kind of record, e.g. payment, stakeholder"})
    id = fields.String()
    tenant = fields.String()
    value = fields.String(allow_none=True, metadata={"description": "its part of the figure, when a sum"})


class Trace(Schema):
    indicator = fields.String()
    territory = fields.Nested(TerritoryOut)
    period = fields.String()
    dimension = fields.Dict(keys=fields.String(), values=fields.String())
    items = fields.List(fields.Nested(SourceOut))
    next_cursor = fields.String(allow_none=True, metadata={
        "pattern": "^[A-Za-z0-9_-]{1,1000}$", "description": "send it as `after` for the next page; null on the last"})
