"""The three formats of every export: CSV, XLSX, JSON. Pure, no I/O.

CSV as the suite's other exports write it (consultation's writers): ';' separated, UTF-8 with a BOM, CRLF,
Italian headers, amounts with a decimal comma and no thousands separator ("18500,00"), dates dd/mm/yyyy.
XLSX: one sheet named in Italian, bold frozen headers with a filter, amounts as numbers shown in euro with two
decimals (the cell holds the Decimal's nearest double, exact at the 15 digits spreadsheets use), dates as dates.
JSON for programs: amounts and percentages as strings with two decimals ("18500.00"), dates ISO.
Every string goes through shared/exports/cells.py, whatever column it is in: no cell may start a formula.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from shared.exports.cells import cell, xlsx_cell
from shared.money import format_amount

from services.budget.exports.layouts import Layout

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"
CONTENT_TYPES = {"csv": CSV, "xlsx": XLSX, "json": JSON}
FORMATS = tuple(CONTENT_TYPES)
EURO_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = "0.00"
DATE_FORMAT = "DD/MM/YYYY"


def csv_value(value) -> str | int:
    """A value as an Italian spreadsheet reads it in a CSV cell (strings made safe)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f").replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int):
        return value
    return cell(str(value))


def to_csv(layout: Layout, rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(h) for h in layout.headers])
    writer.writerows([csv_value(row[c.key]) for c in layout.columns] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(layout: Layout, rows: list[dict], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = layout.sheet[:31]
    workbook.properties.title = xlsx_cell(title)
    workbook.properties.language = "it-IT"
    sheet.append([xlsx_cell(h) for h in layout.headers])
    for header in sheet[1]:
        header.font = Font(bold=True)
    formats = {"money": EURO_FORMAT, "percent": PERCENT_FORMAT, "date": DATE_FORMAT}
    for row in rows:
        sheet.append([xlsx_cell(row[c.key]) for c in layout.columns])
        for column, written in zip(layout.columns, sheet[sheet.max_row]):
            if written.value is not None and column.kind in formats:
                written.number_format = formats[column.kind]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(layout.columns))}{max(sheet.max_row, 1)}"
    for index, column in enumerate(layout.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def json_value(value):
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(layout: Layout, rows: list[dict], *, totals: dict, about: dict) -> bytes:
    """{"export", ...about, "columns": [{key, header}], "rows": [...], "totals": {...}}; no totals row in rows."""
    body = {"export": layout.stem, **{k: json_value(v) for k, v in about.items()},
            "columns": [{"key": c.key, "header": c.header} for c in layout.columns],
            "rows": [{k: json_value(v) for k, v in row.items()} for row in rows],
            "totals": {k: json_value(v) for k, v in totals.items()}}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
