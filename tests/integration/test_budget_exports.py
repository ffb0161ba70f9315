"""The exports for the national platforms over HTTP on fresh Ambiti: every figure equals a sum computed here
from the recorded acts (not from the ledger the exports read), CSV with BOM and ';', XLSX with euro-formatted
numbers, JSON with exact strings, no text cell starting a formula, and who may read them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.integration.test_budget_exports_world import World, euro, no_formula

CUP = "J51B21005120006"
ZERO = Decimal("0.00")


@pytest.fixture
def world(tenants, settings, tmp_path):
    return World(tenants, settings, tmp_path / "tenants.yaml")


@pytest.fixture
def fna(world):
    """FNA 2025 on two interventions (and 2026 on one), FNPS on a third; acts and progress on them."""
    plan = world.plan(2024)
    home = world.intervention(plan, "A2.1", title="=HYPERLINK(\"http://x\";\"Assistenza\")", nomenclature="2",
                              area="6", target="anziani", leps=["dimissioni-protette"])
    day = world.intervention(plan, "A1.1", title="Segretariato sociale per la non autosufficienza",
                             nomenclature="1", area="1", target="disabilita")
    other = world.intervention(plan, "B3.1", title="Centro diurno minori", nomenclature="3", area="2",
                               target="minori")
    world.assignment("FNA", 2025, "15000.00", decree="Decreto FNA 2025", decree_date=date(2025, 2, 3))
    world.assignment("FNA", 2026, "800.00", decree="Decreto FNA 2026", decree_date=date(2026, 2, 3))
    world.assignment("FNPS", 2025, "5000.00")
    a_home = world.allocation(home, "FNA", 2025, "10000.50")
    a_day = world.allocation(day, "FNA", 2025, "2500.25")
    world.allocation(home, "FNA", 2026, "700.00")
    a_other = world.allocation(other, "FNPS", 2025, "5000.00")
    c1 = world.commitment(a_home, "4000.10", act="+Determina n. 12 del 10/03/2025")
    world.commitment(a_home, "1000.00", act="Determina n. 40")
    c3 = world.commitment(a_day, "2500.25", act="Determina n. 41")
    world.commitment(a_other, "999.99", act="Determina FNPS")
    world.payment(c1, "1500.05")
    world.payment(c1, "0.01")
    world.payment(c3, "2500.25")
    world.progress(home, 2025, 1, percentage="10", outputs={"utenti serviti": "10"})
    world.progress(home, 2025, 3, percentage="40", outputs={" Utenti  Serviti": "42", "ore erogate": "120.5"})
    world.progress(home, 2026, 1, percentage="50", outputs={"utenti serviti": "60"})
    return {"home": home, "day": day, "a_home": a_home, "a_day": a_day}


def test_sioss_programming_reporting_and_flows_equal_the_recorded_acts(world, fna):
    programming = world.json("/sioss/FNA/programmazione.json?year=2025", "auditor")
    assert programming["fund"] == "FNA" and programming["year"] == 2025 and programming["ambito"] == world.slug
    rows = programming["rows"]
    assert [r["codice_intervento"] for r in rows] == ["A1.1", "A2.1"]       # by macro-livello, then code
    assert [(r["macro_livello_codice"], r["area"]) for r in rows] == [
        ("1", "Informazione, supporto e presa in carico"), ("2", "Vita autonoma e domiciliarità dei non "
                                                                 "autosufficienti")]
    assert rows[0]["macro_livello"] == "Servizi per l'accesso e la presa in carico della rete assistenziale"
    assert rows[1]["area_utenza"] == "Anziani" and rows[1]["leps"] == "dimissioni-protette"
    programmed = world.acts("SELECT sum(amount) AS s FROM allocations WHERE fund_code = 'FNA' AND year = 2025")
    assert programming["totals"]["importo_programmato"] == str(programmed) == "12500.75"
    assert sum(Decimal(r["importo_programmato"]) for r in rows) == programmed

    reporting = world.json("/sioss/FNA/rendicontazione.json?year=2025")["rows"]
    for row, allocation in zip(reporting, (fna["a_day"], fna["a_home"])):
        committed = world.acts("SELECT sum(amount) AS s FROM commitments WHERE allocation_id = %s", (allocation,))
        paid = world.acts("SELECT sum(p.amount) AS s FROM payments p JOIN commitments c ON c.id = p.commitment_id"
                          " WHERE c.allocation_id = %s", (allocation,))
        assert (row["importo_impegnato"], row["importo_liquidato"]) == (str(committed), str(paid))
        assert Decimal(row["impegnato_da_liquidare"]) == committed - paid
    home = reporting[1]
    assert (home["importo_impegnato"], home["importo_liquidato"]) == ("5000.10", "1500.06")
    assert home["utenti_serviti"] == "42"      # the year's latest quarter (Q3), the name's case and blanks ignored
    assert home["indicatori_output"] == " Utenti  Serviti: 42; ore erogate: 120.5"
    assert home["atti_impegno"] == "+Determina n. 12 del 10/03/2025; Determina n. 40"

    flows = world.json("/sioss/FNA/flussi-finanziari.json", "regional-admin")
    by_year = {r["anno"]: r for r in flows["rows"]}
    assert set(by_year) == {2025, 2026}
    fy = by_year[2025]
    committed = world.acts("SELECT sum(c.amount) AS s FROM commitments c JOIN allocations a ON a.id = c.allocation_id"
                           " WHERE a.fund_code = 'FNA' AND a.year = 2025")
    paid = world.acts("SELECT sum(p.amount) AS s FROM payments p JOIN commitments c ON c.id = p.commitment_id"
                      " JOIN allocations a ON a.id = c.allocation_id WHERE a.fund_code = 'FNA' AND a.year = 2025")
    assert (fy["importo_assegnato"], fy["totale_disponibile"], fy["importo_programmato"]) == (
        "15000.00", "15000.00", "12500.75")
    assert (fy["importo_impegnato"], fy["importo_liquidato"]) == (str(committed), str(paid)) == ("7500.35",
                                                                                                "4000.31")
    assert fy["non_impegnato"] == str(Decimal("15000.00") - committed)
    assert fy["atti_assegnazione"] == "Decreto FNA 2025 del 03/02/2025"
    assert flows["totals"]["importo_assegnato"] == "15800.00"


def test_sioss_files_csv_with_bom_xlsx_in_euro_and_no_formula(world, fna):
    table = world.csv("/sioss/FNA/rendicontazione.csv?year=2025")
    header, *lines, total = table
    assert header[0] == "Anno" and "Importo impegnato (euro)" in header
    assert len(lines) == 2 and all(len(line) == len(header) for line in table)
    column = header.index("Importo impegnato (euro)")
    assert euro(total[column]) == sum(euro(line[column]) for line in lines) == Decimal("7500.35")
    assert total[header.index("Intervento")] == "Totale"
    # The title and the act typed as formulas are text: an apostrophe in front, the content whole.
    home = next(line for line in lines if line[header.index("Codice intervento")] == "A2.1")
    assert home[header.index("Intervento")] == "'=HYPERLINK(\"http://x\";\"Assistenza\")"
    assert home[header.index("Atti di impegno")].startswith("'+Determina n. 12")
    for line in table:
        no_formula(line)

    sheet = world.xlsx("/sioss/FNA/rendicontazione.xlsx?year=2025")
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    money = values[0].index("Importo impegnato (euro)")
    cell = sheet.cell(row=len(values), column=money + 1)
    assert values[-1][values[0].index("Intervento")] == "Totale"
    assert Decimal(str(cell.value)) == Decimal("7500.35") and "€" in cell.number_format
    for row in values:
        no_formula(row)

    programming = world.csv("/sioss/FNA/programmazione.csv")     # every year
    assert euro(programming[-1][-1]) == Decimal("13200.75")


def test_sioss_who_and_which_funds(world, fna):
    for role in ("operator", "coordinator", "stakeholder", "auditor", "regional-admin"):
        assert world.get("/sioss/FNA/flussi-finanziari.csv", role).status_code == 200, role
    assert world.get("/sioss/FP-SERVIZI/programmazione.json").status_code == 404
    assert world.get("/sioss/NOPE/programmazione.csv").status_code == 404
    assert world.get("/sioss/FNA/programmazione.json?year=1999").status_code == 422
    empty = world.json("/sioss/DOPO-DI-NOI/rendicontazione.json")
    assert empty["rows"] == [] and empty["totals"]["importo_programmato"] == "0.00"
    fnps = world.json("/sioss/FNPS/rendicontazione.json?year=2025")
    assert [r["codice_intervento"] for r in fnps["rows"]] == ["B3.1"]
    assert fnps["rows"][0]["importo_impegnato"] == "999.99"


def test_fondo_poverta_summary_at_a_date_and_after_the_closure(world):
    plan = world.plan(2024)
    centre = world.intervention(plan, "P1", title="Centro servizi povertà", nomenclature="5", area="4",
                                target="poverta_emarginazione")
    world.assignment("FP-SERVIZI", 2024, "20000.00", decree="DM quota servizi 2024", decree_date=date(2024, 3, 1))
    world.assignment("FP-POVERTA-ESTREMA", 2024, "5000.00", decree="DM povertà estrema", decree_date=date(2024, 4, 2))
    services = world.allocation(centre, "FP-SERVIZI", 2024, "12000.00")
    extreme = world.allocation(centre, "FP-POVERTA-ESTREMA", 2024, "5000.00")
    may = world.commitment(services, "8000.00", act_date=date(2024, 5, 10))
    world.commitment(services, "2000.00", act_date=date(2024, 11, 20))
    night = world.commitment(extreme, "1234.56", act_date=date(2024, 6, 1))
    world.payment(may, "3000.00", act_date=date(2024, 6, 1))
    world.payment(may, "4000.00", act_date=date(2025, 1, 15))
    world.payment(night, "1234.56", act_date=date(2024, 7, 1))
    world.assignment("FNA", 2024, "999.00")                       # not a quota of the Fondo Povertà

    august = world.json("/fondo-poverta.json?as_of=2024-08-31", "auditor")
    assert august["as_of"] == "2024-08-31"
    rows = {(r["fondo"], r["annualita"]): r for r in august["rows"]}
    assert set(rows) == {("FP-SERVIZI", 2024), ("FP-POVERTA-ESTREMA", 2024)}
    s = rows[("FP-SERVIZI", 2024)]
    assert (s["risorse_assegnate"], s["risorse_impegnate"], s["risorse_liquidate"]) == ("20000.00", "8000.00",
                                                                                        "3000.00")
    assert (s["risorse_non_impegnate"], s["impegnate_da_liquidare"]) == ("12000.00", "5000.00")
    assert s["quota"] == "Fondo Povertà – quota servizi" and s["data_riferimento"] == "2024-08-31"
    assert s["motivazione_non_impegnato"] is None and s["data_fine_spesa"] is None
    assert august["totals"]["risorse_impegnate"] == "9234.56"

    carried = world.close("FP-SERVIZI", 2024)
    assert carried == Decimal("10000.00")
    now = world.json("/fondo-poverta.json")
    rows = {(r["fondo"], r["annualita"]): r for r in now["rows"]}
    s, next_year = rows[("FP-SERVIZI", 2024)], rows[("FP-SERVIZI", 2025)]
    committed = world.acts("SELECT sum(c.amount) AS s FROM commitments c JOIN allocations a ON a.id = c.allocation_id"
                           " WHERE a.fund_code = 'FP-SERVIZI' AND a.year = 2024")
    paid = world.acts("SELECT sum(p.amount) AS s FROM payments p JOIN commitments c ON c.id = p.commitment_id"
                      " JOIN allocations a ON a.id = c.allocation_id WHERE a.fund_code = 'FP-SERVIZI'")
    assert (s["risorse_impegnate"], s["risorse_liquidate"]) == (str(committed), str(paid)) == ("10000.00", "7000.00")
    assert (s["residui_riportati"], s["risorse_non_impegnate"]) == ("10000.00", "0.00")
    assert (next_year["residui_precedenti"], next_year["totale_disponibile"]) == ("10000.00", "10000.00")
    for row in now["rows"]:      # disponibile = impegnato + non impegnato + riportato, to the cent
        assert Decimal(row["totale_disponibile"]) == sum(Decimal(row[k]) for k in (
            "risorse_impegnate", "risorse_non_impegnate", "residui_riportati"))
    only = world.json("/fondo-poverta.json?year=2025")
    assert [(r["fondo"], r["annualita"]) for r in only["rows"]] == [("FP-SERVIZI", 2025)]

    table = world.csv("/fondo-poverta.csv?as_of=2024-08-31")
    assert table[0][:3] == ["Quota del Fondo Povertà", "Codice fondo", "Annualità"]
    assert table[-1][0] == "Totale" and euro(table[-1][table[0].index("Risorse impegnate (euro)")]) == \
        Decimal("9234.56")
    assert table[1][table[0].index("Dati alla data del")] == "31/08/2024"


def test_pnrr_progress_per_cup(world):
    plan = world.plan(2024)
    body = world.organisation("-Cooperativa Sociale Il Sentiero")
    flats = world.intervention(plan, "D1.2", title="Percorsi di autonomia: appartamenti", nomenclature="4",
                               area="5", target="disabilita", kind="project", cup=CUP, investment=True,
                               managing_body=body, planned=(date(2024, 6, 1), date(2026, 3, 31)),
                               actual=(date(2024, 9, 2), None), status="active")
    plain = world.intervention(plan, "A1", title="Segretariato")
    world.assignment("PNRR-M5C2-1.2", 2024, "100000.00")
    world.assignment("PNRR-M5C2-1.2", 2025, "50000.50")
    world.assignment("FNPS", 2024, "1000.00")
    first = world.allocation(flats, "PNRR-M5C2-1.2", 2024, "100000.00")
    world.allocation(flats, "PNRR-M5C2-1.2", 2025, "50000.50")
    fnps = world.allocation(flats, "FNPS", 2024, "1000.00")       # co-financing: not the PNRR's figures
    world.allocation(plain, "FNPS", 2024, "0.00")
    works = world.commitment(first, "60000.00", cig="8527277397")
    world.commitment(first, "10000.00", cig="Z1E31EB332")
    world.commitment(fnps, "1000.00", cig="8527277397")
    world.payment(works, "33333.33")
    world.progress(flats, 2025, 1, percentage="20", outputs={"appartamenti": "2"})
    world.progress(flats, 2025, 2, percentage="37.5", outputs={"appartamenti": "3", "utenti serviti": "6"})

    data = world.json("/pnrr-cup.json", "stakeholder")
    assert len(data["rows"]) == 1
    row = data["rows"][0]
    financed = world.acts("SELECT sum(amount) AS s FROM allocations WHERE fund_code LIKE 'PNRR-%%'")
    committed = world.acts("SELECT sum(c.amount) AS s FROM commitments c JOIN allocations a ON a.id = c.allocation_id"
                           " WHERE a.fund_code LIKE 'PNRR-%%'")
    assert (row["cup"], row["codice_intervento"], row["soggetto_gestore"]) == (CUP, "D1.2",
                                                                               "-Cooperativa Sociale Il Sentiero")
    assert row["misura"].startswith("PNRR-M5C2-1.2 – PNRR M5C2 1.2")
    assert (row["importo_finanziato"], row["importo_impegnato"], row["importo_liquidato"]) == (
        str(financed), str(committed), "33333.33") == ("150000.50", "70000.00", "33333.33")
    assert row["avanzamento_finanziario"] == "22.22"             # 33333.33 / 150000.50, half up
    assert (row["avanzamento_fisico"], row["periodo_rilevazione"]) == ("37.50", "2025-T2")
    assert (row["avvio_previsto"], row["avvio_effettivo"], row["conclusione_prevista"],
            row["conclusione_effettiva"]) == ("2024-06-01", "2024-09-02", "2026-03-31", None)
    assert row["indicatori_output"] == "appartamenti: 3; utenti serviti: 6"
    assert row["cig"] == "8527277397; Z1E31EB332" and row["stato"] == "In corso"
    assert data["totals"] == {"importo_finanziato": "150000.50", "importo_impegnato": "70000.00",
                              "importo_liquidato": "33333.33"}

    table = world.csv("/pnrr-cup.csv")
    assert table[1][table[0].index("Soggetto gestore")] == "'-Cooperativa Sociale Il Sentiero"
    assert table[1][table[0].index("Avanzamento finanziario (% liquidato)")] == "22,22"
    for line in table:
        no_formula(line)
    sheet = world.xlsx("/pnrr-cup.xlsx")
    assert sheet.title == "Avanzamento per CUP" and sheet.cell(row=3, column=4).value == "Totale"
    assert world.get("/pnrr-cup.json", "regional-admin").status_code == 200
