"""The plan's financial tables as an XLSX workbook (openpyxl), pure: views in, bytes out.

One sheet per view (Per area, Per fondo, Per anno, Interventi) and a last sheet of notes. Totals are
written as values computed in Decimal (views.py, checked against the snapshot's totals before
writing), not as formulas: a viewer that does not compute (a preview, a reader library, a PEC
archive's viewer) shows the same figures as Excel, and no cell of the workbook is a formula. Every
text cell goes through shared/exports/cells.xlsx_cell, so none can start one either.
"""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shared.documents import italian
from shared.exports.cells import xlsx_cell

from services.budget.documents.labels import COFINANCING, KINDS, STATES, TARGET_GROUPS, label, version_label
from services.budget.documents.views import ZERO, Line, Views

# Euro with two decimals; the separators are the reader's locale's (1.234,56 € in Italian).
EURO = '#,##0.00 "€";-#,##0.00 "€"'
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
SHEETS = ("Per area", "Per fondo", "Per anno", "Interventi", "Note")


def _years(views: Views) -> list[str]:
    return [f"Totale {y}" for y in views.years]


def _row(sheet, values: list, *, money_from: int, total: bool = False) -> None:
    sheet.append([xlsx_cell(v) for v in values])
    for index, cell in enumerate(sheet[sheet.max_row], start=1):
        if index > money_from:
            cell.number_format = EURO
        if total:
            cell.font, cell.fill = BOLD, TOTAL_FILL


def _amounts(line: Line, views: Views) -> list:
    return [line.years.get(y, ZERO) for y in views.years]


def _sheet(book: Workbook, title: str, headers: list[str], *, first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet.append([xlsx_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    return sheet


def _widths(sheet, *, money_from: int) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        if index > money_from:
            width = 16
        else:
            width = min(60, max(8, *(len(str(c.value or "")) + 2 for c in column)))
        sheet.column_dimensions[get_column_letter(index)].width = width


def _per_area(book, views: Views) -> None:
    sheet = _sheet(book, "Per area", ["Codice area", "Area tematica", *_years(views), "Fondi",
                                      COFINANCING, "Totale"], first=True)
    for line in views.by_area:
        _row(sheet, [line.key, line.name, *_amounts(line, views), line.allocated, line.cofinancing, line.total],
             money_from=2)
    t = views.total
    _row(sheet, ["", "Totale", *_amounts(t, views), t.allocated, t.cofinancing, t.total], money_from=2, total=True)
    _widths(sheet, money_from=2)


def _per_fund(book, views: Views, sources: dict) -> None:
    sheet = _sheet(book, "Per fondo", ["Codice fondo", "Fondo", "Fonte", *_years(views), "Totale"])
    for line in views.by_fund:
        _row(sheet, [line.key, line.name, sources.get(line.key, ""), *_amounts(line, views), line.total], money_from=3)
    funds = Line("", "Totale fondi", years={y: views.column(views.by_fund, y) for y in views.years},
                 allocated=views.total.allocated)
    _row(sheet, ["", "Totale fondi", "", *_amounts(funds, views), funds.total], money_from=3, total=True)
    c = views.cofinancing
    _row(sheet, ["COMUNI", COFINANCING, "Comunale", *_amounts(c, views), c.total], money_from=3)
    t = views.total
    _row(sheet, ["", "Totale del piano", "", *_amounts(t, views), t.total], money_from=3, total=True)
    _widths(sheet, money_from=3)


def _per_year(book, views: Views) -> None:
    sheet = _sheet(book, "Per anno", ["Anno", "Fondi", COFINANCING, "Totale"])
    for line in views.by_year:
        _row(sheet, [int(line.key), line.allocated, line.cofinancing, line.total], money_from=1)
    t = views.total
    _row(sheet, ["Totale", t.allocated, t.cofinancing, t.total], money_from=1, total=True)
    _widths(sheet, money_from=1)


def _interventions(book, views: Views, area_names: dict, leps_names: dict) -> None:
    sheet = _sheet(book, "Interventi", ["Codice", "Intervento", "Area tematica", "Destinatari", "Tipologia", "LEPS",
                                        "Fondi", *_years(views), "Fondi (totale)", COFINANCING, "Totale"])
    for line in views.interventions:
        e = line.extra["entry"]
        _row(sheet, [line.key, line.name, area_names.get(e["area"], e["area"]), label(TARGET_GROUPS, e["target_group"]),
                     label(KINDS, e["kind"]), "; ".join(leps_names.get(c, c) for c in e["leps"]),
                     ", ".join(line.extra["funds"]), *_amounts(line, views), line.allocated, line.cofinancing,
                     line.total], money_from=7)
    t = views.total
    _row(sheet, ["", "Totale", "", "", "", "", "", *_amounts(t, views), t.allocated, t.cofinancing, t.total],
         money_from=7, total=True)
    _widths(sheet, money_from=7)


def _notes(book, *, facts: list[tuple[str, str]]) -> None:
    sheet = _sheet(book, "Note", ["Voce", "Valore"])
    for name, value in facts:
        sheet.append([xlsx_cell(name), xlsx_cell(value)])
    _widths(sheet, money_from=2)


def workbook(views: Views, *, ambito: str, plan: dict, version: dict, live: bool, area_names: dict,
             fund_sources: dict, leps_names: dict, generated_at: datetime) -> bytes:
    """The XLSX bytes of the plan's financial tables (the views already checked against the snapshot)."""
    book = Workbook()
    _per_area(book, views)
    _per_fund(book, views, fund_sources)
    _per_year(book, views)
    _interventions(book, views, area_names, leps_names)
    _notes(book, facts=[
        ("Ambito territoriale", ambito),
        ("Piano", f"{plan['title']} – triennio {plan['first_year']}-{plan['last_year']}"),
        ("Versione", version_label(version)),
        ("Stato", label(STATES, version["state"])),
        ("Contenuto", "contenuto attuale, ancora modificabile" if live else "fotografia del piano all'adozione"),
        ("Importi", "in euro; i totali sono calcolati al centesimo e verificati con quelli del piano"),
        ("Generato il", italian.moment(generated_at)),
    ])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
