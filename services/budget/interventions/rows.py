"""The rows of a progress upload, checked one by one: a ProgressRow, or a Refused with its line and reason (Italian).

Columns (header row, case and spaces ignored; any order):

| column | content |
|---|---|
| `codice` | the intervention's code in the plan, e.g. A3.2 (required) |
| `anno`, `trimestre` | the period: a year and 1-4 (also Q1-Q4, T1-T4, I-IV) (required) |
| `stato` | programmato, in corso, sospeso, concluso, annullato (or the API codes) (required) |
| `percentuale` | 0-100, at most two decimals, decimal comma or point (required) |
| `avvio_effettivo` | the actual start: 2025-03-01 or 01/03/2025 (optional) |
| `note` | free text, at most 2,000 characters (optional) |
| `indicatore: <nome>` | an output indicator, e.g. `indicatore: utenti serviti`; an empty cell is not reported |

Pure: what the database knows (the interventions, the plan) is checked by progress_service.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.budget.interventions.progress_domain import Period, RecordRefused, check_outputs, parse_percent
from services.budget.interventions.upload import Table, as_date

COLUMNS = {"codice": "code", "anno": "year", "trimestre": "quarter", "stato": "status", "percentuale": "percentage",
           "avvio_effettivo": "actual_start", "data_avvio_effettivo": "actual_start", "note": "note"}
REQUIRED = ("code", "year", "quarter", "status", "percentage")
OUTPUT_PREFIX = "indicatore:"
STATUSES_IT = {"programmato": "planned", "pianificato": "planned", "in corso": "active", "attivo": "active",
               "avviato": "active", "sospeso": "suspended", "concluso": "completed", "completato": "completed",
               "annullato": "cancelled", "planned": "planned", "active": "active", "suspended": "suspended",
               "completed": "completed", "cancelled": "cancelled"}
QUARTERS = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_NOTE = 2000


@dataclass(frozen=True)
class ProgressRow:
    line: int
    code: str
    period: Period
    status: str
    percentage: Decimal
    actual_start: date | None
    note: str
    outputs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    line: int
    reason: str


class BadHeader(ValueError):
    """The header row cannot be read as the columns above (Italian message)."""


def columns(header: tuple) -> dict[int, str]:
    """Column index -> field name (`output:<name>` for indicators); BadHeader for unknown or missing columns."""
    found: dict[int, str] = {}
    for index, title in enumerate(header):
        text = " ".join(str(title).split()) if title is not None else ""
        if not text:
            continue
        if text.lower().startswith(OUTPUT_PREFIX):
            name = text[len(OUTPUT_PREFIX):].strip()
            if not name:
                raise BadHeader(f"la colonna {index + 1} «{text}» non dice il nome dell'indicatore")
            found[index] = f"output:{name}"
            continue
        name = COLUMNS.get(text.lower().replace(" ", "_"))
        if name is None:
            raise BadHeader(f"colonna sconosciuta «{text}» (attese: codice, anno, trimestre, stato, percentuale, "
                            "avvio_effettivo, note, indicatore: <nome>)")
        if name in found.values():
            raise BadHeader(f"la colonna «{text}» compare due volte")
        found[index] = name
    missing = [title for title, name in COLUMNS.items() if name in REQUIRED and name not in found.values()]
    if missing:
        raise BadHeader(f"mancano le colonne: {', '.join(missing)}")
    return found


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _year(value) -> int:
    text = _text(value)
    if not re.fullmatch(r"20[0-9]{2}", text):
        raise ValueError("l'anno deve essere di quattro cifre, es. 2025")
    return int(text)


def _quarter(value) -> int:
    text = _text(value).lower()
    text = text[1:] if text[:1] in ("q", "t") else text
    if text not in QUARTERS:
        raise ValueError("il trimestre deve essere 1, 2, 3 o 4")
    return QUARTERS[text]


def parse_row(line: int, cells: tuple, names: dict[int, str]) -> ProgressRow | Refused:
    """One data row as a ProgressRow, or Refused with the first reason found."""
    values: dict = {}
    outputs: dict = {}
    for index, name in names.items():
        value = cells[index] if index < len(cells) else None
        if isinstance(value, str) and UNSTORABLE.search(value):
            return Refused(line, "la riga contiene caratteri non ammessi (NUL)")
        if name.startswith("output:"):
            if _text(value):
                outputs[name[len("output:"):]] = value if not isinstance(value, str) else value.strip()
        else:
            values[name] = value
    try:
        code = _text(values.get("code"))
        if not code:
            raise ValueError("manca il codice dell'intervento")
        period = Period(_year(values.get("year")), _quarter(values.get("quarter")))
        status = STATUSES_IT.get(_text(values.get("status")).lower())
        if status is None:
            raise ValueError(f"stato «{_text(values.get('status'))}» sconosciuto (programmato, in corso, sospeso, "
                             "concluso, annullato)")
        try:
            cell = values.get("percentage")
            # Text may use the Italian decimal comma (a CSV, or a spreadsheet cell typed as text).
            percentage = parse_percent(cell if cell is not None else "", comma=isinstance(cell, str))
        except ValueError:
            raise ValueError("la percentuale deve essere un numero da 0 a 100 con al più due decimali") from None
        start_cell = values.get("actual_start")
        try:
            actual_start = as_date(start_cell) if _text(start_cell) else None
        except (ValueError, TypeError):
            raise ValueError("la data di avvio effettivo non è una data (es. 2025-03-01 o 01/03/2025)") from None
        note = _text(values.get("note"))
        if len(note) > MAX_NOTE:
            raise ValueError(f"la nota supera i {MAX_NOTE} caratteri")
        outputs = {k: v.replace(",", ".") if isinstance(v, str) else v for k, v in outputs.items()}
        parsed = check_outputs(outputs)
    except RecordRefused as exc:
        return Refused(line, exc.italian)
    except ValueError as exc:
        return Refused(line, str(exc))
    return ProgressRow(line, code, period, status, percentage, actual_start, note, parsed)


def parse_table(table: Table) -> tuple[list[ProgressRow], list[Refused]]:
    """Every data row checked on its own; a period given twice for one intervention is refused the second time."""
    try:
        names = columns(table.header)
    except BadHeader as exc:
        return [], [Refused(table.header_line, str(exc))]
    rows: list[ProgressRow] = []
    refused: list[Refused] = []
    seen: dict[tuple[str, Period], int] = {}
    for line, cells in table.rows:
        row = parse_row(line, cells, names)
        if isinstance(row, ProgressRow):
            first = seen.setdefault((row.code, row.period), line)
            if first != line:
                row = Refused(line, f"l'intervento {row.code} ha già il trimestre {row.period} alla riga {first}")
        (rows if isinstance(row, ProgressRow) else refused).append(row)
    return rows, refused
