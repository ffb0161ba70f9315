"""Hypothesis over any stored text and any amount: no cell of any consultation export is or starts a formula,
in the CSV (read back with the csv module, ';' and BOM) and in the XLSX (read back with openpyxl), and
amounts stay exact in both."""
from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from datetime import datetime, timezone
from decimal import Decimal

from hypothesis import example, given, settings, strategies as st
from openpyxl import load_workbook

from shared.exports.cells import safe_text, starts_formula, xml_text

from services.consultation.exports import rows, writers

T0 = datetime(2026, 4, 14, 8, 0, tzinfo=timezone.utc)
# Any text, with the characters that matter weighted in: formula starts, their look-alikes, invisible leaders.
texts = st.one_of(
    st.text(),
    st.builds(lambda lead, start, rest: lead + start + rest,
              st.text(alphabet="\t\r\n \u200b\ufeff\x00\x1f\u2028\u00a0", max_size=3),
              st.sampled_from(["=", "+", "-", "@", "\uff1d", "\uff0b", "\ufe66", "\u2212", "\ue000", "\ufffe"]),
              st.text(max_size=30)))
amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False)


def all_exports(text: str, cost: Decimal) -> list[tuple[rows.Export, list[tuple]]]:
    """Each export's rows with `text` in every stored-text field."""
    need = {"id": uuid.uuid4(), "created_at": T0, "table_title": text, "session_title": text, "session_starts_at": T0,
            "organisation_name": text, "on_behalf": False, "title": text, "description": text, "area": text,
            "target_group": text, "comuni": [text], "evidence": text, "status": text}
    proposal = {"id": uuid.uuid4(), "created_at": T0, "table_title": text, "organisation_name": text,
                "on_behalf": True, "title": text, "description": text, "expected_outcome": text,
                "need_ids": [need["id"]], "deliverers": [uuid.UUID(int=1)], "estimated_cost": cost, "status": text,
                "answer": text, "merged_into": None, "decided_at": None}
    result = {"rank": 1, "proposal_id": uuid.uuid4(), "title": text, "organisation_name": text, "points": 3,
              "organisations": 1}
    session = {"id": 1, "title": text, "starts_at": T0, "status": text, "table_title": text, "table_kind": text}
    return [
        (rows.NEEDS, rows.need_rows([need], area_names={}, comune_names={})),
        (rows.PROPOSALS, rows.proposal_rows([proposal], needs={need["id"]: need},
                                            organisation_names={uuid.UUID(int=1): text}, area_names={})),
        (rows.RESULTS, rows.result_rows([result])),
        (rows.ATTENDANCE, rows.attendance_rows([session], [{"session_id": 1, "organisation_type": text,
                                                            "invited": 1}])),
    ]


@settings(max_examples=60, deadline=None)
@given(text=texts, cost=amounts)
def test_no_csv_cell_starts_a_formula_whatever_the_text(text, cost):
    for export, table in all_exports(text, cost):
        body = writers.to_csv(export, table)
        assert body.startswith(b"\xef\xbb\xbf")
        read = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
        assert read[0] == list(export.headers) and len(read) == 2, export.stem
        for value in read[1]:
            assert not starts_formula(value), (export.stem, value)
            # Whatever the cell holds, a leading invisible character no longer hides a formula start behind it.
            assert safe_text(value) == value, (export.stem, value)
        texts_written = [v for v, raw in zip(read[1], table[0]) if isinstance(raw, str)]
        assert all(v == safe_text(raw) for v, raw in zip(texts_written, [r for r in table[0] if isinstance(r, str)]))


def xml_line_ends(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=40, deadline=None)
@given(text=texts, cost=amounts)
@example(text="0\r\n", cost=Decimal("0.00"))
def test_no_xlsx_cell_is_or_starts_a_formula_whatever_the_text(text, cost):
    for export, table in all_exports(text, cost):
        book = load_workbook(io.BytesIO(writers.to_xlsx(export, table, title=text)))
        sheet = book.active
        assert [c.value for c in sheet[1]] == list(export.headers)
        for written, raw in zip(sheet[2], table[0]):
            assert written.data_type != "f", (export.stem, written.value)
            if isinstance(raw, str):
                value = written.value or ""
                assert isinstance(value, str) and not starts_formula(value), (export.stem, value)
                # An XML reader turns CR LF and a lone CR into LF: what was written is the safe text, line ends aside.
                assert xml_line_ends(value) == xml_line_ends(xml_text(raw)), export.stem


@settings(max_examples=80, deadline=None)
@given(cost=amounts)
def test_amounts_are_exact_in_both_files(cost):
    proposal = {"id": uuid.UUID(int=1), "created_at": T0, "table_title": "T", "organisation_name": "O",
                "on_behalf": False, "title": "Tit", "description": "D", "expected_outcome": "E", "need_ids": [],
                "deliverers": [], "estimated_cost": cost, "status": "submitted", "answer": None,
                "merged_into": None, "decided_at": None}
    table = rows.proposal_rows([proposal], needs={}, organisation_names={}, area_names={})
    read = list(csv.reader(io.StringIO(writers.to_csv(rows.PROPOSALS, table).decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    column = rows.PROPOSALS.headers.index("Costo stimato (euro)")
    assert read[1][column] == format(cost, "f").replace(".", ",")
    assert Decimal(read[1][column].replace(",", ".")) == cost and "." not in read[1][column]
    body = writers.to_xlsx(rows.PROPOSALS, table, title="t")
    written = load_workbook(io.BytesIO(body)).active.cell(row=2, column=column + 1)
    assert written.data_type == "n" and Decimal(repr(written.value)) == cost
    xml = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    # An XLSX number is a double (the format's own limit) and openpyxl writes it with 16 significant digits
    # ("0.07000000000000001" for 0.07): the file holds the amount's nearest double, and read at the 15
    # significant digits spreadsheets show and compute with it is the amount exactly (NUMERIC(14,2): 14 digits).
    stored = re.search(r'<c r="M2"[^>]*><v>([^<]*)</v>', xml).group(1)
    assert float(stored) == float(cost)
    assert Decimal(format(float(stored), ".15g")) == cost
