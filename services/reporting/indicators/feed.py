"""The tidy statistics feed for the regional statistics office: one row per figure, pure.

A row is (indicator code, territory code, territory type, period, dimension, value, unit, as_of).
Territories are those of `territories.representative`: an Ambito (a merged one as a whole), each
former territory (`ambito_di_origine`), the region (`regione`); a figure given per comune (its
dimension has `comune`, an ISTAT code) is a row of the comune (`comune`), taken from its Ambito's
figures only (the region's and the former territories' would repeat it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Mapping

from services.reporting.indicators.evaluate import Labelled, figure_as_of
from services.reporting.indicators.model import Indicator
from services.reporting.indicators.territories import AMBITO, FORMER, REGION, WHOLE, Territory, representative

# A figure per comune names it in one of these dimensions (the ISTAT code, 6 digits).
COMUNE_KEYS = ("comune", "istat_code")
TERRITORY_TYPES = {AMBITO: "ambito", WHOLE: "ambito", FORMER: "ambito_di_origine", REGION: "regione"}
COMUNE = "comune"
# What people read in the exports.
TYPE_NAMES = {"ambito": "Ambito", "ambito_di_origine": "Ambito di origine (prima della fusione)",
              "regione": "Regione", "comune": "Comune"}


@dataclass(frozen=True)
class FeedRow:
    indicator: str
    territory_code: str
    territory_type: str          # ambito, ambito_di_origine, regione, comune
    ambito: str | None           # the Ambito the territory belongs to (None: the region)
    period: str
    dimension: tuple[tuple[str, str], ...]   # sorted (name, value) pairs, the comune left out
    value: Decimal
    unit: str
    as_of: datetime | None

    @property
    def dimension_key(self) -> str:
        return dimension_key(dict(self.dimension))

    def as_json(self) -> dict:
        return {"indicator": self.indicator, "territory_code": self.territory_code,
                "territory_type": self.territory_type, "ambito": self.ambito, "period": self.period,
                "dimension": dict(self.dimension), "value": format(self.value, "f"), "unit": self.unit,
                "as_of": self.as_of.isoformat() if self.as_of else None}


def dimension_key(dimension: Mapping) -> str:
    """A dimension as one canonical text: "area=anziani;fund=FNPS" ('' for none)."""
    return ";".join(f"{name}={dimension[name]}" for name in sorted(dimension))


def _comune(dimension: Mapping) -> str | None:
    return next((str(dimension[k]) for k in COMUNE_KEYS if dimension.get(k) is not None), None)


def row_of(labelled: Labelled, *, unit: str, as_of: datetime | None) -> FeedRow | None:
    """The feed row of one labelled figure (None: a comune's figure seen from a former territory or region)."""
    territory, figure = labelled.territory, labelled.figure
    comune = _comune(figure.dimension)
    if comune is not None and territory.level not in (AMBITO, WHOLE):
        return None
    dimension = tuple(sorted((str(k), str(v)) for k, v in figure.dimension.items() if k not in COMUNE_KEYS))
    return FeedRow(indicator=figure.indicator, territory_code=comune or territory.code,
                   territory_type=COMUNE if comune else TERRITORY_TYPES[territory.level],
                   ambito=territory.ambito, period=str(figure.period), dimension=dimension,
                   value=figure.value, unit=unit, as_of=as_of)


def rows(evaluated: Mapping[str, list[Labelled]], *, territories: list[Territory],
         items: Mapping[str, Indicator], as_of: Mapping[str, datetime | None]) -> list[FeedRow]:
    """The feed rows of evaluated figures, by indicator, then territory in the given order."""
    listed = {(t.level, t.code) for t in representative(territories)}
    result = []
    for code, labelled in evaluated.items():
        item = items[code]
        when = figure_as_of(item, as_of)
        for one in labelled:
            if (one.territory.level, one.territory.code) not in listed:
                continue
            row = row_of(one, unit=item.definition.unit, as_of=when)
            if row is not None:
                result.append(row)
    return result


HEADERS = ("codice_indicatore", "codice_territorio", "tipo_territorio", "ambito", "periodo", "dimensioni",
           "valore", "unita_di_misura", "aggiornato_al")


def csv_fields(row: FeedRow) -> tuple:
    """The row's cells in HEADERS' order: texts, the value as a Decimal, as_of as ISO 8601 text."""
    return (row.indicator, row.territory_code, row.territory_type, row.ambito or "", row.period, row.dimension_key,
            row.value, row.unit, row.as_of.isoformat() if row.as_of else "")
