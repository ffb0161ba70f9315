"""Every registered indicator's figures for some territories and a period, labelled by territory.

Providers know nothing of merged Ambiti or regions: they get a list of tenants (territories.py says
which) and give figures for those tenants together. This module calls them and labels the answers.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from services.reporting.indicators.model import REGISTRY, Figure, Indicator, Period, Source
from services.reporting.indicators.territories import Territory

log = logging.getLogger(__name__)
SERVICES = ("registry", "consultation", "budget")


class UnknownIndicator(LookupError):
    """No indicator of that code is registered."""


class BadDimension(ValueError):
    """A dimension the indicator does not have, or one it needs that is missing; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Labelled:
    """One figure of one territory."""
    territory: Territory
    figure: Figure


def indicator(code: str, registry: Mapping[str, Indicator] | None = None) -> Indicator:
    """The registered indicator of `code`; UnknownIndicator otherwise."""
    found = (REGISTRY if registry is None else registry).get(code)
    if found is None:
        raise UnknownIndicator(code)
    return found


def indicators(registry: Mapping[str, Indicator] | None = None) -> list[Indicator]:
    """Every registered indicator, by code."""
    registry = REGISTRY if registry is None else registry
    return [registry[code] for code in sorted(registry)]


def _answers(conn, item: Indicator, territories: list[Territory], period: Period) -> list[list[Figure]]:
    """Each territory's figures: one grouped call if the indicator has one, else one call per territory."""
    if item.grouped is None or len(territories) < 2:
        return [item.provider(conn, tenants=list(t.tenants), period=period) for t in territories]
    labels = [f"{t.level}:{t.code}" for t in territories]
    answered = item.grouped(conn, groups={label: list(t.tenants) for label, t in zip(labels, territories)},
                            period=period)
    return [answered.get(label, []) for label in labels]


def per_territory(conn, *, item: Indicator, territories: list[Territory], period: Period) -> list[list[Figure]]:
    """One indicator's figures of each territory (a list per territory, in the territories' order), checked."""
    answers = _answers(conn, item, territories, period)
    for answer in answers:
        for figure in answer:
            if figure.indicator != item.definition.code or figure.period != period:
                raise ValueError(f"provider of {item.definition.code} gave a figure of "
                                 f"{figure.indicator} {figure.period}")
    return answers


def figures(conn, *, item: Indicator, territories: Iterable[Territory], period: Period) -> list[Labelled]:
    """One indicator's figures for each territory (in the territories' order), labelled."""
    territories = list(territories)
    return [Labelled(territory, figure)
            for territory, answer in zip(territories, per_territory(conn, item=item, territories=territories,
                                                                    period=period))
            for figure in answer]


def evaluate(conn, *, territories: list[Territory], period: Period,
             items: Iterable[Indicator] | None = None) -> dict[str, list[Labelled]]:
    """Every indicator's labelled figures: code -> figures, codes in order."""
    items = indicators() if items is None else list(items)
    return {item.definition.code: figures(conn, item=item, territories=territories, period=period)
            for item in items}


def services_of(item: Indicator) -> tuple[str, ...]:
    """The services whose events an indicator is built from (it.pdz.<service>.…)."""
    return tuple(sorted({event.split(".")[2] for event in item.definition.source_events if event.count(".") >= 2}))


def figure_as_of(item: Indicator, as_of: Mapping[str, datetime | None]) -> datetime | None:
    """How fresh an indicator's figures are: the oldest of its services' newest applied events (None: none yet)."""
    known = [as_of[s] for s in services_of(item) if as_of.get(s) is not None]
    return min(known) if known else None


def check_dimension(item: Indicator, given: Mapping[str, str]) -> dict:
    """The dimension a trace names: every one of the indicator's, nothing else (BadDimension names the field)."""
    dimensions = item.definition.dimensions
    for name in given:
        if name not in dimensions:
            raise BadDimension(name, f"{item.definition.code} has no dimension {name!r}"
                               f" (its dimensions: {', '.join(dimensions) or 'none'})")
    for name in dimensions:
        if not given.get(name):
            raise BadDimension(name, f"the trace of one figure needs its {name}")
    return {name: given[name] for name in dimensions}


def trace(conn, *, item: Indicator, territory: Territory, period: Period, dimension: dict,
          after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The records one figure was computed from, a page at a time (the tracer's cursor)."""
    return item.tracer(conn, tenants=list(territory.tenants), period=period, dimension=dimension,
                       after=after, limit=limit)
