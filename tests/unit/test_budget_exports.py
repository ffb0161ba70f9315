"""The exports' pure parts: records -> rows (classification, indicators, percentages), totals to the cent
(hypothesis), and the writers (CSV with BOM and ';', XLSX numbers in euro, JSON strings, no formula)."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given, settings, strategies as st
from openpyxl import load_workbook

from services.budget.exports import rows, writers
from services.budget.exports.layouts import (PNRR_CUP, POVERTY_SUMMARY, SIOSS_FLOWS, SIOSS_PROGRAMMING,
                                             SIOSS_REPORTING, SIOSS_SECTIONS)
from services.budget.reference.model import NomenclatureEntry

CENTS = st.integers(min_value=0, max_value=99_999_999_999).map(lambda c: Decimal(c).scaleb(-2))
NOMENCLATURE = {"1": NomenclatureEntry("1", "Accesso"), "2": NomenclatureEntry("2", "Domiciliarità"),
                "2.1": NomenclatureEntry("2.1", "Assistenza domiciliare", parent="2", level=2),
                "2.1.3": NomenclatureEntry("2.1.3", "SAD anziani", parent="2.1", level=3)}
AREAS = {"3": "Persone anziane"}


def allocation(amount: Decimal, *, code="A1", nomenclature="2.1.3", year=2025, committed=None, paid=None):
    committed = amount if committed is None else committed
    return {"id": uuid.uuid4(), "intervention_id": uuid.uuid4(), "fund_code": "FNA", "year": year,
            "amount": amount, "committed": committed, "paid": committed if paid is None else paid,
            "carried": Decimal("0.00"), "code": code, "title": "Assistenza domiciliare", "nomenclature_code":
            nomenclature, "area": "3", "target_group": "anziani", "leps": ["dimissioni-protette"], "kind": "service",
            "status": "active"}


def test_macro_level_is_the_top_group_of_the_line():
    assert rows.macro_level("2.1.3", NOMENCLATURE) == ("2", "Domiciliarità")
    assert rows.macro_level("1", NOMENCLATURE) == ("1", "Accesso")
    assert rows.macro_level("9.9", NOMENCLATURE) == ("9.9", "")     # not in the reference data: no name invented


def test_users_served_and_indicators():
    outputs = {" Utenti   SERVITI ": "42", "ore erogate": "120.5"}
    assert rows.users_served(outputs) == "42"
    assert rows.users_served({"utenti": "3"}) is None and rows.users_served(None) is None
    assert rows.indicators(outputs) == " Utenti   SERVITI : 42; ore erogate: 120.5"
    assert rows.indicators({}) == ""


def test_percentage_rounds_half_up_and_needs_a_whole():
    assert rows.percentage(Decimal("33333.33"), Decimal("150000.50")) == Decimal("22.22")
    assert rows.percentage(Decimal("1"), Decimal("8")) == Decimal("12.50")
    assert rows.percentage(Decimal("1"), Decimal("200")) == Decimal("0.50")
    assert rows.percentage(Decimal("0.01"), Decimal("2000")) == Decimal("0.00")
    assert rows.percentage(Decimal("0.01"), Decimal("1999.99")) == Decimal("0.00")
    assert rows.percentage(Decimal("1"), Decimal("0.00")) is None


@given(st.lists(CENTS, max_size=30))
def test_programming_totals_are_the_exact_sum_of_the_lines(amounts):
    records = [allocation(a, code=f"L{i:03}") for i, a in enumerate(amounts)]
    table = rows.programming_rows(records, nomenclature=NOMENCLATURE, area_names=AREAS)
    assert len(table) == len(records)
    assert rows.totals(SIOSS_PROGRAMMING, table) == {"importo_programmato": sum(amounts, Decimal("0.00"))}
    assert all(r["macro_livello_codice"] == "2" and r["area"] == "Persone anziane" for r in table)
    assert [r["codice_intervento"] for r in table] == sorted(r["codice_intervento"] for r in table)


@st.composite
def spent(draw):
    amount = draw(CENTS)
    committed = Decimal(draw(st.integers(0, int(amount * 100)))).scaleb(-2)
    paid = Decimal(draw(st.integers(0, int(committed * 100)))).scaleb(-2)
    return amount, committed, paid


@given(st.lists(spent(), max_size=20))
def test_reporting_totals_reconcile(lines):
    records = [allocation(a, code=f"L{i:03}", committed=c, paid=p) for i, (a, c, p) in enumerate(lines)]
    table = rows.reporting_rows(records, acts={}, progress={}, nomenclature=NOMENCLATURE, area_names=AREAS)
    totals = rows.totals(SIOSS_REPORTING, table)
    assert totals["importo_impegnato"] == sum((c for _, c, _ in lines), Decimal("0.00"))
    assert totals["importo_impegnato"] - totals["importo_liquidato"] == totals["impegnato_da_liquidare"]
    assert totals["importo_programmato"] >= totals["importo_impegnato"] >= totals["importo_liquidato"]


@st.composite
def ledger(draw):
    assigned, residui_in = draw(CENTS), draw(CENTS)
    available = assigned + residui_in
    committed = Decimal(draw(st.integers(0, int(available * 100)))).scaleb(-2)
    paid = Decimal(draw(st.integers(0, int(committed * 100)))).scaleb(-2)
    closed = draw(st.booleans())
    return {"fund_code": "FP-SERVIZI", "year": draw(st.integers(2018, 2030)), "assigned": assigned,
            "residui_in": residui_in, "allocated": committed, "committed": committed, "paid": paid,
            "carried": available - committed if closed else Decimal("0.00"), "decrees": []}


@settings(max_examples=200)
@given(st.lists(ledger(), max_size=10))
def test_flows_and_poverty_summary_reconcile_to_the_cent(ledgers):
    for table, layout, (avail, comm, uncomm, carried, to_pay, paid) in (
            (rows.flow_rows(ledgers), SIOSS_FLOWS, ("totale_disponibile", "importo_impegnato", "non_impegnato",
                                                    "residui_riportati", "impegnato_da_liquidare",
                                                    "importo_liquidato")),
            (rows.poverty_rows(ledgers, fund_names={}, as_of=date(2024, 8, 31)), POVERTY_SUMMARY,
             ("totale_disponibile", "risorse_impegnate", "risorse_non_impegnate", "residui_riportati",
              "impegnate_da_liquidare", "risorse_liquidate"))):
        for row in table:
            assert row[avail] == row[comm] + row[uncomm] + row[carried]
            assert row[uncomm] >= 0 and row[to_pay] == row[comm] - row[paid]
        totals = rows.totals(layout, table)
        assert totals[avail] == totals[comm] + totals[uncomm] + totals[carried]
        assert totals[avail] == sum((x["assigned"] + x["residui_in"] for x in ledgers), Decimal("0.00"))


def test_poverty_summary_leaves_the_office_fields_empty():
    row = rows.poverty_rows([{"fund_code": "FP-SERVIZI", "year": 2024, "assigned": Decimal("10.00"),
                              "residui_in": Decimal("0.00"), "allocated": Decimal("0.00"),
                              "committed": Decimal("4.00"), "paid": Decimal("1.00"), "carried": Decimal("0.00"),
                              "decrees": []}], fund_names={"FP-SERVIZI": "Quota servizi"}, as_of=date(2024, 8, 31))[0]
    assert (row["quota"], row["risorse_non_impegnate"], row["data_riferimento"]) == ("Quota servizi",
                                                                                   Decimal("6.00"), date(2024, 8, 31))
    assert row["motivazione_non_impegnato"] is row["data_prevista_impegno"] is row["data_fine_spesa"] is None


def test_every_layout_key_is_filled_by_its_mapping():
    record = allocation(Decimal("10.00"))
    ledger_ = {"fund_code": "FNA", "year": 2025, "assigned": Decimal("1"), "residui_in": Decimal("0"),
               "allocated": Decimal("1"), "committed": Decimal("1"), "paid": Decimal("0"), "carried": Decimal("0"),
               "decrees": [{"decree_reference": "DM", "decree_date": date(2025, 1, 2)}]}
    project = {"cup": "J51B21005120006", "funds": ["PNRR-M5C2-1.2"], "code": "D1", "title": "Appartamenti",
               "managing_body": None, "financed": Decimal("8.00"), "committed": Decimal("2.00"),
               "paid": Decimal("1.00"), "status": "active", "planned_start": None, "actual_start": None,
               "planned_end": None, "actual_end": None, "cigs": [], "progress": None}
    produced = {
        SIOSS_SECTIONS["programmazione"]: rows.programming_rows([record], nomenclature=NOMENCLATURE, area_names={}),
        SIOSS_REPORTING: rows.reporting_rows([record], acts={}, progress={}, nomenclature=NOMENCLATURE,
                                             area_names={}),
        SIOSS_FLOWS: rows.flow_rows([ledger_]),
        POVERTY_SUMMARY: rows.poverty_rows([ledger_], fund_names={}, as_of=date(2025, 1, 1)),
        PNRR_CUP: rows.pnrr_rows([project], fund_names={})}
    for layout, table in produced.items():
        assert set(table[0]) == {c.key for c in layout.columns}, layout.stem
        assert set(rows.totals_row(layout, table)) == {c.key for c in layout.columns}
    assert produced[SIOSS_FLOWS][0]["atti_assegnazione"] == "DM del 02/01/2025"
    assert produced[PNRR_CUP][0]["avanzamento_finanziario"] == Decimal("12.50")
    assert produced[PNRR_CUP][0]["periodo_rilevazione"] is None


TEXT = st.text(alphabet=st.sampled_from("=+-@\t\r\n ;\"'a1\u2212\uff1d\u200b"), max_size=12)


@given(st.lists(st.tuples(TEXT, CENTS), min_size=1, max_size=8))
def test_csv_has_bom_semicolons_decimal_commas_and_no_formula(lines):
    table = [{**{c.key: None for c in SIOSS_PROGRAMMING.columns}, "anno": 2025, "intervento": text,
              "codice_intervento": text, "importo_programmato": amount} for text, amount in lines]
    table.append(rows.totals_row(SIOSS_PROGRAMMING, table))
    body = writers.to_csv(SIOSS_PROGRAMMING, table)
    assert body.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert parsed[0] == list(SIOSS_PROGRAMMING.headers) and len(parsed) == len(table) + 1
    for line in parsed[1:]:
        for value in line:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "\n", "\u2212", "\uff1d")), value
    total = sum((amount for _, amount in lines), Decimal("0.00"))
    assert Decimal(parsed[-1][-1].replace(",", ".")) == total and parsed[-1][-1] == format(total, "f").replace(".",
                                                                                                               ",")


@settings(max_examples=25, deadline=None)
@given(st.lists(CENTS, min_size=1, max_size=5))
def test_xlsx_money_is_a_euro_number_equal_to_the_decimal(amounts):
    table = [{**{c.key: None for c in SIOSS_PROGRAMMING.columns}, "intervento": "=1+1", "importo_programmato": a}
             for a in amounts]
    sheet = load_workbook(io.BytesIO(writers.to_xlsx(SIOSS_PROGRAMMING, table, title="t"))).active
    assert sheet.title == "Programmazione" and sheet.freeze_panes == "A2"
    for index, amount in enumerate(amounts, start=2):
        cell = sheet.cell(row=index, column=len(SIOSS_PROGRAMMING.columns))
        assert Decimal(repr(cell.value)).quantize(Decimal("0.01")) == amount and "€" in cell.number_format
        assert sheet.cell(row=index, column=10).value == "'=1+1"


def test_json_amounts_are_strings_with_two_decimals_and_dates_iso():
    table = rows.poverty_rows([{"fund_code": "FP-SERVIZI", "year": 2024, "assigned": Decimal("10.5"),
                                "residui_in": Decimal("0.00"), "allocated": Decimal("0.00"),
                                "committed": Decimal("0.00"), "paid": Decimal("0.00"), "carried": Decimal("0.00"),
                                "decrees": []}], fund_names={}, as_of=date(2024, 8, 31))
    body = json.loads(writers.to_json(POVERTY_SUMMARY, table, totals=rows.totals(POVERTY_SUMMARY, table),
                                      about={"as_of": date(2024, 8, 31)}))
    assert body["export"] == "fondo-poverta-riepilogo" and body["as_of"] == "2024-08-31"
    assert body["rows"][0]["risorse_assegnate"] == "10.50" and body["totals"]["risorse_assegnate"] == "10.50"
    assert body["columns"][0] == {"key": "quota", "header": "Quota del Fondo Povertà"}
