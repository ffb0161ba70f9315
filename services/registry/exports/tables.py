"""The register as a table for the public: pure, no I/O.

Organisations only. A 16-character codice fiscale belongs to a person (a sole
trader): it is personal data, so the public table leaves it blank.
"""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from services.registry.taxcodes import is_personal_tax_code

HEADERS = ("Denominazione", "Tipologia", "Codice fiscale / Partita IVA", "Sezione RUNTS", "Numero RUNTS",
           "Comune sede (ISTAT)", "Comune sede", "Aree tematiche", "Stato", "Data iscrizione")
TYPES_IT = {
    "public_body": "Ente pubblico", "comune": "Comune", "health_authority": "Azienda sanitaria",
    "school": "Istituzione scolastica", "ets": "Ente del Terzo settore",
    "social_cooperative": "Cooperativa sociale", "enterprise": "Impresa", "trade_union": "Organizzazione sindacale",
    "representative_body": "Organismo di rappresentanza", "other": "Altro",
}
STATUS_IT = {"active": "Attivo", "suspended": "Sospeso", "withdrawn": "Ritirato"}


def _cell(value):
    """Text a spreadsheet must show, never run: a leading =, +, - or @ would start a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def rows(stakeholders: list[dict], *, area_names: dict[str, str], comune_name) -> list[tuple]:
    """One row per stakeholder, in Italian."""
    table = []
    for s in stakeholders:
        code = "" if is_personal_tax_code(s["tax_code"]) else s["tax_code"]
        areas = "; ".join(area_names.get(a, a) for a in s["areas"])
        table.append((_cell(s["name"]), TYPES_IT.get(s["type"], s["type"]), code, (s["runts_section"] or "").upper(),
                      _cell(s["runts_number"] or ""), s["seat_istat"] or "",
                      comune_name(s["seat_istat"]) if s["seat_istat"] else "", areas,
                      STATUS_IT.get(s["status"], s["status"]), s["created_at"].date().isoformat()))
    return table


def to_csv(table: list[tuple]) -> bytes:
    """CSV as Italian spreadsheets open it: ';' separated, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(table)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: list[tuple], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Registro"
    sheet.append([title])
    sheet.append(list(HEADERS))
    for row in table:
        # Control characters are legal in the register but not in XLSX (openpyxl refuses the cell): drop them.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    for column, width in zip("ABCDEFGHIJ", (45, 28, 22, 10, 14, 12, 24, 50, 10, 14)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
