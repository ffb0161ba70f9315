"""Reading progress files (CSV and XLSX) into rows, pure: what is read back is what was written, line by line."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import Workbook

from services.budget.interventions.progress_domain import Period
from services.budget.interventions.rows import ProgressRow, Refused, parse_table
from services.budget.interventions.upload import UnreadableFile, read_table

HEADER = "codice;anno;trimestre;stato;percentuale;avvio_effettivo;indicatore: utenti serviti;note"


def rows_of(text: str, *, bom: bool = False):
    return parse_table(read_table((("\ufeff" if bom else "") + text).encode("utf-8")))


def test_a_csv_with_or_without_bom_reads_the_same_rows_and_lines():
    text = (f"{HEADER}\r\n"
            "A1;2025;1;in corso;12,5;03/02/2025;40;\"una nota\r\nsu due righe\"\r\n"
            "\r\n"
            "A1;2025;II;Concluso;100;2025-02-03;61,5;\r\n")
    for bom in (False, True):
        rows, refused = rows_of(text, bom=bom)
        assert refused == []
        assert rows == [ProgressRow(2, "A1", Period(2025, 1), "active", Decimal("12.50"), date(2025, 2, 3),
                                    "una nota\r\nsu due righe", {"utenti serviti": Decimal("40")}),
                        ProgressRow(5, "A1", Period(2025, 2), "completed", Decimal("100.00"), date(2025, 2, 3), "",
                                    {"utenti serviti": Decimal("61.5")})]


@pytest.mark.parametrize("line,reason", [
    ("A1;2025;1;in corso;dieci;;;", "percentuale"),
    ("A1;2025;1;in corso;100,5;;;", "percentuale"),
    ("A1;25;1;in corso;10;;;", "anno"),
    ("A1;2025;5;in corso;10;;;", "trimestre"),
    ("A1;2025;1;in viaggio;10;;;", "stato"),
    (";2025;1;in corso;10;;;", "codice"),
    ("A1;2025;1;in corso;10;31/02/2025;;", "avvio"),
    ("A1;2025;1;in corso;10;;-4;", "utenti serviti"),
    ("A1;2025;1;in corso;10;;4,123;", "utenti serviti"),
])
def test_a_bad_cell_refuses_its_row_with_the_line_and_an_italian_reason(line, reason):
    rows, refused = rows_of(f"{HEADER}\nA0;2025;1;in corso;1;;;\n{line}\n")
    assert [r.line for r in rows] == [2]
    assert len(refused) == 1 and refused[0].line == 3 and reason in refused[0].reason, refused


def test_the_same_quarter_twice_is_refused_the_second_time():
    rows, refused = rows_of(f"{HEADER}\nA1;2025;1;in corso;1;;;\nA1;2025;Q1;in corso;2;;;\nA2;2025;1;in corso;2;;;\n")
    assert [r.line for r in rows] == [2, 4]
    assert refused == [Refused(3, "l'intervento A1 ha già il trimestre 2025-Q1 alla riga 2")]


@pytest.mark.parametrize("header,word", [("codice;anno;trimestre;stato", "percentuale"),
                                         (f"{HEADER};colore", "colore"),
                                         ("codice;anno;anno;trimestre;stato;percentuale", "due volte"),
                                         ("codice;anno;trimestre;stato;percentuale;indicatore:", "nome")])
def test_a_bad_header_is_one_refusal_on_its_line(header, word):
    rows, refused = rows_of(f"\n{header}\nA1;2025;1;in corso;1\n")
    assert rows == [] and len(refused) == 1 and refused[0].line == 2 and word in refused[0].reason


@pytest.mark.parametrize("content", [b"", b"\xff\xfecodice", "codice;anno\x00".encode(), b"PK\x03\x04broken",
                                     b"\n\n;;\n"])
def test_a_file_that_is_no_table_is_unreadable(content):
    with pytest.raises(UnreadableFile):
        read_table(content)


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<" + b"a" * (65 * 1024 * 1024))
    assert len(stream.getvalue()) < 1024 * 1024
    with pytest.raises(UnreadableFile, match="troppo grande"):
        read_table(stream.getvalue())


statuses = st.sampled_from(["programmato", "in corso", "sospeso", "concluso", "annullato"])
hundredths = st.integers(min_value=0, max_value=10000)
figures = st.integers(min_value=0, max_value=10 ** 14 - 1)


def xlsx(rows: list[list], percent_format: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Codice", "Anno", "Trimestre", "Stato", "Percentuale", "Indicatore: utenti serviti"])
    for row in rows:
        sheet.append(row)
        if percent_format:
            sheet.cell(row=sheet.max_row, column=5).number_format = "0.00%"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(hundredths, figures, st.booleans()), min_size=1, max_size=8))
def test_csv_percentages_and_figures_read_back_to_the_cent(values):
    lines = [HEADER]
    for index, (percent, figure, comma) in enumerate(values):
        p, f = f"{Decimal(percent) / 100:.2f}", f"{Decimal(figure) / 100:.2f}"
        if comma:
            p, f = p.replace(".", ","), f.replace(".", ",")
        lines.append(f"C{index};2025;1;in corso;{p};;{f};")
    rows, refused = rows_of("\n".join(lines))
    assert refused == []
    assert [(r.percentage, r.outputs["utenti serviti"]) for r in rows] == [
        (Decimal(p) / 100, Decimal(f) / 100) for p, f, _ in values]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(hundredths, st.integers(min_value=0, max_value=10 ** 9)), min_size=1, max_size=5),
       st.booleans())
def test_xlsx_numbers_and_percent_cells_read_back_to_the_cent(values, percent_format):
    cells = [[f"C{i}", 2025, 1, "in corso",
              (p / 10000 if percent_format else float(Decimal(p) / 100)), float(Decimal(f) / 100)]
             for i, (p, f) in enumerate(values)]
    rows, refused = parse_table(read_table(xlsx(cells, percent_format)))
    assert refused == []
    assert [(r.line, r.percentage, r.outputs["utenti serviti"]) for r in rows] == [
        (i + 2, Decimal(p) / 100, Decimal(f) / 100) for i, (p, f) in enumerate(values)]


def test_xlsx_dates_and_text_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(["codice", "anno", "trimestre", "stato", "percentuale", "avvio_effettivo"])
    sheet.append([None])   # an empty line is skipped, and counted
    sheet.append(["A1", "2025", "T3", "In corso", "37,5", datetime(2025, 7, 2, 0, 0)])
    stream = io.BytesIO()
    book.save(stream)
    rows, refused = parse_table(read_table(stream.getvalue()))
    assert refused == []
    assert rows == [ProgressRow(3, "A1", Period(2025, 3), "active", Decimal("37.50"), date(2025, 7, 2), "", {})]
