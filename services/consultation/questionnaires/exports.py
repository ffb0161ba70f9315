"""The results of a questionnaire as a file, in Italian: pure, no I/O.

One row per figure: each option's count, each scale value's count and the mean, a number question's
count, minimum, maximum, mean and median, each free-text answer. A free-text answer carries its
organisation's name only if that organisation agreed (results.py already leaves it out otherwise).
Every string cell goes through shared/exports/cells.py at the writer: answers are typed by anyone,
so no cell may start a formula.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from shared.exports.cells import cell, xlsx_cell

from services.consultation.questionnaires.questions import FREE_TEXT, KIND_NAMES, NUMBER, SCALE

HEADERS = ("N. domanda", "Domanda", "Tipo di domanda", "Voce", "Numero di risposte", "Valore", "Organizzazione")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
NUMBER_FIGURES = (("min", "Minimo"), ("max", "Massimo"), ("mean", "Media"), ("median", "Mediana"))


def rows(results: dict) -> list[tuple]:
    """The table of the results (raw values: the writers make every cell safe)."""
    table = []
    for q in results["questions"]:
        head = (q["number"], q["text"], KIND_NAMES[q["kind"]])
        if q["kind"] == SCALE:
            for point in q["distribution"]:
                # "Valore -2", not "-2": a label starting with a minus would be (safely) quoted as a formula.
                label = f"Valore {point['value']}" + (f": {point['label']}" if point["label"] else "")
                table.append((*head, label, point["count"], None, None))
            table.append((*head, "Media", q["answered"], q["mean"], None))
        elif q["kind"] == NUMBER:
            table.append((*head, "Risposte", q["answered"], None, None))
            table += [(*head, name, None, q[key], None) for key, name in NUMBER_FIGURES]
        elif q["kind"] == FREE_TEXT:
            table.append((*head, "Risposte", q["answered"], None, None))
            table += [(*head, "Risposta", None, t["text"], t["organisation_name"]) for t in q["texts"]]
        else:
            table += [(*head, o["label"], o["count"], None, None) for o in q["options"]]
    return table


def _italian(value):
    """A CSV value as an Italian spreadsheet reads it: decimal comma, blanks for nothing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return value


def to_csv(table: list[tuple]) -> bytes:
    """';' separated, UTF-8 with BOM, as Italian spreadsheets open it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    # Every text cell made safe, whatever column it is in; numbers this module computed (Decimal, int) are
    # written as numbers ("-3,5" is a number to a spreadsheet, and it cannot hold anything else).
    writer.writerows([_italian(v) if isinstance(v, (Decimal, int)) else cell(_italian(v)) for v in row]
                     for row in table)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: list[tuple], *, title: str, respondents: int) -> bytes:
    """One sheet: the title, how many answered, the headers, the rows; every text cell safe."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Risultati"
    for row in ([title], ["Organizzazioni che hanno risposto", respondents], HEADERS, *table):
        # Decimals go in as numbers (openpyxl writes the double: exact at the 15 digits spreadsheets show;
        # the exact text is in the API and the CSV); strings are made safe.
        sheet.append([xlsx_cell(v) for v in row])
    for column, width in zip("ABCDEFG", (10, 50, 16, 30, 12, 60, 40)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
