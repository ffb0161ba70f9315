"""The plan's documents, pure: financial views that reconcile with the snapshot, the XLSX read back with
openpyxl, and the Piano's HTML -> PDF/A read back with pypdf (text, totals, PDF/A markers).

The plan is demo-like: Lagonegrese-Pollino 2024-2026 with FNPS, Fondo Povertà, FNA and PNRR 1.2 lines
and co-financing of its comuni, built by the plans package's own snapshot builder.
"""
import io
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from hypothesis import given, settings, strategies as st

from shared.documents import pdf
from shared.exports.cells import starts_formula

from services.budget.documents import render, views as fin, xlsx
from services.budget.plans import snapshot as snap

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
AREAS = {"1": "Informazione, supporto e presa in carico", "2": "Responsabilità familiari e tutela dei minori",
         "3": "Persone anziane", "4": "Povertà ed esclusione sociale", "5": "Disabilità"}
FUNDS = {"FNPS": "Fondo nazionale per le politiche sociali", "FP-SERVIZI": "Fondo Povertà – quota servizi",
         "FNA": "Fondo per le non autosufficienze", "PNRR-M5C2-1.2": "PNRR M5C2 1.2 – Percorsi di autonomia"}
SOURCES = {"FNPS": "Statale", "FP-SERVIZI": "Statale", "FNA": "Statale", "PNRR-M5C2-1.2": "PNRR"}
AMBITO = "Ambito Socio Territoriale Lagonegrese-Pollino"
BODY = uuid.UUID("5b0f7c1e-3a51-4d8e-9f3a-2c7d9e1b6a40")
PROPOSAL = uuid.UUID("1a2b3c4d-0000-4000-8000-000000000001")
TABLE = uuid.UUID("7d1c5e2a-4b8f-4c3e-9a61-0f2b8d7e6c15")


def intervention(code, title, area, target, *, kind="service", leps=(), comuni=(), start="2024-01-01",
                 end="2026-12-31", proposals=()):
    return ({"id": uuid.uuid5(uuid.NAMESPACE_URL, code), "code": code, "title": title,
             "description": f"Descrizione dell'intervento {code}.", "nomenclature_code": "1", "area": area,
             "target_group": target, "leps": list(leps), "kind": kind, "comuni": list(comuni), "managing_body": BODY,
             "cup": "J71H22000010006" if kind == "project" else None, "continues_origin": None,
             "continues_intervention": None, "planned_start": date.fromisoformat(start),
             "planned_end": date.fromisoformat(end)}, list(proposals))


PLAN_LINES = [
    (intervention("A1.1", "Segretariato sociale e PUA", "1", "popolazione_generale",
                  leps=["servizio-sociale-professionale"], proposals=[PROPOSAL]),
     [("FNPS", 2024, "18500.00"), ("FNPS", 2025, "18500.00"), ("FNPS", 2026, "18500.50")], []),
    (intervention("A3.1", "Assistenza domiciliare anziani (SAD)", "3", "anziani", comuni=["076042", "076052"]),
     [("FNA", 2024, "42000.00"), ("FNA", 2025, "42000.00"), ("FNPS", 2026, "12000.33")], [(2024, "8850.00")]),
    (intervention("A4.2", "Centro servizi per il contrasto alla povertà", "4", "poverta_emarginazione",
                  leps=["centro-servizi-poverta"]),
     [("FP-SERVIZI", 2024, "65000.00"), ("FP-SERVIZI", 2025, "64999.99")], [(2025, "3000.01")]),
    (intervention("A5.1", "Percorsi di autonomia per persone con disabilità", "5", "disabilita", kind="project",
                  start="2024-06-01", end="2026-06-30"),
     [("PNRR-M5C2-1.2", 2024, "71500.00"), ("PNRR-M5C2-1.2", 2025, "71500.00"), ("PNRR-M5C2-1.2", 2026, "68000.00")],
     []),
]
COMUNI = [("076042", "Lauria", 12500), ("076052", "Nemoli", 1500), ("076066", "Rivello", 2700)]


def split(total: str) -> list[dict]:
    whole = sum(p for _, _, p in COMUNI)
    amounts = [(Decimal(total) * p / whole).quantize(Decimal("0.01")) for _, _, p in COMUNI]
    amounts[0] += Decimal(total) - sum(amounts)
    return [{"istat_code": c, "population": p, "population_date": date(2025, 1, 1), "amount": a}
            for (c, _, p), a in zip(COMUNI, amounts)]


def demo_snapshot(lines=PLAN_LINES) -> dict:
    rows, proposals, allocations, cofinancing, shares = [], {}, [], [], []
    for (row, props), allocs, cofin in lines:
        rows.append(row)
        proposals[row["id"]] = props
        allocations += [{"intervention_id": row["id"], "fund_code": f, "year": y, "amount": Decimal(a)}
                        for f, y, a in allocs]
        for year, total in cofin:
            cofinancing.append({"intervention_id": row["id"], "year": year, "total": Decimal(total),
                                "population_as_of": date(2025, 1, 1)})
            shares += [{**s, "intervention_id": row["id"], "year": year} for s in split(total)]
    header = {"plan_id": str(uuid.uuid4()), "first_year": 2024, "last_year": 2026, "number": 1, "kind": "triennial",
              "reference_year": 2024}
    return snap.build(header=header, interventions=rows, proposals=proposals, allocations=allocations,
                      cofinancing=cofinancing, shares=shares)


PLAN = {"title": "Piano Sociale di Zona 2024-2026", "first_year": 2024, "last_year": 2026}
VERSION = {"number": 1, "kind": "triennial", "reference_year": 2024, "state": "approved",
           "approval_act": "Delibera n. 4 del 12/10/2024", "signed_on": None}
TERRITORY = {"name": "Lagonegrese-Pollino", "capofila_istat": "076042", "ente_gestore": "Comune di Lauria",
             "asl_district": "Distretto di Lauria", "total_population": 16700,
             "comuni": [{"istat_code": c, "name": n, "province": "PZ", "population": p,
                         "population_date": date(2025, 1, 1)} for c, n, p in COMUNI]}


def piano(snapshot=None, **change):
    snapshot = snapshot or demo_snapshot()
    views = fin.build(snapshot, area_names=AREAS, fund_names=FUNDS)
    fin.check(views, snapshot["totals"])
    data = {"ambito": AMBITO, "region_name": "Regione Basilicata", "tenant": "lagonegrese-pollino", "plan": PLAN,
            "version": VERSION, "live": False, "snapshot": snapshot, "views": views, "area_names": AREAS,
            "fund_names": FUNDS, "leps_names": {"centro-servizi-poverta": "Centro servizi per il contrasto alla povertà"},
            "territory": TERRITORY,
            "tables": [{"origin": "lagonegrese-pollino", "table_id": TABLE, "kind": "thematic",
                        "title": "Tavolo tematico anziani", "areas": ["3"], "status": "closed"}],
            "needs": [{"origin": "lagonegrese-pollino", "need_id": uuid.uuid4(), "table_id": TABLE,
                       "title": "Trasporto sociale per gli anziani delle frazioni", "area": "3",
                       "target_group": "anziani", "comuni": ["076042"], "status": "open"}],
            "needs_count": 1,
            "proposals": [{"origin": "lagonegrese-pollino", "proposal_id": PROPOSAL, "table_id": TABLE,
                           "title": "Sportello unico di accesso nei comuni montani", "areas": ["1"],
                           "target_groups": [], "need_ids": [], "estimated_cost": Decimal("55000.00")}],
            "milestones": [{"phase": "fase_2", "title": "Realizzazione dei tavoli di lavoro tematici",
                            "planned_start": date(2023, 4, 1), "planned_end": date(2023, 5, 31),
                            "actual_start": date(2023, 4, 8), "actual_end": None, "status": "in_progress"}],
            "organisations": {str(BODY): "Cooperativa sociale Il Sentiero"}, "generated_at": NOW, **change}
    return render.piano_html(**data)


def euros(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# -- the views -----------------------------------------------------------------------------------------
def test_the_views_add_up_to_the_snapshot_totals():
    s = demo_snapshot()
    views = fin.build(s, area_names=AREAS, fund_names=FUNDS)
    fin.check(views, s["totals"])
    assert views.total.total == Decimal(s["totals"]["total"]) == Decimal("504350.83")
    assert [line.key for line in views.by_area] == ["1", "3", "4", "5"]
    assert {line.key: line.total for line in views.by_fund}["FNPS"] == Decimal("67500.83")
    assert views.cofinancing.years == {2024: Decimal("8850.00"), 2025: Decimal("3000.01")}


def test_a_view_that_does_not_reconcile_is_refused():
    s = demo_snapshot()
    views = fin.build(s, area_names=AREAS, fund_names=FUNDS)
    views.by_area[0].allocated += Decimal("0.01")
    with pytest.raises(fin.TotalsMismatch, match="per area"):
        fin.check(views, s["totals"])
    tampered = {**s["totals"], "by_fund": {**s["totals"]["by_fund"], "FNA": {"total": "1.00", "by_year": {}}}}
    with pytest.raises(fin.TotalsMismatch, match="FNA"):
        fin.check(fin.build(s, area_names=AREAS, fund_names=FUNDS), tampered)


amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["1", "3", "4", "5"]), st.sampled_from(sorted(FUNDS)),
                          st.sampled_from([2024, 2025, 2026]), amount, st.booleans()), min_size=1, max_size=12))
def test_any_plan_reconciles_to_the_cent(lines):
    plan = []
    for i, (area, fund, year, value, cofinanced) in enumerate(lines):
        plan.append((intervention(f"X{i}", f"Intervento {i}", area, "anziani"), [(fund, year, str(value))],
                     [(year, str(value))] if cofinanced else []))
    s = demo_snapshot(plan)
    views = fin.build(s, area_names=AREAS, fund_names=FUNDS)
    fin.check(views, s["totals"])  # raises if any view is off by a cent
    expected = sum((v * (2 if c else 1) for _, _, _, v, c in lines), Decimal("0.00"))
    assert views.total.total == expected


# -- the XLSX ------------------------------------------------------------------------------------------
def workbook(snapshot=None):
    s = snapshot or demo_snapshot()
    views = fin.build(s, area_names=AREAS, fund_names=FUNDS)
    fin.check(views, s["totals"])
    data = xlsx.workbook(views, ambito=AMBITO, plan=PLAN, version=VERSION, live=False, area_names=AREAS,
                         fund_sources=SOURCES, leps_names={}, generated_at=NOW)
    return s, openpyxl.load_workbook(io.BytesIO(data))


def body(sheet):
    """The rows under the header, as lists of values."""
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def test_the_workbook_has_one_sheet_per_view_with_italian_headers_frozen():
    _, book = workbook()
    assert book.sheetnames == ["Per area", "Per fondo", "Per anno", "Interventi", "Note"]
    area = book["Per area"]
    assert [c.value for c in area[1]] == ["Codice area", "Area tematica", "Totale 2024", "Totale 2025", "Totale 2026",
                                          "Fondi", "Cofinanziamento comunale", "Totale"]
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)
    assert area["C2"].number_format == xlsx.EURO and "€" in xlsx.EURO
    assert area.column_dimensions["B"].width > 20


def test_every_sheet_adds_up_to_the_snapshot_and_its_total_row():
    s, book = workbook()
    total = Decimal(s["totals"]["total"])
    # Per area: each row's years add up to its total; the columns add up to the total row; the total is the plan's.
    rows = body(book["Per area"])
    for row in rows:
        assert sum(euros(v) for v in row[2:5]) == euros(row[7]) == euros(row[5]) + euros(row[6])
    for column in range(2, 8):
        assert sum(euros(r[column]) for r in rows[:-1]) == euros(rows[-1][column])
    assert euros(rows[-1][7]) == total
    assert {r[0]: euros(r[7]) for r in rows[:-1]} == {a: Decimal(v["total"]) for a, v in s["totals"]["by_area"].items()}
    # Per fondo: funds, their total, the comuni's co-financing, the plan's total.
    rows = body(book["Per fondo"])
    funds = {r[0]: euros(r[6]) for r in rows if r[0] in FUNDS}
    assert funds == {f: Decimal(v["total"]) for f, v in s["totals"]["by_fund"].items()}
    [fund_total] = [r for r in rows if r[1] == "Totale fondi"]
    [comuni] = [r for r in rows if r[0] == "COMUNI"]
    assert euros(fund_total[6]) == sum(funds.values()) == Decimal(s["totals"]["allocated"])
    assert euros(comuni[6]) == Decimal(s["totals"]["cofinancing"])
    assert euros(rows[-1][6]) == euros(fund_total[6]) + euros(comuni[6]) == total
    # Per anno and Interventi: same total.
    years = body(book["Per anno"])
    assert {str(r[0]): euros(r[3]) for r in years[:-1]} == {y: Decimal(v["total"])
                                                           for y, v in s["totals"]["by_year"].items()}
    assert euros(years[-1][3]) == total
    interventions = body(book["Interventi"])
    assert sum(euros(r[12]) for r in interventions[:-1]) == euros(interventions[-1][12]) == total
    assert [r[0] for r in interventions[:-1]] == ["A1.1", "A3.1", "A4.2", "A5.1"]


def test_no_cell_of_the_workbook_is_or_starts_a_formula():
    line = intervention("=A9", "=HYPERLINK(\"http://x\")", "3", "anziani")
    s, book = workbook(demo_snapshot([(line, [("FNPS", 2024, "10.00")], [])]))
    texts = [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=A9" in texts and "'=HYPERLINK(\"http://x\")" in texts
    assert not any(starts_formula(t) for t in texts)
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


# -- the Piano -----------------------------------------------------------------------------------------
def pdf_text(html: str) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf.to_pdf(html)))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_piano_html_has_every_chapter_in_italian():
    html = piano()
    for title in ("Indice", "1. Il territorio dell'Ambito", "2. Il percorso partecipativo", "3. Gli interventi per area",
                  "4. Il quadro finanziario", "4.4 Il cofinanziamento dei comuni", "5. Il cronoprogramma"):
        assert title in html, title


def test_the_piano_pdf_is_pdf_a_and_shows_the_ambito_the_interventions_and_the_totals():
    s = demo_snapshot()
    reader, text = pdf_text(piano(s))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    flat = " ".join(text.split())
    assert AMBITO in flat and "Triennio 2024–2026" in flat and "Versione 1 – piano triennale" in flat
    assert "approvato dall'Assemblea dei Sindaci" in flat
    for chapter in ("Il territorio dell'Ambito", "Il percorso partecipativo", "Gli interventi per area tematica",
                    "Il quadro finanziario", "Il cronoprogramma"):
        assert flat.count(chapter) >= 2, chapter  # in the contents and as the chapter's title
    for code, title in (("A1.1", "Segretariato sociale e PUA"), ("A5.1", "Percorsi di autonomia")):
        assert f"{code} – {title}" in flat
    assert "504.350,83 €" in flat  # the plan's total
    for area in s["totals"]["by_area"].values():
        assert money(area["total"]) in flat
    for fund in s["totals"]["by_fund"].values():
        assert money(fund["total"]) in flat
    assert money(s["totals"]["cofinancing"]) in flat
    assert "Lauria" in flat and "16.700 abitanti" in flat
    assert "Trasporto sociale per gli anziani delle frazioni" in flat and "Sportello unico di accesso" in flat
    assert "Realizzazione dei tavoli di lavoro tematici" in flat


def money(text: str) -> str:
    from shared.documents.italian import money as italian_money
    return italian_money(Decimal(text))


def test_a_live_draft_says_so_and_an_empty_plan_still_renders():
    empty = demo_snapshot([])
    html = piano(empty, live=True, version={**VERSION, "state": "draft", "approval_act": None}, territory=None,
                 tables=[], needs=[], needs_count=0, proposals=[], milestones=[])
    assert "Bozza: il contenuto è quello attuale" in html
    assert "Il piano non ha ancora interventi." in html and "non è ancora pervenuto" in html
