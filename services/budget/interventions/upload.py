"""Reading an uploaded progress file into rows of cells: CSV (';', UTF-8 with or without BOM) or XLSX.

The format is told by the content, not by the name: an XLSX file is a ZIP archive (it starts with
"PK\\x03\\x04"), anything else is read as CSV. Each row keeps the line number a person sees (the CSV
line where the record starts, the spreadsheet's row number) for the report. Pure: bytes in, rows out.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

MAX_ROWS = 5000
MAX_LINES = 4 * MAX_ROWS   # blank lines included
# A 1 MiB upload may unpack to far more: the workbook's parts together must stay within this (a zip bomb
# is refused before openpyxl reads a byte of it; a real progress workbook is a few hundred KB unpacked).
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all; the message (Italian) says why."""


@dataclass(frozen=True)
class Table:
    """The header (first non-empty row) and the data rows, each with its line number."""

    header_line: int
    header: tuple
    rows: tuple[tuple[int, tuple], ...]


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _table(numbered) -> Table:
    header_line, header, rows = 0, None, []
    for line, cells in numbered:
        if _blank(cells):
            continue
        if header is None:
            header_line, header = line, tuple(cells)
            continue
        if len(rows) == MAX_ROWS:
            raise UnreadableFile(f"il file ha più di {MAX_ROWS} righe di dati: dividerlo in più caricamenti")
        rows.append((line, tuple(cells)))
    if header is None:
        raise UnreadableFile("il file è vuoto: manca la riga di intestazione")
    return Table(header_line, header, tuple(rows))


def read_csv(data: bytes) -> Table:
    """A ';'-separated CSV in UTF-8 (a BOM is skipped)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"il file non è in UTF-8 (byte {exc.start + 1}): salvarlo come CSV UTF-8") from None
    if "\x00" in text:
        raise UnreadableFile("il file contiene il carattere NUL: non è un CSV di testo")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")

    def numbered():
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            raise UnreadableFile(f"CSV non leggibile alla riga {reader.line_num}: {exc}") from None
    return _table(numbered())


def _cell_value(cell):
    value = cell.value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        # A cell formatted as a percentage holds the fraction (0.375 shown as 37.5 %): the figure is x 100.
        scaled = Decimal(repr(float(value))) * 100
        return format(scaled.normalize(), "f")
    return value


def read_xlsx(data: bytes) -> Table:
    """The first worksheet of an XLSX workbook (values, not formulas)."""
    from openpyxl import load_workbook

    try:
        unpacked = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile("il file non è un foglio XLSX leggibile") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile("il foglio XLSX è troppo grande una volta decompresso")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - an uploaded file may break the reader in any way: refused, never a 500
        raise UnreadableFile("il file non è un foglio XLSX leggibile") from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("il file XLSX non ha fogli")
        sheet = workbook.worksheets[0]

        def numbered():
            try:
                for index, row in enumerate(sheet.iter_rows(min_row=1), start=1):
                    if index > MAX_LINES:
                        raise UnreadableFile(f"il foglio ha più di {MAX_LINES} righe: dividerlo in più caricamenti")
                    yield index, tuple(_cell_value(c) for c in row)
            except UnreadableFile:
                raise
            except Exception:  # noqa: BLE001 - same as above: a broken sheet is the file's fault
                raise UnreadableFile("il foglio XLSX non è leggibile") from None
        return _table(numbered())
    finally:
        workbook.close()


def read_table(data: bytes) -> Table:
    """The table of an uploaded file, XLSX or CSV by its content."""
    if not data:
        raise UnreadableFile("il file è vuoto")
    return read_xlsx(data) if data.startswith(ZIP_MAGIC) else read_csv(data)


def as_date(value) -> date:
    """A date from a cell: a date, ISO 2025-03-01 or Italian 01/03/2025 (ValueError otherwise)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("not a date")
    text = value.strip()
    if "/" in text:
        day, month, year = text.split("/")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)
