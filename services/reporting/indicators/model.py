"""The indicator contract (issue 11): what an indicator is, what a figure is, and how a provider gives figures.

Every indicator of the region (DOMAIN.md "What the region asks of reporting") is a `Definition`
registered with a `provider` (its figures for some Ambiti and a period) and a `tracer` (the records a
figure was computed from). The API, the exports, the statistics feed and the portal read indicators
only through `REGISTRY`, so adding one is registering it in its own module.

A merged Ambito is not the providers' business: the framework calls a provider with
`tenants=[C, A, B]` for the whole, `[A]` and `[B]` for each former territory (the catalogue's
`merged_from`) and `[C]` for the merged Ambito's own records, and labels each answer.
Periods are ISO years and quarters (`2025`, `2025-Q2`). Flows (money paid, sessions held) count what
happened inside the period; stocks (stakeholders, allocations in force) are taken at its end — each
Definition says which.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

import psycopg

ROME = ZoneInfo("Europe/Rome")
PERIOD_RE = re.compile(r"^(?P<year>20[0-9]{2})(?:-Q(?P<quarter>[1-4]))?$")
UNITS = frozenset({"EUR", "EUR/abitante", "numero", "percentuale", "abitanti"})
KINDS = frozenset({"flow", "stock"})


class BadPeriod(ValueError):
    """Not an ISO year or quarter such as 2025 or 2025-Q2."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = PERIOD_RE.match(text or "")
        if not match:
            raise BadPeriod(f"{text!r} is not a period: write a year (2025) or a quarter (2025-Q2)")
        quarter = match.group("quarter")
        return cls(int(match.group("year")), int(quarter) if quarter else None)

    def __str__(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The first instant of the period in Italy."""
        return datetime.combine(self.first_day, datetime.min.time(), ROME)

    @property
    def end(self) -> datetime:
        """The first instant after the period in Italy (exclusive bound)."""
        return datetime.combine(self.last_day + timedelta(days=1), datetime.min.time(), ROME)


@dataclass(frozen=True)
class Definition:
    code: str                          # stable, snake_case, e.g. "spesa_pagata_per_abitante"
    name: str                          # Italian, what people read
    unit: str                          # one of UNITS
    kind: str                          # "flow" or "stock"
    formula: str                       # Italian: how it is computed, in words
    source_events: tuple[str, ...]     # the event types it is built from
    dimensions: tuple[str, ...] = ()   # breakdowns a figure carries, e.g. ("fund",), ("area",), ()

    def __post_init__(self):
        if self.unit not in UNITS or self.kind not in KINDS or not re.match(r"^[a-z][a-z0-9_]{2,60}$", self.code):
            raise ValueError(f"bad indicator definition {self.code!r}")


@dataclass(frozen=True)
class Figure:
    """One value: an indicator for some Ambiti in a period, along its dimensions (e.g. {"fund": "FNPS"})."""
    indicator: str
    period: Period
    value: Decimal
    dimension: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """A record a figure was computed from: which service owns it, its kind and id, its contribution."""
    service: str                       # registry, consultation, budget
    record: str                        # e.g. "payment", "stakeholder", "attendance"
    id: str
    tenant: str
    value: Decimal | None = None       # its part of the figure, when the figure is a sum


class Provider(Protocol):
    def __call__(self, conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]: ...


class Tracer(Protocol):
    def __call__(self, conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                 after: str | None, limit: int) -> tuple[list[Source], str | None]: ...


class GroupedProvider(Protocol):
    """Optional, for speed: the figures of many groups of tenants in one query (a region's Ambiti at once).

    `groups` maps a label to its tenants; the answer maps each label to what `provider` would give for them."""
    def __call__(self, conn: psycopg.Connection, *, groups: dict[str, list[str]],
                 period: Period) -> dict[str, list[Figure]]: ...


@dataclass(frozen=True)
class Indicator:
    definition: Definition
    provider: Provider
    tracer: Tracer
    grouped: GroupedProvider | None = None   # additive (framework): used instead of provider when given


REGISTRY: dict[str, Indicator] = {}


def register(definition: Definition, *, provider: Callable, tracer: Callable, grouped: Callable | None = None) -> None:
    """Make an indicator known to the API, exports, feed and portal (call at import of its module)."""
    if definition.code in REGISTRY and REGISTRY[definition.code].definition != definition:
        raise ValueError(f"indicator {definition.code} registered twice")
    REGISTRY[definition.code] = Indicator(definition, provider, tracer, grouped)
