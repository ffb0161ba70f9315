"""The consultation exports on the real PostgreSQL through the Flask test client: each file downloaded and read
back (csv with ';' and BOM, openpyxl), totals equal to the database's, filters, a round's results (stored on
first read after its closing time), attendance counted per table, session and organisation type, no
attendee's name in any file, formula-like stored text neutralised, the headers, and who may download."""
from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from shared.exports.cells import starts_formula

from shared.http.auth import mint_dev_token

from tests.integration.test_consultation_contributions_world import (KEY, need_body, proposal_body, table,  # noqa: F401
                                                                     world)
from tests.integration.test_consultation_rounds import expire, open_round, vote

HOSTILE = '=HYPERLINK("http://evil.example","clic")'
ATTENDEE = "Ersilia Quagliarulo-Esportata"
ROLE = "Presidente Ersilia"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = ("needs", "proposals", "attendance")


def read_csv(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(response) -> tuple[object, list[dict]]:
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.values)
    assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
    return sheet, [dict(zip(values[0], row)) for row in values[1:]]


def download(world, path, who=("aud", "auditor"), **kwargs):
    response = world.call("GET", f"/exports/{path}", *who, **kwargs)
    assert response.status_code == 200, (path, response.get_json())
    return response


@pytest.fixture
def filled(world, table):
    """Two tables; needs and proposals through the API (one hostile title, one on behalf); a decided proposal;
    a session with invitations, registrations and an attendance register naming someone."""
    comune = world.organisation("Comune di Lauria")
    world.sql("UPDATE organisations SET type = 'comune' WHERE organisation_id = %s", (comune,))
    world.member(table["id"], comune, "rep-c")
    other = world.table("Tavolo socio-sanitario", coordinator="coord-2")
    world.member(other, table["odv"], "rep-a")
    needs = []
    for who, table_id, organisation, extra in (
            (("rep-a", "stakeholder"), table["id"], table["odv"], {"title": HOSTILE}),
            (("op-1", "operator"), table["id"], table["aps"], {"on_behalf": True, "area": "5",
                                                               "target_group": "disabilita"}),
            (("rep-a", "stakeholder"), other, table["odv"], {"title": "Assistenza domiciliare"})):
        response = world.call("POST", "/needs", *who, json=need_body(table_id, organisation, **extra))
        assert response.status_code == 201, response.get_json()
        needs.append(response.get_json()["id"])
    proposals = []
    for who, organisation, need_ids, cost in ((("rep-a", "stakeholder"), table["odv"], needs[:2], "1234.56"),
                                              (("rep-b", "stakeholder"), table["aps"], needs[1:2], "0.07"),
                                              (("rep-c", "stakeholder"), comune, needs[:1], "18500")):
        response = world.call("POST", "/proposals", *who, json=proposal_body(
            table["id"], organisation, need_ids, estimated_cost=cost, deliverers=[str(comune)]))
        assert response.status_code == 201, response.get_json()
        proposals.append(response.get_json()["id"])
    world.sql("UPDATE proposals SET status = 'rejected', valuators = '{val-1}', answer = %s, decided_at = now()"
              " WHERE id = %s", ("+39 non finanziabile: fuori ambito", proposals[2]))
    session = world.session(table["id"])
    for organisation in (table["odv"], table["aps"], comune):
        world.sql("INSERT INTO session_invitations (id, session_id, organisation_id, invited_by)"
                  " VALUES (%s, %s, %s, 'op')", (uuid.uuid4(), session, organisation))
    for organisation, seats, status in ((table["odv"], 2, "registered"), (comune, 1, "registered"),
                                        (table["aps"], 3, "waiting")):
        world.sql("INSERT INTO session_registrations (id, session_id, organisation_id, seats, status, registered_by)"
                  " VALUES (%s, %s, %s, %s, %s, 'op')", (uuid.uuid4(), session, organisation, seats, status))
    for organisation, mode, name in ((table["odv"], "in_person", ATTENDEE), (table["odv"], "remote", "Ugo Neri"),
                                     (comune, "in_person", None)):
        world.sql("INSERT INTO attendance (id, session_id, organisation_id, mode, attendee_name, attendee_role,"
                  " recorded_by) VALUES (%s, %s, %s, %s, %s, %s, 'coord-1')",
                  (uuid.uuid4(), session, organisation, mode, name, ROLE if name else None))
    empty = world.session(other)
    return {**table, "comune": comune, "other": other, "needs": needs, "proposals": proposals, "session": session,
            "empty": empty}


def test_needs_in_italian_both_formats_with_the_databases_totals_and_filters(world, filled):
    response = download(world, "needs.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="bisogni-{world.slug}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    got = read_csv(response)
    assert len(got) == world.sql("SELECT count(*) AS n FROM needs")[0]["n"] == 3
    assert [r["ID bisogno"] for r in got] == filled["needs"]
    first, on_behalf = got[0], got[1]
    assert first["Titolo"] == "'" + HOSTILE and first["Tavolo"] == "Tavolo socio-assistenziale"
    assert first["Area tematica"] == "Persone anziane" and first["Area di utenza"] == "Anziani"
    assert first["Comuni"] == "Tutto l'Ambito" and first["Stato"] == "Aperto"
    assert first["Organizzazione"] == "ODV Amici del Pollino"
    assert on_behalf["Registrato dall'ufficio per l'organizzazione"] == "Sì"
    assert on_behalf["Area di utenza"] == "Disabilità"
    xlsx = download(world, "needs.xlsx")
    assert xlsx.headers["Content-Type"] == XLSX
    assert xlsx.headers["Content-Disposition"] == f'attachment; filename="bisogni-{world.slug}.xlsx"'
    sheet, rows = read_xlsx(xlsx)
    assert sheet.title == "Bisogni" and [r["ID bisogno"] for r in rows] == filled["needs"]
    assert rows[0]["Titolo"] == "'" + HOSTILE and sheet["H2"].data_type == "s"

    def ids(query):
        return [r["ID bisogno"] for r in read_csv(download(world, f"needs.csv?{query}"))]

    assert ids(f"table_id={filled['other']}") == filled["needs"][2:]
    assert ids("area=5") == [filled["needs"][1]] and ids("target_group=disabilita") == [filled["needs"][1]]
    assert ids("status=closed") == [] and len(ids("status=open")) == 3
    today = date.today()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    assert len(ids(f"from={yesterday}&to={tomorrow}")) == 3 and ids(f"to={yesterday}") == []
    assert ids(f"from={tomorrow}") == []
    refused = world.call("GET", f"/exports/needs.csv?from={tomorrow}&to={yesterday}", "aud", "auditor")
    assert refused.status_code == 422 and refused.headers["Content-Type"].startswith("application/problem+json")


def test_proposals_with_status_answer_and_exact_costs(world, filled):
    got = read_csv(download(world, "proposals.csv"))
    assert [r["ID proposta"] for r in got] == filled["proposals"]
    costs = [r["Costo stimato (euro)"] for r in got]
    assert costs == ["1234,56", "0,07", "18500,00"]
    total = world.sql("SELECT sum(estimated_cost) AS s FROM proposals")[0]["s"]
    assert sum(Decimal(c.replace(",", ".")) for c in costs) == total == Decimal("19734.63")
    first, rejected = got[0], got[2]
    assert first["Bisogni a cui risponde"] == f"'{HOSTILE}; Trasporto sociale"
    assert first["Aree tematiche"] == "Persone anziane; Disabilità" and first["Stato"] == "Presentata"
    assert first["Soggetti che potrebbero realizzarla"] == "Comune di Lauria"
    assert rejected["Stato"] == "Respinta" and rejected["Risposta motivata"] == "'+39 non finanziabile: fuori ambito"
    assert rejected["Data della decisione"] and not first["Data della decisione"]
    sheet, rows = read_xlsx(download(world, "proposals.xlsx"))
    assert sheet.title == "Proposte"
    cells = [sheet.cell(row=i, column=13) for i in (2, 3, 4)]
    assert all(c.data_type == "n" and c.number_format == "#,##0.00" for c in cells)
    assert [Decimal(format(c.value, ".15g")) for c in cells] == [Decimal("1234.56"), Decimal("0.07"), Decimal("18500")]
    assert [r["ID proposta"] for r in read_csv(download(world, "proposals.csv?status=rejected"))] == \
        filled["proposals"][2:]
    assert [r["ID proposta"] for r in read_csv(download(world, "proposals.csv?area=5"))] == filled["proposals"][:2]
    assert read_csv(download(world, f"proposals.csv?table_id={filled['other']}")) == []


def test_a_rounds_results_once_closed_stored_on_first_read_after_its_closing_time(world, filled):
    ranked = filled["proposals"][:2]
    round_ = open_round(world, filled, ranked)
    path = f"rounds/{round_['id']}/results"
    still_open = world.call("GET", f"/exports/{path}.csv", "aud", "auditor")
    assert still_open.status_code == 409 and still_open.get_json()["type"].endswith("/round-open")
    assert vote(world, round_["id"], filled["odv"], {ranked[0]: 3, ranked[1]: 7}).status_code == 201
    assert vote(world, round_["id"], filled["aps"], {ranked[1]: 10}, who=("rep-b", "stakeholder")).status_code == 201
    expire(world, round_["id"])
    response = download(world, f"{path}.csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="risultati-priorita-{world.slug}-{round_["id"]}.csv"')
    got = read_csv(response)
    stored = world.sql("SELECT rank, proposal_id::text AS id, points, organisations FROM round_results"
                       " WHERE round_id = %s ORDER BY rank", (round_["id"],))
    assert [(int(r["Posizione"]), r["ID proposta"], int(r["Punti"]), int(r["Organizzazioni che l'hanno votata"]))
            for r in got] == [(s["rank"], s["id"], s["points"], s["organisations"]) for s in stored]
    assert [r["ID proposta"] for r in got] == [ranked[1], ranked[0]] and got[0]["Punti"] == "17"
    assert got[0]["Organizzazione proponente"] == "APS Borghi Solidali"
    sheet, rows = read_xlsx(download(world, f"{path}.xlsx"))
    assert sheet.title == "Risultati della priorità" and [r["Punti"] for r in rows] == [17, 3]
    assert sheet.parent.properties.title == (
        f"Risultati della priorità — Priorità del tavolo 2026 — Ambito di prova {world.slug}")
    assert len(world.outbox("it.pdz.consultation.round.closed.v1")) == 1
    cancelled = open_round(world, filled, ranked)
    assert world.call("POST", f"/rounds/{cancelled['id']}/cancel", "op-1", "operator", json={},
                      headers={"If-Match": '"1"'}).status_code == 200
    refused = world.call("GET", f"/exports/rounds/{cancelled['id']}/results.xlsx", "op-1", "operator")
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("/round-cancelled")
    assert world.call("GET", f"/exports/rounds/{uuid.uuid4()}/results.csv", "aud", "auditor").status_code == 404


def test_attendance_counts_per_table_session_and_organisation_type_match_the_database(world, filled):
    got = read_csv(download(world, "attendance.csv"))
    mine = [r for r in got if r["Tavolo"] == "Tavolo socio-assistenziale"]
    assert [r["Tipologia di organizzazione"] for r in mine] == ["Comune", "Ente del Terzo settore"]
    count = {name: sum(int(r[name]) for r in mine) for name in (
        "Organizzazioni invitate", "Organizzazioni iscritte", "Posti prenotati", "Organizzazioni in lista d'attesa",
        "Organizzazioni presenti", "Partecipanti in presenza", "Partecipanti da remoto")}
    db = world.sql(
        "SELECT (SELECT count(*) FROM session_invitations WHERE session_id = %(s)s) AS invited,"
        " (SELECT count(*) FROM session_registrations WHERE session_id = %(s)s AND status = 'registered') AS reg,"
        " (SELECT sum(seats) FROM session_registrations WHERE session_id = %(s)s AND status = 'registered') AS seats,"
        " (SELECT count(*) FROM session_registrations WHERE session_id = %(s)s AND status = 'waiting') AS waiting,"
        " (SELECT count(DISTINCT organisation_id) FROM attendance WHERE session_id = %(s)s) AS present,"
        " (SELECT count(*) FROM attendance WHERE session_id = %(s)s AND mode = 'in_person') AS in_person,"
        " (SELECT count(*) FROM attendance WHERE session_id = %(s)s AND mode = 'remote') AS remote",
        {"s": filled["session"]})[0]
    assert list(count.values()) == [db["invited"], db["reg"], db["seats"], db["waiting"], db["present"],
                                    db["in_person"], db["remote"]] == [3, 2, 3, 1, 2, 2, 1]
    ets = mine[1]
    assert (ets["Organizzazioni presenti"], ets["Partecipanti in presenza"], ets["Partecipanti da remoto"]) == \
        ("1", "1", "1")
    assert mine[0]["Data e ora"] == "14/04/2026 10:00" and mine[0]["Tipo di tavolo"] == "Tavolo tematico"
    [empty] = [r for r in got if r["Tavolo"] == "Tavolo socio-sanitario"]
    assert empty["Tipologia di organizzazione"] == "" and empty["Organizzazioni invitate"] == "0"
    assert {r["Tavolo"] for r in read_csv(download(world, f"attendance.csv?table_id={filled['other']}"))} == \
        {"Tavolo socio-sanitario"}
    assert read_csv(download(world, "attendance.csv?from=2026-04-15")) == []
    assert len(read_csv(download(world, "attendance.csv?area=3&status=scheduled"))) == 3
    assert read_csv(download(world, "attendance.csv?area=4")) == []
    assert read_csv(download(world, "attendance.csv?status=held")) == []
    assert len(read_csv(download(world, "attendance.csv?from=2026-04-14&to=2026-04-14"))) == 3
    sheet, rows = read_xlsx(download(world, "attendance.xlsx"))
    assert sheet.title == "Presenze" and sum(r["Partecipanti in presenza"] for r in rows) == 2


def test_no_attendees_name_in_any_export_and_no_formula_anywhere(world, filled):
    assert world.sql("SELECT count(*) AS n FROM attendance WHERE attendee_name = %s", (ATTENDEE,))[0]["n"] == 1
    round_ = open_round(world, filled, filled["proposals"][:2])
    expire(world, round_["id"])
    for name in (*FILES, f"rounds/{round_['id']}/results"):
        text = download(world, f"{name}.csv").get_data().decode("utf-8-sig")
        assert "Ersilia" not in text and "Quagliarulo" not in text and "Ugo Neri" not in text, name
        assert not any(starts_formula(cell) for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")
                       for cell in row), name
        body = download(world, f"{name}.xlsx").get_data()
        archive = zipfile.ZipFile(io.BytesIO(body))
        everything = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        assert "Ersilia" not in everything and "Quagliarulo" not in everything, name
        for row in load_workbook(io.BytesIO(body)).active.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and not (isinstance(cell.value, str) and starts_formula(cell.value))


@pytest.mark.parametrize("name", [*FILES, "rounds/{round}/results"])
def test_who_may_download(world, filled, name):
    round_ = open_round(world, filled, filled["proposals"][:2])
    expire(world, round_["id"])
    for fmt in ("csv", "xlsx"):
        path = f"/exports/{name.format(round=round_['id'])}.{fmt}"
        for who in (("op-1", "operator"), ("coord-9", "coordinator"), ("aud", "auditor"), ("rep-z", "stakeholder"),
                    ("region", "regional-admin")):
            assert world.call("GET", path, *who).status_code == 200, (path, who)
        assert world.client.get(f"/v1/{world.slug}{path}").status_code == 401
        # An operator of the other Ambito holds no role in this one.
        token = mint_dev_token(key=KEY, subject="op-2", roles=["operator"], tenants=[world.other])
        elsewhere = world.client.get(f"/v1/{world.slug}{path}", headers={"Authorization": f"Bearer {token}"})
        assert elsewhere.status_code == 403, path
