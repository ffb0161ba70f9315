"""The cronoprogramma API on the real PostgreSQL through the Flask test client: /timeline, milestones, template."""
import threading
import uuid
from datetime import timedelta

import psycopg
import pytest

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.consultation.app import create_app
from services.consultation.timeline.service import today
from tests.contract.catalogue import assert_valid_event

KEY = "consultation-timeline-key-" + "t" * 32
READERS = ("operator", "coordinator", "stakeholder", "auditor", "regional-admin")


class Api:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    def headers(self, role="operator", tenant=None, **extra):
        tenant = tenant or self.slug
        token = mint_dev_token(key=KEY, subject=f"{role}-account", roles=[role],
                               tenants=[] if role == "regional-admin" else [tenant])
        return {"Authorization": f"Bearer {token}", **extra}

    def call(self, method, path, role="operator", tenant=None, json=None, **extra):
        return self.client.open(f"/v1/{tenant or self.slug}{path}", method=method, json=json,
                                headers=self.headers(role, tenant, **extra))

    def db(self, tenant=None):
        return psycopg.connect(self.tenants.url_for(self.tenants.get(tenant or self.slug), "consultation"))

    def outbox(self):
        with self.db() as conn:
            return conn.execute("SELECT type, tenant, subject, data FROM outbox ORDER BY id").fetchall()

    def milestones(self):
        with self.db() as conn:
            return conn.execute("SELECT count(*) FROM timeline_milestones").fetchone()[0]


@pytest.fixture
def api(tenants, settings, tmp_path):
    return Api(tenants, settings, tmp_path / "tenants.yaml")


MILESTONE = {"phase": "fase_2", "title": "Tavolo socio-educativo: prima sessione", "note": "Sala consiliare",
             "planned_start": "2026-04-01", "planned_end": "2026-04-30"}


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_the_operator_plans_a_milestone_once_per_key_and_its_event_carries_no_note(api):
    first = api.call("POST", "/timeline/milestones", json=MILESTONE, **{"Idempotency-Key": "m-1"})
    body = ok(first, 201)
    assert first.headers["ETag"] == '"1"'
    assert (body["year"], body["phase"], body["phase_number"], body["status"], body["version"]) == \
        (2026, "fase_2", 2, "planned", 1)
    assert body["phase_title"].startswith("FASE 2") and body["actual_start"] is None and body["template_key"] is None
    again = api.call("POST", "/timeline/milestones", json=MILESTONE, **{"Idempotency-Key": "m-1"})
    assert ok(again, 201)["id"] == body["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert api.milestones() == 1
    [(type_, tenant, subject, data)] = api.outbox()
    assert (type_, tenant, subject) == ("it.pdz.consultation.milestone.planned.v1", api.slug, body["id"])
    assert_valid_event(type_, data)
    assert "Sala consiliare" not in str(data)


def test_every_role_of_the_ambito_reads_and_only_the_operator_writes(api):
    created = ok(api.call("POST", "/timeline/milestones", json=MILESTONE), 201)
    for role in READERS:
        assert ok(api.call("GET", f"/timeline/milestones/{created['id']}", role))["id"] == created["id"], role
        assert ok(api.call("GET", "/timeline?year=2026", role))["milestones"] == 1, role
        assert ok(api.call("GET", "/timeline/milestones", role))["items"][0]["id"] == created["id"], role
    for role in ("coordinator", "stakeholder", "auditor", "regional-admin"):
        assert api.call("POST", "/timeline/milestones", role, json=MILESTONE).status_code == 403, role
        assert api.call("POST", "/timeline/template", role, json={"year": 2027}).status_code == 403, role
        refused = api.call("PATCH", f"/timeline/milestones/{created['id']}", role, json={"title": "Altro"},
                           **{"If-Match": '"1"'})
        assert refused.status_code == 403, role
    assert api.milestones() == 1 and len(api.outbox()) == 1
    # Another Ambito's operator neither reads nor writes here, and sees nothing of it at home.
    assert api.client.get(f"/v1/{api.slug}/timeline", headers=api.headers(tenant=api.other)).status_code == 403
    assert ok(api.call("GET", "/timeline/milestones", tenant=api.other))["items"] == []
    assert api.call("GET", f"/timeline/milestones/{created['id']}", tenant=api.other).status_code == 404


def test_updates_need_the_current_etag_and_record_actual_days(api):
    created = ok(api.call("POST", "/timeline/milestones", json={
        **MILESTONE, "planned_start": (today() - timedelta(days=20)).isoformat(),
        "planned_end": (today() + timedelta(days=10)).isoformat()}), 201)
    path = f"/timeline/milestones/{created['id']}"
    assert api.call("PATCH", path, json={"status": "in_progress"}).status_code == 428
    stale = api.call("PATCH", path, json={"status": "in_progress"}, **{"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == '"1"'
    started = api.call("PATCH", path, json={"status": "in_progress"}, **{"If-Match": '"1"'})
    assert ok(started)["actual_start"] == today().isoformat() and started.headers["ETag"] == '"2"'
    future = api.call("PATCH", path, json={"status": "done", "actual_end": (today() + timedelta(days=1)).isoformat()},
                      **{"If-Match": '"2"'})
    assert future.status_code == 422 and [e["field"] for e in future.get_json()["errors"]] == ["actual_end"]
    done = ok(api.call("PATCH", path, json={"status": "done"}, **{"If-Match": '"2"'}))
    assert (done["status"], done["actual_end"], done["late"], done["version"]) == \
        ("done", today().isoformat(), False, 3)
    refused = api.call("PATCH", path, json={"status": "cancelled"}, **{"If-Match": '"3"'})
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("/milestone-state")
    # Nothing changed: no new version, no event.
    assert ok(api.call("PATCH", path, json={"title": MILESTONE["title"]}, **{"If-Match": '"3"'}))["version"] == 3
    types = [(t, d.get("changed")) for t, _, _, d in api.outbox()]
    assert types == [("it.pdz.consultation.milestone.planned.v1", None),
                     ("it.pdz.consultation.milestone.updated.v1", ["actual_start", "status"]),
                     ("it.pdz.consultation.milestone.updated.v1", ["actual_end", "status"])]
    for type_, _, _, data in api.outbox():
        assert_valid_event(type_, data)


def test_late_milestones_are_flagged_with_their_days(api):
    end = today() - timedelta(days=12)
    late = ok(api.call("POST", "/timeline/milestones", json={
        **MILESTONE, "planned_start": (end - timedelta(days=30)).isoformat(), "planned_end": end.isoformat()}), 201)
    in_time = ok(api.call("POST", "/timeline/milestones", json={
        **MILESTONE, "planned_start": today().isoformat(), "planned_end": today().isoformat()}), 201)
    assert (late["late"], late["days_late"], late["effective_status"], late["status_label"]) == \
        (True, 12, "late", "in ritardo")
    assert (in_time["late"], in_time["days_late"], in_time["effective_status"]) == (False, 0, "planned")
    assert [m["id"] for m in ok(api.call("GET", "/timeline/milestones?late=true", "auditor"))["items"]] == [late["id"]]
    assert [m["id"] for m in ok(api.call("GET", "/timeline/milestones?late=false", "auditor"))["items"]] == \
        [in_time["id"]]
    # Finished, even late: no longer late.
    done = ok(api.call("PATCH", f"/timeline/milestones/{late['id']}", json={"status": "done"}, **{"If-Match": '"1"'}))
    assert (done["late"], done["days_late"], done["effective_status"]) == (False, 0, "done")
    assert ok(api.call("GET", "/timeline/milestones?late=true", "auditor"))["items"] == []


def test_the_template_is_instantiated_once_per_year(api):
    first = ok(api.call("POST", "/timeline/template", json={"year": 2027}), 201)
    assert first["created"] == 6 and len(first["items"]) == 6
    again = ok(api.call("POST", "/timeline/template", json={"year": 2027}), 200)
    assert again["created"] == 0 and {m["id"] for m in again["items"]} == {m["id"] for m in first["items"]}
    assert api.milestones() == 6 and len(api.outbox()) == 6
    for type_, _, _, data in api.outbox():
        assert type_ == "it.pdz.consultation.milestone.planned.v1" and data["year"] == 2027
        assert_valid_event(type_, data)
    timeline = ok(api.call("GET", "/timeline?year=2027", "stakeholder"))
    phases = {p["phase"]: p for p in timeline["phases"]}
    assert [p["phase"] for p in timeline["phases"]] == ["fase_1", "fase_2", "fase_3", "approvazione", "monitoraggio"]
    assert timeline["milestones"] == 6 and phases["monitoraggio"]["milestones"] == []
    assert (phases["fase_3"]["planned_start"], phases["fase_3"]["planned_end"]) == ("2027-06-01", "2027-08-31")
    assert [m["template_key"] for m in phases["approvazione"]["milestones"]] == ["supervisione_regionale",
                                                                                 "approvazione"]
    assert ok(api.call("GET", "/timeline?year=2028"))["milestones"] == 0


def test_a_cancelled_template_milestone_is_not_recreated(api):
    items = ok(api.call("POST", "/timeline/template", json={"year": 2028}), 201)["items"]
    asl = next(m for m in items if m["template_key"] == "intesa_asl")
    ok(api.call("PATCH", f"/timeline/milestones/{asl['id']}", json={"status": "cancelled"}, **{"If-Match": '"1"'}))
    again = ok(api.call("POST", "/timeline/template", json={"year": 2028}), 200)
    assert [m["status"] for m in again["items"] if m["template_key"] == "intesa_asl"] == ["cancelled"]


def test_a_milestone_names_a_table_of_this_ambito(api):
    unknown = api.call("POST", "/timeline/milestones", json={**MILESTONE, "table_id": str(uuid.uuid4())})
    assert unknown.status_code == 422 and [e["field"] for e in unknown.get_json()["errors"]] == ["table_id"]
    table_id = uuid.uuid4()
    with api.db() as conn:
        conn.execute("INSERT INTO consultation_tables (id, kind, title, created_by) VALUES (%s, 'thematic',"
                     " 'Tavolo socio-sanitario', 'test')", (table_id,))
    created = ok(api.call("POST", "/timeline/milestones", json={**MILESTONE, "table_id": str(table_id)}), 201)
    ok(api.call("POST", "/timeline/milestones", json=MILESTONE), 201)
    listed = ok(api.call("GET", f"/timeline/milestones?table_id={table_id}", "coordinator"))["items"]
    assert [m["id"] for m in listed] == [created["id"]] and listed[0]["table_id"] == str(table_id)
    detached = ok(api.call("PATCH", f"/timeline/milestones/{created['id']}", json={"table_id": None},
                           **{"If-Match": '"1"'}))
    assert detached["table_id"] is None


def test_filters_cursor_and_bad_input(api):
    for phase, start in (("fase_1", "2026-02-01"), ("fase_2", "2026-04-01"), ("fase_3", "2026-06-01")):
        ok(api.call("POST", "/timeline/milestones", json={**MILESTONE, "phase": phase, "planned_start": start,
                                                          "planned_end": start}), 201)
    ok(api.call("POST", "/timeline/milestones", json={**MILESTONE, "year": 2027}), 201)
    first = ok(api.call("GET", "/timeline/milestones?year=2026&limit=2"))
    second = ok(api.call("GET", f"/timeline/milestones?year=2026&limit=2&after={first['next_cursor']}"))
    assert [m["phase"] for m in first["items"] + second["items"]] == ["fase_1", "fase_2", "fase_3"]
    assert second["next_cursor"] is None
    assert [m["year"] for m in ok(api.call("GET", "/timeline/milestones?phase=fase_2"))["items"]] == [2026, 2027]
    assert [m["year"] for m in ok(api.call("GET", "/timeline/milestones?phase=fase_2&year=2027"))["items"]] == [2027]
    assert ok(api.call("GET", "/timeline/milestones?status=done"))["items"] == []
    for bad, field in (({**MILESTONE, "planned_end": "2026-03-01"}, "planned_end"),
                       ({**MILESTONE, "phase": "fase_9"}, "phase"), ({**MILESTONE, "title": "   "}, "title"),
                       ({**MILESTONE, "year": 1999}, "year")):
        refused = api.call("POST", "/timeline/milestones", json=bad)
        assert refused.status_code == 422 and field in [e["field"] for e in refused.get_json()["errors"]], bad
    assert api.call("POST", "/timeline/template", json={"year": 2101}).status_code == 422
    assert api.milestones() == 4


def test_two_operators_instantiating_a_year_at_once_create_it_once(api):
    barrier = threading.Barrier(4)
    answers = []

    def instantiate():
        client = api.client.application.test_client()
        barrier.wait()
        answers.append(client.post(f"/v1/{api.slug}/timeline/template", json={"year": 2029},
                                   headers=api.headers()))

    threads = [threading.Thread(target=instantiate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201], [a.get_json() for a in answers]
    assert sorted(a.get_json()["created"] for a in answers) == [0, 0, 0, 6]
    assert {frozenset(m["id"] for m in a.get_json()["items"]) for a in answers} == \
        {frozenset(m["id"] for m in answers[0].get_json()["items"])}
    assert api.milestones() == 6 and len(api.outbox()) == 6
