"""The register as a table for the public: pure, no I/O.

Organisations only. A 16-character codice fiscale belongs to a person (a sole
trader): it is personal data, so the public table leaves it blank.
"""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from shared.exports.cells import cell, xlsx_cell
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


def rows(stakeholders: list[dict], *, area_names: dict[str, str], comune_name) -> list[tuple]:
    """One row per stakeholder, in Italian (raw text: the writers make every cell safe)."""
    table = []
    for s in stakeholders:
        code = "" if is_personal_tax_code(s["tax_code"]) else s["tax_code"]
        areas = "; ".join(area_names.get(a, a) for a in s["areas"])
        table.append((s["name"], TYPES_IT.get(s["type"], s["type"]), code, (s["runts_section"] or "").upper(),
                      s["runts_number"] or "", s["seat_istat"] or "",
                      comune_name(s["seat_istat"]) if s["seat_istat"] else "", areas,
                      STATUS_IT.get(s["status"], s["status"]), s["created_at"].date().isoformat()))
    return table


def to_csv(table: list[tuple]) -> bytes:
    """CSV as Italian spreadsheets open it: ';' separated, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    # Every cell, whatever column it is in: any stored string may be hostile (see cells.py).
    writer.writerows([cell(v) for v in row] for row in table)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: list[tuple], *, title: str) -> bytes:
    """One sheet: the title, the headers, one row each; every cell text, none a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Registro"
    # Control characters are legal in the register but not in XLSX: xlsx_cell drops them, then makes the cell safe.
    for row in ([title], HEADERS, *table):
        sheet.append([xlsx_cell(v) for v in row])
    for column, width in zip("ABCDEFGHIJ", (45, 28, 22, 10, 14, 12, 24, 50, 10, 14)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
