"""The Ambito's indicators of a period, read through the indicator REGISTRY (issue 11's framework):
every registered indicator is evaluated for the Ambito's territories (itself; a merged one also
whole and each former territory) and shown as a table, so a new indicator reaches the portal by
being registered. Breakdowns by a record's id (a table, an organisation) are left to the API."""
from __future__ import annotations

import json
import logging
from datetime import datetime
from decimal import Decimal

import psycopg

from shared.tenants import Catalogue, Tenant

from services.reporting.indicators import evaluate, territories
from services.reporting.indicators.model import ROME, Period
from services.reporting.portal import labels

log = logging.getLogger(__name__)
DIMENSIONS = {"type": "tipologia", "runts_section": "sezione RUNTS", "status": "stato", "stage": "fase",
              "fund": "fondo", "area": "area", "organisation_type": "tipo di organizzazione",
              "target_group": "destinatari", "leps": "LEPS", "year": "anno"}


def period_of(text: str | None, *, now: datetime) -> Period:
    """The period asked for (`2025`, `2025-Q2`); this year in Italy when none or not a period."""
    try:
        return Period.parse(text) if text else Period(now.astimezone(ROME).year)
    except ValueError:
        return Period(now.astimezone(ROME).year)


def shown(item) -> bool:
    """Indicators broken down by a record's id (a table, an organisation) stay in the API."""
    return not any(d.endswith("_id") for d in item.definition.dimensions)


def value_text(value: Decimal, unit: str) -> str:
    """A figure in Italian by its unit."""
    if unit in ("EUR", "EUR/abitante"):
        return labels.money(value)
    if unit == "percentuale":
        return labels.percent(value)
    if value == value.to_integral_value():
        return labels.number(int(value))
    return f"{value}".replace(".", ",")


def dimension_text(dimension: dict, area_names: dict[str, str]) -> str:
    """'tipologia: Comune', '' for a figure without breakdown."""
    parts = []
    for key, value in sorted(dimension.items()):
        if key == "type" or key == "organisation_type":
            value = labels.label(labels.STAKEHOLDER_TYPES, value)
        elif key == "area":
            value = area_names.get(value, value)
        parts.append(f"{DIMENSIONS.get(key, key)}: {value}")
    return "; ".join(parts)


def _column(territory, catalogue: Catalogue) -> str:
    if territory.level == territories.WHOLE:
        return "Intero Ambito (con i territori di provenienza)"
    if territory.level == territories.FORMER:
        former = catalogue.get(territory.code)
        return f"Territorio di provenienza: {former.name if former else territory.code}"
    return "Ambito"


def table(conn: psycopg.Connection, *, tenant: Tenant, catalogue: Catalogue, period: Period,
          area_names: dict[str, str]) -> dict:
    """Rows (indicator x breakdown) by columns (the Ambito's territories) of the period's figures;
    a row that is 0 in every column is left out."""
    shown_territories = territories.of_ambito(tenant)
    rows, missing = [], []
    for item in filter(shown, evaluate.indicators()):
        definition = item.definition
        try:
            with conn.transaction():   # a savepoint: one failing provider leaves the others readable
                found = evaluate.figures(conn, item=item, territories=shown_territories, period=period)
        except Exception:   # noqa: BLE001 - a public page shows what it can; the log says what failed
            log.exception("indicator failed on the portal", extra={"indicator": definition.code})
            missing.append(definition.name)
            continue
        by_dimension: dict[str, dict] = {}
        for labelled in found:
            key = json.dumps(labelled.figure.dimension, sort_keys=True)
            by_dimension.setdefault(key, {})[f"{labelled.territory.level}:{labelled.territory.code}"] = \
                labelled.figure.value
        for key, raw in sorted(by_dimension.items()):
            if not any(raw.values()):
                continue   # a breakdown that is 0 everywhere (a type nobody has) is noise to a reader
            values = {column: value_text(value, definition.unit) for column, value in raw.items()}
            rows.append({"code": definition.code, "name": definition.name, "unit": definition.unit,
                         "dimension": key, "dimension_text": dimension_text(json.loads(key), area_names),
                         "values": values})
    columns = [(f"{t.level}:{t.code}", _column(t, catalogue)) for t in shown_territories]
    return {"period": period, "columns": columns, "rows": rows, "missing": missing}


def territory_name(territory, catalogue: Catalogue, region_name: str) -> str:
    """What a reader calls a territory of the region's comparison."""
    if territory.level == territories.REGION:
        return f"{region_name} (totale)"
    tenant = catalogue.get(territory.code)
    name = tenant.name if tenant else territory.code
    if territory.level == territories.WHOLE:
        return f"{name} (con i territori di provenienza)"
    if territory.level == territories.FORMER:
        return f"{name} (territorio di provenienza)"
    return name


def per_inhabitant(conn: psycopg.Connection, *, catalogue: Catalogue, region: str, region_name: str,
                   period: Period, area_names: dict[str, str]) -> list[dict]:
    """The REGISTRY's amounts per inhabitant with one breakdown (by fund, by area), one table each:
    a row per territory of the region (each Ambito as a whole, former territories, the region), a column
    per breakdown value."""
    shown_territories = territories.representative(territories.of_region(list(catalogue), region))
    tables = []
    for item in evaluate.indicators():
        definition = item.definition
        if definition.unit != "EUR/abitante" or len(definition.dimensions) != 1:
            continue
        dimension = definition.dimensions[0]
        try:
            with conn.transaction():
                found = evaluate.figures(conn, item=item, territories=shown_territories, period=period)
        except Exception:   # noqa: BLE001 - as table(): the page shows the others
            log.exception("indicator failed on the portal", extra={"indicator": definition.code})
            continue
        cells: dict[str, dict] = {}
        for labelled in found:
            cells.setdefault(f"{labelled.territory.level}:{labelled.territory.code}", {})[
                str(labelled.figure.dimension.get(dimension))] = labelled.figure.value
        values = sorted({v for row in cells.values() for v, amount in row.items() if amount})
        tables.append({
            "code": definition.code, "name": definition.name,
            "columns": [(v, area_names.get(v, v) if dimension == "area" else v) for v in values],
            "rows": [{"key": f"{t.level}:{t.code}", "name": territory_name(t, catalogue, region_name),
                      "values": {v: labels.money(cells.get(f"{t.level}:{t.code}", {}).get(v)) for v in values}}
                     for t in shown_territories]})
    return tables
