"""What the indicators API answers, as plain dicts (the api modules add HTTP): reads the reporting database."""
from __future__ import annotations

from datetime import datetime

from services.reporting import freshness
from services.reporting.indicators import cache, feed
from services.reporting.indicators.evaluate import figure_as_of, indicators
from services.reporting.indicators.model import ROME, Definition, Indicator, Period
from services.reporting.indicators.territories import Territory


def current_year() -> Period:
    """The year it is now in Italy: the default period."""
    return Period(datetime.now(ROME).year)


def definition_json(definition: Definition) -> dict:
    return {"code": definition.code, "name": definition.name, "unit": definition.unit, "kind": definition.kind,
            "formula": definition.formula, "source_events": list(definition.source_events),
            "dimensions": list(definition.dimensions)}


def territory_json(territory: Territory) -> dict:
    return {"code": territory.code, "level": territory.level, "ambito": territory.ambito,
            "tenants": list(territory.tenants)}


def _stamp(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def answer(conn, *, territories: list[Territory], period: Period, items: list[Indicator] | None = None,
           state: cache.DataState | None = None, as_of: dict | None = None) -> dict:
    """Definitions and figures of the indicators for the territories, with as_of per service and per indicator.

    `state` and `as_of`: as the caller read them (the figure cache's versions, freshness.as_of) if it did."""
    items = indicators() if items is None else items
    as_of = freshness.as_of(conn) if as_of is None else as_of
    evaluated = cache.evaluate(conn, territories=territories, period=period, items=items, state=state)
    entries = []
    for item in items:
        code = item.definition.code
        entries.append({**definition_json(item.definition), "as_of": _stamp(figure_as_of(item, as_of)),
                        "figures": [{"territory": one.territory.code, "level": one.territory.level,
                                     "dimension": {str(k): str(v) for k, v in one.figure.dimension.items()},
                                     "value": format(one.figure.value, "f")} for one in evaluated[code]]})
    return {"period": str(period), "as_of": {s: _stamp(w) for s, w in as_of.items()},
            "territories": [territory_json(t) for t in territories], "indicators": entries,
            "_evaluated": evaluated, "_as_of": as_of}


def public(result: dict) -> dict:
    """The answer without the internal keys the exports use."""
    return {k: v for k, v in result.items() if not k.startswith("_")}


def feed_rows(conn, *, territories: list[Territory], period: Period, state: cache.DataState | None = None,
              as_of: dict | None = None) -> tuple[list[feed.FeedRow], dict]:
    """The statistics feed's rows for the territories and period, and as_of per service."""
    items = indicators()
    as_of = freshness.as_of(conn) if as_of is None else as_of
    evaluated = cache.evaluate(conn, territories=territories, period=period, items=items, state=state)
    return feed.rows(evaluated, territories=territories, items={i.definition.code: i for i in items},
                     as_of=as_of), as_of
