"""Progress of interventions on the real PostgreSQL: one quarter through the API, and CSV/XLSX uploads all or nothing.

What an upload refused is checked from a second connection of its own (not the app's pool): no progress row,
no changed intervention, no event was left behind by the rows that were valid.
"""
from __future__ import annotations

import io
import uuid
from datetime import datetime

import psycopg
from openpyxl import Workbook

from tests.contract.catalogue import assert_valid_event
from tests.integration.test_budget_intervention_world import body, world  # noqa: F401

RECORDED = "it.pdz.budget.intervention.progress_recorded.v1"


def intervention(world, plan_id, code="A3.2", **overrides) -> dict:
    response = world.call("POST", f"/plans/{plan_id}/interventions", json=body(code=code, **overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def record(world, intervention_id, **fields):
    payload = {"year": 2025, "quarter": 1, "status": "active", "percentage": "10", "outputs": {},
               "actual_start": "2025-02-03", **fields}
    return world.call("POST", f"/interventions/{intervention_id}/progress", json=payload)


def upload(world, plan_id, content: bytes, name="avanzamento.csv"):
    return world.call("POST", f"/plans/{plan_id}/progress", data={"file": (io.BytesIO(content), name)},
                      content_type="multipart/form-data")


def snapshot(world) -> tuple:
    """What a second connection sees: progress rows, interventions' versions and statuses, progress events."""
    with psycopg.connect(world.url()) as conn:
        progress = conn.execute("SELECT intervention_id, year, quarter, percentage, revision FROM intervention_progress"
                                " ORDER BY 1, 2, 3").fetchall()
        interventions = conn.execute("SELECT id, version, status, actual_start FROM interventions ORDER BY seq").fetchall()
        events = conn.execute("SELECT count(*) FROM outbox WHERE type = %s", (RECORDED,)).fetchone()[0]
    return progress, interventions, events


def test_a_quarter_recorded_moves_the_intervention_and_a_correction_replaces_it(world):
    plan_id = world.plan()
    item = intervention(world, plan_id)
    first = record(world, item["id"], outputs={"utenti serviti": 42, "ore erogate": "120.5"}, percentage=37.5)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["percentage"] == "37.50" and first.get_json()["period"] == "2025-Q1"
    assert first.get_json()["outputs"] == {"utenti serviti": "42", "ore erogate": "120.5"}
    now = world.call("GET", f"/interventions/{item['id']}").get_json()
    assert (now["status"], now["actual_start"], now["version"]) == ("active", "2025-02-03", 2)
    assert now["progress"] == {"year": 2025, "quarter": 1, "status": "active", "percentage": "37.50"}
    # A later quarter, then a correction of the earlier one: the latest quarter keeps the status.
    assert record(world, item["id"], quarter=2, status="suspended", percentage="40").status_code == 201
    corrected = record(world, item["id"], quarter=1, percentage="35")
    assert corrected.status_code == 200 and corrected.get_json()["revision"] == 2
    now = world.call("GET", f"/interventions/{item['id']}").get_json()
    assert now["status"] == "suspended" and now["progress"]["percentage"] == "40.00"
    listed = world.call("GET", f"/interventions/{item['id']}/progress", "auditor").get_json()["items"]
    assert [(r["period"], r["percentage"], r["revision"]) for r in listed] == [("2025-Q1", "35.00", 2),
                                                                              ("2025-Q2", "40.00", 1)]
    events = world.outbox(RECORDED)
    assert len(events) == 3
    for event in events:
        assert_valid_event(RECORDED, event)
        assert "note" not in event["progress"]
    assert events[0]["progress"]["outputs"] == {"utenti serviti": "42", "ore erogate": "120.5"}
    assert events[-1]["progress"]["revision"] == 2 and events[-1]["status"] == "suspended"


def test_monitoring_goes_on_after_adoption_and_its_rules_name_the_field(world):
    plan_id = world.plan()
    item = intervention(world, plan_id)
    world.set_state(plan_id, "approved")
    cases = [({"status": "completed", "percentage": "80"}, "percentage"),
             ({"status": "planned", "percentage": "5", "actual_start": None}, "status"),
             ({"actual_start": None}, "actual_start"),
             ({"year": 2023}, "year"),
             ({"year": 2099, "quarter": 4}, "quarter"),
             ({"actual_start": "2025-04-01"}, "actual_start"),
             ({"percentage": "100.5"}, "percentage"),
             ({"percentage": "12.345"}, "percentage"),
             ({"outputs": {"utenti serviti": -3}}, "outputs.utenti serviti")]
    for fields, field in cases:
        response = record(world, item["id"], **fields)
        assert response.status_code == 422, (fields, response.get_json())
        assert field in [e["field"] for e in response.get_json()["errors"]], (fields, response.get_json())
    assert snapshot(world)[0] == []
    done = record(world, item["id"], status="completed", percentage="100")
    assert done.status_code == 201, done.get_json()
    cancelled = world.call("PATCH", f"/interventions/{item['id']}", json={"status": "cancelled"},
                           headers={"If-Match": '"2"'})
    assert cancelled.status_code == 200, cancelled.get_json()
    reopened = record(world, item["id"], quarter=2, status="active", percentage="50")
    assert reopened.status_code == 409 and reopened.get_json()["type"].endswith("/intervention-cancelled")
    auditor = world.call("POST", f"/interventions/{item['id']}/progress", "auditor",
                         json={"year": 2025, "quarter": 1, "status": "active", "percentage": "1"})
    assert auditor.status_code == 403


CSV_OK = ("\ufeffcodice;anno;trimestre;stato;percentuale;avvio_effettivo;indicatore: utenti serviti;note\r\n"
          "A1;2025;1;in corso;12,5;03/02/2025;40;primo trimestre\r\n"
          "A1;2025;Q2;In corso;30;;55;\r\n"
          "\r\n"
          "A2;2025;T1;programmato;0;;;\r\n")


def test_a_csv_upload_applies_every_row_in_one_go(world):
    plan_id = world.plan()
    a1, a2 = intervention(world, plan_id, "A1"), intervention(world, plan_id, "A2")
    response = upload(world, plan_id, CSV_OK.encode("utf-8"))
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert (result["applied"], result["created"], result["replaced"]) == (3, 3, 0)
    assert [(r["line"], r["code"], r["period"]) for r in result["rows"]] == [(2, "A1", "2025-Q1"),
                                                                             (3, "A1", "2025-Q2"),
                                                                             (5, "A2", "2025-Q1")]
    records = world.call("GET", f"/interventions/{a1['id']}/progress").get_json()["items"]
    assert [(r["percentage"], r["outputs"], r["source"]) for r in records] == [
        ("12.50", {"utenti serviti": "40"}, "upload"), ("30.00", {"utenti serviti": "55"}, "upload")]
    assert records[0]["note"] == "primo trimestre" and records[0]["actual_start"] == "2025-02-03"
    assert world.call("GET", f"/interventions/{a1['id']}").get_json()["status"] == "active"
    assert world.call("GET", f"/interventions/{a2['id']}").get_json()["status"] == "planned"
    assert len(world.outbox(RECORDED)) == 3
    # The same file again corrects the same quarters: revision 2, nothing added.
    again = upload(world, plan_id, CSV_OK.encode("utf-8")).get_json()
    assert (again["created"], again["replaced"]) == (0, 3)


def test_one_bad_row_and_nothing_is_applied(world):
    plan_id = world.plan()
    intervention(world, plan_id, "A1")
    intervention(world, plan_id, "A2")
    cancelled = intervention(world, plan_id, "A3")
    assert world.call("PATCH", f"/interventions/{cancelled['id']}", json={"status": "cancelled"},
                      headers={"If-Match": '"1"'}).status_code == 200
    before = snapshot(world)
    content = ("codice;anno;trimestre;stato;percentuale;avvio_effettivo\n"
               "A1;2025;1;in corso;10;2025-01-15\n"        # valid, and applied before the bad rows are met
               "A2;2025;1;concluso;80;2025-01-15\n"        # completed at 80 %
               "A9;2025;1;in corso;10;2025-01-15\n"        # no such code in the plan
               "A1;2025;1;in corso;15;2025-01-15\n"        # the same quarter twice in the file
               "A2;2025;5;in corso;10;2025-01-15\n"        # no fifth quarter
               "A2;2025;2;in corso;dieci;2025-01-15\n"     # not a number
               "A3;2025;1;in corso;10;2025-01-15\n")       # a cancelled intervention is not reopened
    response = upload(world, plan_id, content.encode("utf-8"))
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert problem["type"].endswith("/rows-refused")
    assert [row["line"] for row in problem["rows"]] == [3, 4, 5, 6, 7, 8]
    reasons = {row["line"]: row["reason"] for row in problem["rows"]}
    assert "100" in reasons[3] and "A9" in reasons[4] and "riga 2" in reasons[5]
    assert "trimestre" in reasons[6] and "percentuale" in reasons[7] and "annullato" in reasons[8]
    assert "6 righe rifiutate su 7" in problem["detail"]
    assert snapshot(world) == before   # from a second connection: not one row half-written


def test_an_xlsx_upload_reads_dates_numbers_and_percent_cells(world):
    plan_id = world.plan()
    item = intervention(world, plan_id, "A1")
    book = Workbook()
    sheet = book.active
    sheet.append(["Codice", "Anno", "Trimestre", "Stato", "Percentuale", "Avvio effettivo", "Indicatore: utenti serviti"])
    sheet.append(["A1", 2025, 1, "in corso", 0.375, datetime(2025, 2, 3), 42])
    sheet["E2"].number_format = "0.0%"
    sheet.append(["A1", 2025, 2, "concluso", 100, None, 61.5])
    stream = io.BytesIO()
    book.save(stream)
    response = upload(world, plan_id, stream.getvalue(), name="avanzamento.xlsx")
    assert response.status_code == 200, response.get_json()
    records = world.call("GET", f"/interventions/{item['id']}/progress").get_json()["items"]
    assert [(r["percentage"], r["outputs"]) for r in records] == [("37.50", {"utenti serviti": "42"}),
                                                                  ("100.00", {"utenti serviti": "61.5"})]
    assert world.call("GET", f"/interventions/{item['id']}").get_json()["status"] == "completed"


def test_a_file_that_is_not_a_table_is_refused_naming_the_file(world):
    plan_id = world.plan()
    for content in (b"", "codice;anno\n".encode("utf-16"), b"PK\x03\x04 not a workbook", b"codice;anno;trimestre\n"):
        response = upload(world, plan_id, content)
        assert response.status_code == 422, response.get_json()
        assert [e["field"] for e in response.get_json()["errors"]] == ["file"], response.get_json()
    header_only = upload(world, plan_id, "codice;anno;colore\nA1;2025;rosso\n".encode())
    assert header_only.status_code == 422 and header_only.get_json()["rows"][0]["line"] == 1
    assert "colore" in header_only.get_json()["rows"][0]["reason"]
    assert upload(world, uuid.uuid4(), CSV_OK.encode()).status_code == 404
