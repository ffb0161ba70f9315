"""The two file formats every consultation export is written in: pure, no I/O.

CSV is for Italian spreadsheets (LibreOffice, Excel with Italian settings), where people open these files:
';' separated (the comma is the decimal mark), UTF-8 with a BOM (so that Excel reads it as UTF-8), CRLF,
the Italian headers on the first line, amounts with a decimal comma and no thousands separator ("18500,00":
a number to an Italian spreadsheet), instants as "14/04/2026 10:00" in Europe/Rome. Programs read the JSON
API, where amounts are strings with a decimal point ("18500.00").

XLSX: one sheet with an Italian title, the header row bold and frozen with a filter, column widths;
amounts stay numbers shown with two decimals, instants are dates shown in Europe/Rome, counts are integers.
An XLSX number is a double (the format's limit; openpyxl writes it with 16 significant digits, so 0.07 is
"0.07000000000000001" in the XML): the cell holds the amount's nearest double, which at the 15 significant
digits spreadsheets show and compute with is the amount exactly (NUMERIC(14,2) has at most 14 digits; tested
with hypothesis). Exact decimal text is in the CSV and the JSON API.

Every string, whatever column it is in, goes through shared/exports/cells.py: stored text is typed by
anyone, so no cell may be or start a formula.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from shared.exports.cells import cell, xlsx_cell

from services.consultation.exports.rows import ROME, Export

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV, "xlsx": XLSX}
AMOUNT_FORMAT = "#,##0.00"
INSTANT_FORMAT = "DD/MM/YYYY HH:MM"


def csv_value(value) -> str | int:
    """A value as an Italian spreadsheet reads it in a CSV cell (strings made safe)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime):
        return value.astimezone(ROME).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, int):
        return value
    return cell(str(value))


def to_csv(export: Export, rows: list[tuple]) -> bytes:
    """The rows under the export's headers: ';', UTF-8 with BOM, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(h) for h in export.headers])
    writer.writerows([csv_value(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx_value(value):
    if isinstance(value, datetime):
        # XLSX has no time zones: the wall-clock time in the Ambito, as people read it.
        return value.astimezone(ROME).replace(tzinfo=None)
    return xlsx_cell(value)


def to_xlsx(export: Export, rows: list[tuple], *, title: str) -> bytes:
    """One sheet named in Italian: bold frozen headers with a filter, then the rows; `title` in the properties."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = export.sheet
    workbook.properties.title = xlsx_cell(title)
    workbook.properties.language = "it-IT"
    sheet.append([xlsx_cell(h) for h in export.headers])
    for header in sheet[1]:
        header.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
        for value, written in zip(row, sheet[sheet.max_row]):
            if isinstance(value, Decimal):
                written.number_format = AMOUNT_FORMAT
            elif isinstance(value, datetime):
                written.number_format = INSTANT_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(export.columns))}{max(sheet.max_row, 1)}"
    for index, (_, width) in enumerate(export.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write(export: Export, rows: list[tuple], *, fmt: str, title: str) -> bytes:
    """The file in `fmt` ("csv" or "xlsx")."""
    return to_csv(export, rows) if fmt == "csv" else to_xlsx(export, rows, title=title)
