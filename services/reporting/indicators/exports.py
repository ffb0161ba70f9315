"""Indicator figures as files: CSV and XLSX for people (Italian headers), JSON, and the feed's CSV/JSON: pure.

CSV for Italian spreadsheets: ';', UTF-8 with BOM, CRLF, decimal comma, instants as "14/04/2026 10:00"
(Europe/Rome). XLSX: one sheet, bold frozen headers with a filter, values as numbers with a euro or number
format by unit. The feed's CSV is for programs: ';' and BOM too, but a decimal point and ISO 8601 times,
as in its JSON. Every text cell goes through shared/exports/cells.py (no cell may start a formula).
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from typing import Mapping

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from shared.exports.cells import cell, xlsx_cell

from services.reporting.indicators import feed
from services.reporting.indicators.evaluate import Labelled, figure_as_of
from services.reporting.indicators.model import ROME, Indicator
from services.reporting.indicators.territories import LEVEL_NAMES

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"
CONTENT_TYPES = {"csv": CSV, "xlsx": XLSX, "json": JSON}
FORMATS = ("csv", "xlsx", "json")
HEADERS = ("Codice indicatore", "Indicatore", "Territorio", "Livello", "Periodo", "Dimensioni", "Valore",
           "Unità di misura", "Aggiornato al")
WIDTHS = (28, 50, 26, 30, 10, 30, 16, 16, 18)
NUMBER_FORMATS = {"EUR": '#,##0.00 "€"', "EUR/abitante": '#,##0.00 "€"', "percentuale": "0.00",
                  "numero": "#,##0.##", "abitanti": "#,##0"}
INSTANT_FORMAT = "DD/MM/YYYY HH:MM"


def table(evaluated: Mapping[str, list[Labelled]], *, items: Mapping[str, Indicator],
          as_of: Mapping[str, datetime | None]) -> list[tuple]:
    """One line per figure: (code, name, territory, level, period, dimensions, value, unit, as_of)."""
    lines = []
    for code, labelled in evaluated.items():
        definition = items[code].definition
        when = figure_as_of(items[code], as_of)
        for one in labelled:
            lines.append((code, definition.name, one.territory.code, LEVEL_NAMES[one.territory.level],
                          str(one.figure.period), feed.dimension_key(one.figure.dimension), one.figure.value,
                          definition.unit, when))
    return lines


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime):
        return value.astimezone(ROME).strftime("%d/%m/%Y %H:%M")
    return cell(str(value))


def _csv(headers, lines) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(h) for h in headers])
    writer.writerows(lines)
    return out.getvalue().encode("utf-8-sig")


def to_csv(lines: list[tuple]) -> bytes:
    """The figures for an Italian spreadsheet."""
    return _csv(HEADERS, ([_csv_value(v) for v in line] for line in lines))


def to_xlsx(lines: list[tuple], *, title: str) -> bytes:
    """One sheet "Indicatori": values as numbers formatted by unit, instants in Europe/Rome."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Indicatori"
    workbook.properties.title = xlsx_cell(title)
    workbook.properties.language = "it-IT"
    sheet.append([xlsx_cell(h) for h in HEADERS])
    for header in sheet[1]:
        header.font = Font(bold=True)
    # Rows are counted, not asked for: openpyxl's max_row scans every cell, which made the export
    # quadratic (109 s for a region of 100 Ambiti, bench/regional_endpoints.py).
    last = 1
    for last, line in enumerate(lines, start=2):
        unit, when = line[7], line[8]
        values = [xlsx_cell(v) if isinstance(v, str) else v for v in line[:8]]
        values.append(when.astimezone(ROME).replace(tzinfo=None) if when else None)
        sheet.append(values)
        sheet.cell(row=last, column=7).number_format = NUMBER_FORMATS.get(unit, "#,##0.00")
        sheet.cell(row=last, column=9).number_format = INSTANT_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{last}"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_json(answer: dict) -> bytes:
    """An answer of the indicators API as a file (values are decimal strings already)."""
    return json.dumps(answer, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def feed_csv(rows: list[feed.FeedRow]) -> bytes:
    """The statistics feed as CSV: ';', UTF-8 with BOM, decimal point, ISO 8601 times."""
    return _csv(feed.HEADERS, ([format(v, "f") if isinstance(v, Decimal) else cell(v) for v in feed.csv_fields(r)]
                               for r in rows))


def feed_json(rows: list[feed.FeedRow], *, about: dict) -> bytes:
    """The statistics feed as JSON: {"about": ..., "rows": [...]}."""
    return json.dumps({**about, "rows": [r.as_json() for r in rows]}, ensure_ascii=False).encode("utf-8")
