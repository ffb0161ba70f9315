"""Questionnaire results on the real PostgreSQL through the Flask test client: who reads them, figures per
question, free texts named only with the organisation's consent (results, answer sets read by the office,
CSV and XLSX exports), formula-like answers neutralised in the files, and the events naming nobody."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.integration.test_consultation_questionnaires import answers, opened, table, world  # noqa: F401

HOSTILE = "=HYPERLINK(\"http://evil.example\",\"clic\")"


def answered(world, table):
    """An open questionnaire answered by the three members: the ODV agrees to be named, the others do not."""
    q = opened(world, table)
    path = f"/questionnaires/{q['id']}/answers"
    given = [(table["odv"], "rep-a", dict(choice=0, choices=(0, 1), value=5, number="10", text=HOSTILE), True),
             (table["aps"], "rep-b", dict(choice=0, choices=(1,), value=4, number="7", text="+39 chiamate"), False),
             (table["coop"], "rep-c", dict(choice=1, choices=(2,), value=4, number="8"), False)]
    for organisation, rep, values, consent in given:
        response = world.call("PUT", f"{path}/{organisation}", rep, "stakeholder",
                              json={"answers": answers(**values), "may_publish_name": consent})
        assert response.status_code == 201, response.get_json()
    return q


def test_results_per_question_for_the_office_auditors_and_the_region(world, table):
    q = answered(world, table)
    path = f"/questionnaires/{q['id']}/results"
    for who in (("op-1", "operator"), ("coord-1", "coordinator"), ("a", "auditor"), ("r", "regional-admin")):
        response = world.call("GET", path, *who)
        assert response.status_code == 200, (who, response.get_json())
    assert world.call("GET", path, "coord-9", "coordinator").status_code == 403
    assert world.call("GET", path, "rep-a", "stakeholder").get_json()["type"].endswith("/forbidden")
    results = world.call("GET", path, "a", "auditor").get_json()
    single, multiple, scale, number, text = results["questions"]
    assert results["respondents"] == 3 and results["status"] == "open"
    assert [o["count"] for o in single["options"]] == [2, 1, 0]
    assert [o["count"] for o in multiple["options"]] == [1, 2, 1] and multiple["answered"] == 3
    assert [p["count"] for p in scale["distribution"]] == [0, 0, 0, 2, 1]
    assert scale["mean"] == "4.33" and scale["distribution"][0]["label"] == "Per nulla"
    assert (number["min"], number["max"], number["mean"], number["median"]) == ("7", "10", "8.33", "8")
    # Sorted by text; only the ODV agreed to be named with its words.
    assert text["texts"] == [
        {"text": "+39 chiamate", "organisation_id": None, "organisation_name": None},
        {"text": HOSTILE, "organisation_id": str(table["odv"]), "organisation_name": "ODV Amici del Pollino"}]
    respondents = world.call("GET", f"/questionnaires/{q['id']}/answers?limit=2", "op-1", "operator").get_json()
    assert [r["organisation_name"] for r in respondents["items"]] == ["ODV Amici del Pollino", "APS Borghi Solidali"]
    rest = world.call("GET", f"/questionnaires/{q['id']}/answers?after={respondents['next_cursor']}", "a",
                      "auditor").get_json()
    assert [r["organisation_name"] for r in rest["items"]] == ["Cooperativa Il Sentiero"]
    assert "answers" not in rest["items"][0]
    assert world.call("GET", f"/questionnaires/{q['id']}/answers", "rep-a", "stakeholder").status_code == 403


def test_the_office_reads_an_answer_set_without_free_text_unless_consent(world, table):
    q = answered(world, table)
    path = f"/questionnaires/{q['id']}/answers"
    aps = world.call("GET", f"{path}/{table['aps']}", "coord-1", "coordinator").get_json()
    assert aps["texts_withheld"] is True and aps["answers"][4] == {"question": 5, "text": None}
    assert aps["answers"][0] == {"question": 1, "choice": 0}
    odv = world.call("GET", f"{path}/{table['odv']}", "op-1", "operator").get_json()
    assert odv["texts_withheld"] is False and odv["answers"][4]["text"] == HOSTILE
    own = world.call("GET", f"{path}/{table['aps']}", "rep-b", "stakeholder").get_json()
    assert own["texts_withheld"] is False and own["answers"][4]["text"] == "+39 chiamate"
    assert world.call("GET", f"{path}/{table['aps']}", "rep-a", "stakeholder").status_code == 403
    assert world.call("GET", f"{path}/{table['aps']}", "coord-9", "coordinator").status_code == 403
    missing = world.organisation("Associazione Silenziosa")
    assert world.call("GET", f"{path}/{missing}", "op-1", "operator").status_code == 404


def test_withdrawing_consent_takes_the_name_away(world, table):
    q = answered(world, table)
    changed = world.call("PUT", f"/questionnaires/{q['id']}/answers/{table['odv']}", "rep-a", "stakeholder",
                         json={"answers": answers(text=HOSTILE), "may_publish_name": False},
                         headers={"If-Match": '"1"'})
    assert changed.status_code == 200
    texts = world.call("GET", f"/questionnaires/{q['id']}/results", "op-1", "operator").get_json()["questions"][4]
    assert all(t["organisation_name"] is None and t["organisation_id"] is None for t in texts["texts"])


def test_exports_are_italian_neutralise_formulas_and_name_only_with_consent(world, table):
    q = answered(world, table)
    response = world.call("GET", f"/questionnaires/{q['id']}/results.csv", "a", "auditor")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="questionario-{q["id"]}.csv"'
    assert response.data.startswith("\ufeff".encode())
    table_ = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert table_[0][:4] == ["N. domanda", "Domanda", "Tipo di domanda", "Voce"]
    texts = [(r[5], r[6]) for r in table_ if r[3] == "Risposta"]
    assert texts == [("'+39 chiamate", ""), ("'" + HOSTILE, "ODV Amici del Pollino")]
    assert ["3", "Quanto è accessibile la rete?", "Scala", "Media", "3", "4,33", ""] in table_
    plain = response.data.decode("utf-8-sig")
    assert "APS Borghi Solidali" not in plain and "Cooperativa Il Sentiero" not in plain
    for row in table_[1:]:
        assert all(value[:1] not in ("=", "+", "@") for value in row), row
    xlsx = world.call("GET", f"/questionnaires/{q['id']}/results.xlsx", "r", "regional-admin")
    assert xlsx.status_code == 200 and xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ["Organizzazioni che hanno risposto", 3] + [None] * 5
    assert ["'" + HOSTILE, "ODV Amici del Pollino"] in [r[5:7] for r in values]
    assert not any("APS Borghi Solidali" in str(v) for row in values for v in row)
    assert world.call("GET", f"/questionnaires/{q['id']}/results.xlsx", "rep-a", "stakeholder").status_code == 403


def test_events_carry_no_answer_no_title_no_name(world, table):
    q = answered(world, table)
    closed = world.call("POST", f"/questionnaires/{q['id']}/close", "op-1", "operator",
                        headers={"If-Match": f'"{q["version"]}"'})
    assert closed.status_code == 200
    events = [e for e in world.outbox() if ".questionnaire." in e["type"]]
    assert [e["type"].rsplit(".", 2)[1] for e in events] == ["created", "opened", "answered", "answered", "answered",
                                                             "closed"]
    assert events[-1]["data"]["answer_sets_count"] == 3
    assert {e["subject"] for e in events} == {q["id"]}
    text = str([e["data"] for e in events])
    for secret in ("HYPERLINK", "chiamate", "Rilevazione", "Pollino", "Borghi", "rep-a", "coord-1", "op-1"):
        assert secret not in text, secret
