"""Every registered indicator of a merged Ambito's former territories side by side (issue 9 item 7, seed 000).

For a period and the same period of the previous year (2025-Q2 and 2024-Q2, 2025 and 2024), per
indicator and dimension: each former territory's value, the gap (max - min: 0 = aligned) and its
change (gap - gap of the previous year: negative = the territories came closer). The figures come from
the framework's evaluation layer (indicators/evaluate.py), each former territory evaluated over its own
records, so a value here is the one that territory's own indicator answer gives.

A territory without a figure: for counts and sums (units `numero`, `EUR`) the providers give nothing
when there is no record, so it is 0; for ratios and populations (`EUR/abitante`, `percentuale`,
`abitanti`) it is not available (None) and so is any gap it takes part in.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping

from services.reporting.indicators.evaluate import Labelled, evaluate, figure_as_of, indicators
from services.reporting.indicators.model import Indicator, Period
from services.reporting.indicators.territories import FORMER, of_ambito

ADDITIVE_UNITS = frozenset({"numero", "EUR"})          # no record, no figure: 0
COMPARABLE_UNITS = frozenset({"EUR/abitante", "percentuale"})  # independent of the territories' size

Key = tuple[tuple[str, str], ...]


def previous_period(period: Period) -> Period:
    """The same period one year earlier (2025-Q2 -> 2024-Q2, 2025 -> 2024)."""
    return Period(period.year - 1, period.quarter)


def comparable(unit: str) -> bool:
    """Whether territories of different size can be compared as they are (per inhabitant, shares)."""
    return unit in COMPARABLE_UNITS


def key_of(dimension: Mapping) -> Key:
    """A figure's dimension as a sortable key."""
    return tuple(sorted((str(k), str(v)) for k, v in dimension.items()))


def by_dimension(figures: Iterable[tuple[str, Mapping, Decimal]]) -> dict[Key, dict[str, Decimal]]:
    """(territory, dimension, value) triples grouped: dimension key -> territory -> value."""
    grouped: dict[Key, dict[str, Decimal]] = {}
    for territory, dimension, value in figures:
        grouped.setdefault(key_of(dimension), {})[territory] = value
    return grouped


def gap(values: Iterable[Decimal | None]) -> Decimal | None:
    """max - min of the values; None if one is missing or there is none."""
    values = list(values)
    if not values or any(v is None for v in values):
        return None
    return max(values) - min(values)


def _side(found: Mapping[str, Decimal], territories: list[str], additive: bool) -> dict[str, Decimal | None]:
    default = Decimal(0) if additive else None
    return {t: found.get(t, default) for t in territories}


def compare(*, territories: list[str], now: dict[Key, dict], before: dict[Key, dict], additive: bool) -> list[dict]:
    """Per dimension (sorted): each territory's value now and a year before, the two gaps and the change."""
    rows = []
    for key in sorted(set(now) | set(before)):
        values = _side(now.get(key, {}), territories, additive)
        previous = _side(before.get(key, {}), territories, additive)
        gap_now, gap_before = gap(values.values()), gap(previous.values())
        rows.append({"dimension": dict(key), "territories": values, "previous_year": previous, "gap": gap_now,
                     "gap_previous_year": gap_before,
                     "gap_change": None if gap_now is None or gap_before is None else gap_now - gap_before})
    return rows


def _triples(labelled: list[Labelled]) -> list[tuple[str, Mapping, Decimal]]:
    return [(one.territory.code, one.figure.dimension, one.figure.value) for one in labelled]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def as_json(row: dict) -> dict:
    """A compared row with exact decimal strings (None stays None)."""
    return {"dimension": row["dimension"],
            **{k: {t: _text(v) for t, v in row[k].items()} for k in ("territories", "previous_year")},
            **{k: _text(row[k]) for k in ("gap", "gap_previous_year", "gap_change")}}


def compare_indicators(conn, *, tenant, period: Period, as_of: Mapping,
                       items: list[Indicator] | None = None) -> dict:
    """Every indicator's comparison of the tenant's former territories for `period` and the year before."""
    items = indicators() if items is None else items
    formers = [t for t in of_ambito(tenant) if t.level == FORMER]
    codes = [t.code for t in formers]
    before = previous_period(period)
    now = evaluate(conn, territories=formers, period=period, items=items)
    then = evaluate(conn, territories=formers, period=before, items=items)
    entries = []
    for item in items:
        definition = item.definition
        rows = compare(territories=codes, now=by_dimension(_triples(now[definition.code])),
                       before=by_dimension(_triples(then[definition.code])),
                       additive=definition.unit in ADDITIVE_UNITS)
        entries.append({"indicator": definition.code, "name": definition.name, "unit": definition.unit,
                        "kind": definition.kind, "comparable": comparable(definition.unit),
                        "as_of": figure_as_of(item, as_of), "figures": [as_json(r) for r in rows]})
    return {"period": str(period), "previous_period": str(before), "by_indicator": entries}
