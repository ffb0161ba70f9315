"""The plan's documents over HTTP on fresh Ambiti (real PostgreSQL, content and replicas written by SQL):
the XLSX and the Piano's PDF read back, their totals equal to the plan's snapshot, live while the version
is a draft and frozen from adoption on, who may read them."""
from __future__ import annotations

import io
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import openpyxl
import psycopg
import pypdf
import pytest

from shared.consumer.rows import apply_rows
from shared.documents.italian import money
from shared.sharing import Sharing

from services.budget.documents import service
from services.budget.projectors import project
from services.budget.revoke import revoke
from tests.integration.test_budget_plan_world import PlanWorld, problem
from tests.unit.test_budget_consultation_replicas import milestone_event, need_event, table_event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(tenants, settings, tmp_path):
    return PlanWorld(tenants, settings, tmp_path / "tenants.yaml")


def replicas(world) -> dict:
    """The territory, a table with a need and an accepted proposal, a milestone: as the consumer writes them."""
    slug, table, need, proposal = world.slug, uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with world.db() as conn:
        conn.execute("INSERT INTO territory_profiles (origin, name, region, capofila_istat, total_population, version,"
                     " as_of, source_event_id) VALUES (%s, 'Lagonegrese-Pollino', 'basilicata', '076042', 14000, 1,"
                     " now(), 'e1')", (slug,))
        for position, (code, name, population) in enumerate((("076042", "Lauria", 12500), ("076052", "Nemoli", 1500))):
            conn.execute("INSERT INTO territory_comuni (origin, istat_code, name, province, population,"
                         " population_date, position, version) VALUES (%s, %s, %s, 'PZ', %s, '2025-01-01', %s, 1)",
                         (slug, code, name, population, position))
        conn.execute("INSERT INTO consultation_tables (origin, table_id, kind, title, areas, status, version,"
                     " source_event_id) VALUES (%s, %s, 'thematic', 'Tavolo tematico anziani', '{3}', 'closed', 3,"
                     " 'e2')", (slug, table))
        conn.execute("INSERT INTO consultation_needs (origin, need_id, table_id, title, area, target_group, comuni,"
                     " status, version, source_event_id) VALUES (%s, %s, %s,"
                     " 'Trasporto sociale per gli anziani delle frazioni', '3', 'anziani', '{076052}', 'open', 1,"
                     " 'e3')", (slug, need, table))
        conn.execute("INSERT INTO accepted_proposals (origin, proposal_id, table_id, title, status, areas, need_ids,"
                     " estimated_cost, version, source_event_id) VALUES (%s, %s, %s,"
                     " 'Navetta sociale per le frazioni', 'accepted', '{3}', %s, 30000.00, 2, 'e4')",
                     (slug, proposal, table, [need]))
        conn.execute("INSERT INTO consultation_milestones (origin, milestone_id, year, phase, title, planned_start,"
                     " planned_end, status, version, source_event_id) VALUES (%s, %s, 2023, 'fase_2',"
                     " 'Realizzazione dei tavoli di lavoro tematici', '2023-04-01', '2023-05-31', 'done', 2, 'e5')",
                     (slug, uuid.uuid4()))
    return {"proposal": proposal}


@pytest.fixture
def plan(world):
    """A 2024-2026 draft: home care (area 3, FNA and FNPS, co-financed) and a poverty centre (area 4)."""
    made = replicas(world)
    plan_id = world.create_plan(2024).get_json()["id"]
    home = world.intervention(plan_id, "A3.1", area="3", title="Assistenza domiciliare anziani")
    centre = world.intervention(plan_id, "A4.2", area="4", title="Centro servizi per la povertà")
    with world.db() as conn:
        conn.execute("INSERT INTO intervention_proposals (intervention_id, proposal_id) VALUES (%s, %s)",
                     (home, made["proposal"]))
    world.allocate(home, "FNA", 2024, Decimal("42000.00"))
    world.allocate(home, "FNPS", 2025, Decimal("12000.33"))
    world.allocate(centre, "FP-SERVIZI", 2026, Decimal("64999.99"))
    world.cofinance(home, 2024, [("076042", 12500, "7901.79"), ("076052", 1500, "948.21")])
    return {"id": plan_id, "home": home, "total": Decimal("127850.32")}


def xlsx(world, plan_id, *roles, number=1):
    response = world.get(f"/plans/{plan_id}/versions/{number}/financial-tables.xlsx", *roles)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == XLSX
    assert response.headers["Content-Disposition"].startswith('attachment; filename="tabelle-finanziarie-')
    return response, openpyxl.load_workbook(io.BytesIO(response.data))


def euros(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def sheet_total(book, name, column) -> Decimal:
    """The sheet's total row, after checking that the rows above it add up to it."""
    rows = [[c.value for c in r] for r in book[name].iter_rows(min_row=2)]
    if name == "Per fondo":  # funds, their total, the comuni's co-financing, the plan's total
        lines = [r for r in rows[:-1] if r[1] != "Totale fondi"]
    else:
        lines = rows[:-1]
    assert sum((euros(r[column]) for r in lines), Decimal("0.00")) == euros(rows[-1][column])
    return euros(rows[-1][column])


def test_the_financial_tables_of_a_draft_are_live_and_of_an_adopted_version_frozen(world, plan):
    response, book = xlsx(world, plan["id"], "auditor")
    assert response.headers["X-Pdz-Live"] == "true"
    assert sheet_total(book, "Per area", 7) == sheet_total(book, "Per fondo", 6) == plan["total"]
    assert sheet_total(book, "Per anno", 3) == sheet_total(book, "Interventi", 12) == plan["total"]
    per_fund = {r[0].value: euros(r[6].value) for r in book["Per fondo"].iter_rows(min_row=2)}
    assert per_fund["FNA"] == Decimal("42000.00") and per_fund["COMUNI"] == Decimal("8850.00")
    texts = [c.value for s in book for r in s.iter_rows() for c in r if isinstance(c.value, str)]
    assert not any(t[:1] in "=+-@" for t in texts)

    assert world.move(plan["id"], 1, "adopt").status_code == 200
    snapshot = world.get(f"/plans/{plan['id']}/versions/1").get_json()["snapshot"]
    # Changed behind the API's back after adoption: the document shows the snapshot, not the tables.
    world.allocate(plan["home"], "FNA", 2024, Decimal("1.00"))
    response, book = xlsx(world, plan["id"], "coordinator")
    assert response.headers["X-Pdz-Live"] == "false"
    assert sheet_total(book, "Per area", 7) == Decimal(snapshot["totals"]["total"]) == plan["total"]
    by_area = {r[0].value: euros(r[7].value) for r in book["Per area"].iter_rows(min_row=2) if r[0].value}
    assert by_area == {a: Decimal(v["total"]) for a, v in snapshot["totals"]["by_area"].items()}


def test_the_piano_pdf_tells_the_ambito_the_participation_the_interventions_and_reconciles(world, plan):
    world.move(plan["id"], 1, "adopt")
    snapshot = world.get(f"/plans/{plan['id']}/versions/1").get_json()["snapshot"]
    response = world.get(f"/plans/{plan['id']}/versions/1/piano.pdf", "regional-admin")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Pdz-Live"] == "false"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert 'pdfaid:part="2"' in reader.xmp_metadata.stream.get_data().decode()
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    ambito = world.tenants.get(world.slug).name
    assert ambito in text and "Triennio 2024–2026" in text and "adottato dall'Ufficio di Piano" in text
    for expected in ("Indice", "Il territorio dell'Ambito", "Lauria", "14.000 abitanti", "Tavolo tematico anziani",
                     "Trasporto sociale per gli anziani delle frazioni", "Navetta sociale per le frazioni",
                     "A3.1 – Assistenza domiciliare anziani", "A4.2 – Centro servizi per la povertà",
                     "Il quadro finanziario", "Realizzazione dei tavoli di lavoro tematici", "Persone anziane"):
        assert expected in text, expected
    assert Decimal(snapshot["totals"]["total"]) == plan["total"] and money(plan["total"]) in text
    assert "REGIONE BASILICATA" in text.upper() and "Regione Regione" not in text
    for fund in snapshot["totals"]["by_fund"].values():
        assert money(Decimal(fund["total"])) in text


def test_who_reads_the_documents(world, plan):
    for path in ("financial-tables.xlsx", "piano.pdf"):
        url = f"/plans/{plan['id']}/versions/1/{path}"
        assert world.get(url, "stakeholder").status_code == 403
        problem(world.get(f"/plans/{plan['id']}/versions/9/{path}"), 404, "not-found")
        problem(world.get(f"/plans/{uuid.uuid4()}/versions/1/{path}"), 404, "not-found")
        # The other Ambito has no such plan.
        problem(world.get(url, tenant=world.other), 404, "not-found")
    assert world.get(f"/plans/{plan['id']}/versions/1/financial-tables.xlsx", "regional-reviewer").status_code == 200


def test_an_empty_draft_still_has_its_documents(world):
    plan_id = world.create_plan(2027).get_json()["id"]
    _, book = xlsx(world, plan_id)
    assert sheet_total(book, "Per area", 7) == Decimal("0.00")
    response = world.get(f"/plans/{plan_id}/versions/1/piano.pdf", "operator")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "Il piano non ha ancora interventi." in " ".join(text.split())


def test_the_consultation_replicas_written_as_the_consumer_writes_them_reach_the_piano(world, plan):
    """Table, need and milestone events projected and written by the consumer's writer (apply_rows) on the real
    database, an older version last: the newest stays, and the Piano shows it."""
    events = [table_event("updated", version=2, tenant=world.slug, title="Tavolo socio-educativo rinnovato"),
              need_event("updated", version=2, tenant=world.slug, title="Doposcuola nelle frazioni", status="closed"),
              milestone_event("updated", version=3, tenant=world.slug, year=2024, title="Tavoli di co-progettazione"),
              table_event("created", version=1, tenant=world.slug),
              need_event("recorded", version=1, tenant=world.slug)]
    with world.db() as conn:
        for event in events:
            apply_rows(conn, project(event))
        tables = conn.execute("SELECT title, version FROM consultation_tables WHERE table_id = %s",
                              (events[0].data["table_id"],)).fetchall()
        needs = conn.execute("SELECT title, status, comuni FROM consultation_needs WHERE need_id = %s",
                             (events[1].data["need_id"],)).fetchall()
    assert tables == [{"title": "Tavolo socio-educativo rinnovato", "version": 2}]
    assert needs == [{"title": "Doposcuola nelle frazioni", "status": "closed", "comuni": ["076042", "076097"]}]
    with world.db() as conn:  # a dict_row connection reads the same (the store does not depend on the row factory)
        _, html = service.piano_html(conn=conn, tenant=world.slug, plan_id=uuid.UUID(plan["id"]), number=1,
                                     ambito="Ambito", region_name=None, area_names={},
                                     generated_at=datetime.now(timezone.utc))
    assert "Tavolo socio-educativo rinnovato" in html and "Navetta sociale per le frazioni" in html
    response = world.get(f"/plans/{plan['id']}/versions/1/piano.pdf", "coordinator")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.data)).pages).split())
    for expected in ("Tavolo socio-educativo rinnovato", "Doposcuola nelle frazioni", "Tavoli di co-progettazione"):
        assert expected in text, expected


def test_a_revoked_share_takes_the_former_ambitos_tables_and_needs_out_of_the_piano(world):
    """services/budget/revoke.py knows the replicas of migration 011: a former Ambito's tables and needs go
    when it no longer shares them; the Ambito's own stay."""
    former = "former-" + uuid.uuid4().hex[:6]
    with world.db() as conn:
        for origin in (world.slug, former):
            conn.execute("INSERT INTO consultation_tables (origin, table_id, kind, title, status, version,"
                         " source_event_id) VALUES (%s, %s, 'thematic', %s, 'active', 1, 'e')",
                         (origin, uuid.uuid4(), f"Tavolo di {origin}"))
            conn.execute("INSERT INTO consultation_needs (origin, need_id, title, area, target_group, status,"
                         " version, source_event_id) VALUES (%s, %s, 'Bisogno', '3', 'anziani', 'open', 1, 'e')",
                         (origin, uuid.uuid4()))
    with psycopg.connect(world.tenants.url_for(world.tenants.get(world.slug), "budget")) as conn:  # as the command
        outcome = revoke(conn, tenant=world.slug, sharing=Sharing([]))
        left = conn.execute("SELECT origin FROM consultation_tables UNION ALL SELECT origin FROM consultation_needs"
                            ).fetchall()
    assert outcome.deleted == {"consultation_tables": 1, "consultation_needs": 1}
    assert left == [(world.slug,), (world.slug,)]
