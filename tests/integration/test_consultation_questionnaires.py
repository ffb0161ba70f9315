"""Questionnaires on the real PostgreSQL through the Flask test client: who creates and manages them, the life
cycle (draft -> open -> closed, the closing time), answers once per organisation and replaced on change
(If-Match, concurrent first answers), withdrawn and suspended organisations, and every event in the outbox
valid against its schema. Tables, members and sessions are inserted with plain SQL (their API is another
package's); replica rows through the consumer's own row writer."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from psycopg.rows import dict_row

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token

from services.consultation.app import create_app
from services.consultation.projectors import project
from tests.contract.catalogue import assert_valid_event

KEY = "consultation-questionnaires-key-" + "q" * 32
QUESTIONS = [
    {"kind": "single_choice", "text": "Il tavolo è utile?", "options": ["Sì", "No", "Non so"]},
    {"kind": "multiple_choice", "text": "Quali servizi mancano?", "options": ["Trasporto", "Mensa", "Sportello"],
     "min_selections": 1, "max_selections": 2},
    {"kind": "scale", "text": "Quanto è accessibile la rete?", "scale_min": 1, "scale_max": 5,
     "min_label": "Per nulla", "max_label": "Del tutto"},
    {"kind": "number", "text": "Quanti volontari?", "integer": True, "number_min": "0"},
    {"kind": "free_text", "text": "Suggerimenti", "required": False, "max_length": 500},
]


class World:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.app = create_app(settings=app_settings)
        self.client = self.app.test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    def url(self, tenant=None):
        return self.tenants.url_for(self.tenants.get(tenant or self.slug), "consultation")

    def sql(self, query, params=(), tenant=None):
        with psycopg.connect(self.url(tenant)) as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def organisation(self, name, *, status="active", version=1, organisation_id=None):
        sid = str(organisation_id or uuid.uuid4())
        kind, stamp = (("registered", "registered_at") if version == 1 else ("updated", "updated_at"))
        data = {"stakeholder_id": sid, "name": name, "type": "ets", "runts_section": "b", "areas": ["3"],
                "status": status, "version": version, stamp: f"2026-03-0{version}T09:00:00+00:00"}
        if kind == "updated":
            data["changed"] = ["status"]
        event = new_event(type=f"it.pdz.registry.stakeholder.{kind}.v1", service="registry", tenant=self.slug,
                          aggregate_id=sid, data=data)
        with psycopg.connect(self.url()) as conn:
            apply_rows(conn, project(event))
        return uuid.UUID(sid)

    def table(self, *, coordinator="coord-1"):
        table_id = uuid.uuid4()
        self.sql("INSERT INTO consultation_tables (id, kind, title, areas, coordinator, created_by)"
                 " VALUES (%s, 'thematic', 'Tavolo anziani', '{3}', %s, 'op')", (table_id, coordinator))
        return table_id

    def member(self, table_id, organisation_id, *accounts):
        self.sql("INSERT INTO table_members (id, table_id, organisation_id, accounts, joined_version, added_by)"
                 " VALUES (%s, %s, %s, %s, 1, 'op')", (uuid.uuid4(), table_id, organisation_id, list(accounts)))

    def session(self, table_id):
        session_id = uuid.uuid4()
        self.sql("INSERT INTO sessions (id, table_id, title, starts_at, place, created_by)"
                 " VALUES (%s, %s, 'Prima sessione', '2026-04-14T10:00:00+02:00', 'Sala consiliare', 'op')",
                 (session_id, table_id))
        return session_id

    def call(self, method, path, subject, *roles, json=None, headers=None, tenant=None, client=None):
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles),
                               tenants=[tenant or self.slug] if set(roles) - {"regional-admin"} else [])
        return (client or self.client).open(f"/v1/{tenant or self.slug}{path}", method=method, json=json,
                                            headers={"Authorization": f"Bearer {token}", **(headers or {})})

    def outbox(self, type_=None):
        """The events written so far (data), oldest first, each checked against its catalogue schema."""
        rows = self.sql("SELECT type, subject, data FROM outbox ORDER BY id")
        for row in rows:
            assert_valid_event(row["type"], row["data"])
        return [row for row in rows if type_ is None or row["type"] == type_]


@pytest.fixture
def world(tenants, settings, tmp_path):
    return World(tenants, settings, tmp_path / "tenants.yaml")


@pytest.fixture
def table(world):
    """A table coordinated by coord-1 with three members: ODV (rep-a), APS (rep-b), Coop (rep-c)."""
    table_id = world.table()
    found = {"id": table_id}
    for key, name, account in (("odv", "ODV Amici del Pollino", "rep-a"), ("aps", "APS Borghi Solidali", "rep-b"),
                               ("coop", "Cooperativa Il Sentiero", "rep-c")):
        found[key] = world.organisation(name)
        world.member(table_id, found[key], account)
    return found


def body(table_id, /, **extra):
    return {"table_id": str(table_id), "title": "Rilevazione dei bisogni 2026",
            "introduction": "Rispondete entro il 15 maggio.", "questions": QUESTIONS, **extra}


def later(days=30):
    return (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()


def opened(world, table, **extra):
    """An open questionnaire of the table (created and opened by the coordinator)."""
    created = world.call("POST", "/questionnaires", "coord-1", "coordinator", json=body(table["id"], **extra))
    assert created.status_code == 201, created.get_json()
    q = created.get_json()
    response = world.call("POST", f"/questionnaires/{q['id']}/open", "coord-1", "coordinator",
                          json={"closes_at": later()}, headers={"If-Match": created.headers["ETag"]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def answers(*, choice=0, choices=(0,), value=4, number="12", text=None):
    found = [{"question": 1, "choice": choice}, {"question": 2, "choices": list(choices)},
             {"question": 3, "value": value}, {"question": 4, "number": number}]
    return found + ([{"question": 5, "text": text}] if text else [])


def test_the_tables_office_creates_a_questionnaire_and_no_one_else(world, table):
    session_id = world.session(table["id"])
    for who in (("op-1", "operator"), ("coord-1", "coordinator")):
        created = world.call("POST", "/questionnaires", *who, json=body(table["id"], session_id=str(session_id)))
        assert created.status_code == 201, created.get_json()
        q = created.get_json()
        assert (q["status"], q["version"], q["session_id"], created.headers["ETag"]) == ("draft", 1, str(session_id),
                                                                                        '"1"')
        assert [(n["number"], n["kind"]) for n in q["questions"]] == [
            (1, "single_choice"), (2, "multiple_choice"), (3, "scale"), (4, "number"), (5, "free_text")]
        assert q["questions"][4]["required"] is False and q["questions"][3]["number_min"] == "0"
    other = world.call("POST", "/questionnaires", "coord-9", "coordinator", json=body(table["id"]))
    assert other.status_code == 403 and other.get_json()["type"].endswith("/not-permitted")
    for roles in (("stakeholder",), ("auditor",), ("regional-admin",)):
        refused = world.call("POST", "/questionnaires", "rep-a", *roles, json=body(table["id"]))
        assert refused.status_code == 403 and refused.get_json()["type"].endswith("/forbidden"), roles
    # Every role reads; the list filters by session.
    for roles in (("stakeholder",), ("auditor",), ("regional-admin",)):
        listed = world.call("GET", f"/questionnaires?session_id={session_id}", "x", *roles)
        assert listed.status_code == 200 and len(listed.get_json()["items"]) == 2, roles
    assert len(world.outbox("it.pdz.consultation.questionnaire.created.v1")) == 2


def test_what_a_questionnaire_holds_is_checked_and_named(world, table):
    def field(response):
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"][0]["field"]

    def post(**extra):
        return world.call("POST", "/questionnaires", "op-1", "operator", json=body(table["id"], **extra))

    assert field(post(table_id=str(uuid.uuid4()))) == "table_id"
    assert field(post(session_id=str(world.session(world.table())))) == "session_id"
    assert field(post(questions=[{"kind": "scale", "text": "Quanto?", "scale_min": 3, "scale_max": 2}])) == \
        "questions.0.scale_max"
    assert field(post(questions=[QUESTIONS[0], {"kind": "single_choice", "text": "?", "options": ["Sì"]}])) == \
        "questions.1.options"
    assert field(post(questions=[{"kind": "number", "text": "Quanti?", "number_max": 10}])).startswith(
        "questions.0.number_max")
    world.sql("UPDATE consultation_tables SET status = 'closed' WHERE id = %s", (table["id"],))
    closed = post()
    assert closed.status_code == 409 and closed.get_json()["type"].endswith("/table-closed")
    assert world.outbox("it.pdz.consultation.questionnaire.created.v1") == []


def test_idempotency_key_replays_the_creation(world, table):
    key = {"Idempotency-Key": "questionario-1"}
    first = world.call("POST", "/questionnaires", "op-1", "operator", json=body(table["id"]), headers=key)
    again = world.call("POST", "/questionnaires", "op-1", "operator", json=body(table["id"]), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert len(world.sql("SELECT id FROM questionnaires")) == 1


def test_questions_change_only_in_draft_with_if_match_and_the_life_cycle(world, table):
    q = world.call("POST", "/questionnaires", "coord-1", "coordinator", json=body(table["id"])).get_json()
    path = f"/questionnaires/{q['id']}"
    assert world.call("PATCH", path, "coord-1", "coordinator", json={"title": "Nuovo titolo"}).status_code == 428
    stale = world.call("PATCH", path, "coord-1", "coordinator", json={"title": "Nuovo"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == '"1"'
    assert world.call("PATCH", path, "coord-9", "coordinator", json={"title": "Nuovo"},
                      headers={"If-Match": '"1"'}).status_code == 403
    edited = world.call("PATCH", path, "coord-1", "coordinator", json={"questions": QUESTIONS[:3]},
                        headers={"If-Match": '"1"'})
    assert edited.status_code == 200 and len(edited.get_json()["questions"]) == 3 and edited.headers["ETag"] == '"2"'
    past = world.call("POST", f"{path}/open", "coord-1", "coordinator",
                      json={"closes_at": "2020-01-01T00:00:00+00:00"}, headers={"If-Match": '"2"'})
    assert past.status_code == 422 and past.get_json()["errors"][0]["field"] == "closes_at"
    assert world.call("POST", f"{path}/open", "rep-a", "stakeholder", json={"closes_at": later()},
                      headers={"If-Match": '"2"'}).status_code == 403
    opened_ = world.call("POST", f"{path}/open", "coord-1", "coordinator", json={"closes_at": later()},
                         headers={"If-Match": '"2"'})
    assert opened_.status_code == 200 and opened_.get_json()["status"] == "open"
    frozen = world.call("PATCH", path, "coord-1", "coordinator", json={"title": "Altro titolo"},
                        headers={"If-Match": '"3"'})
    assert frozen.status_code == 409 and frozen.get_json()["type"].endswith("/questionnaire-state")
    closed = world.call("POST", f"{path}/close", "op-1", "operator", headers={"If-Match": '"3"'})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed" and closed.get_json()["closed_at"]
    again = world.call("POST", f"{path}/close", "op-1", "operator", headers={"If-Match": '"4"'})
    assert again.status_code == 409 and again.get_json()["type"].endswith("/questionnaire-state")
    refused = world.call("PUT", f"{path}/answers/{table['odv']}", "rep-a", "stakeholder",
                         json={"answers": answers()[:3]})
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("/questionnaire-closed")
    types = [e["type"].rsplit(".", 2)[1] for e in world.outbox() if ".questionnaire." in e["type"]]
    assert types == ["created", "updated", "opened", "closed"]
    assert world.outbox("it.pdz.consultation.questionnaire.updated.v1")[0]["data"]["changed"] == ["questions"]


def test_a_draft_is_not_answered_and_the_closing_time_closes_it(world, table):
    draft = world.call("POST", "/questionnaires", "op-1", "operator", json=body(table["id"])).get_json()
    early = world.call("PUT", f"/questionnaires/{draft['id']}/answers/{table['odv']}", "rep-a", "stakeholder",
                       json={"answers": answers()})
    assert early.status_code == 409 and early.get_json()["type"].endswith("/questionnaire-state")
    q = opened(world, table)
    # The closing time passes (moved into the past here rather than waited for).
    world.sql("UPDATE questionnaires SET closes_at = now() - interval '1 second' WHERE id = %s", (q["id"],))
    assert world.call("GET", f"/questionnaires/{q['id']}", "x", "auditor").get_json()["status"] == "closed"
    listed = world.call("GET", "/questionnaires?status=closed", "x", "auditor").get_json()["items"]
    assert [i["id"] for i in listed] == [q["id"]]
    late = world.call("PUT", f"/questionnaires/{q['id']}/answers/{table['odv']}", "rep-a", "stakeholder",
                      json={"answers": answers()})
    assert late.status_code == 409 and late.get_json()["type"].endswith("/questionnaire-closed")
    assert world.sql("SELECT id FROM questionnaire_answer_sets") == []


def test_one_answer_set_per_organisation_replaced_with_if_match(world, table):
    q = opened(world, table)
    path = f"/questionnaires/{q['id']}/answers/{table['odv']}"
    first = world.call("PUT", path, "rep-a", "stakeholder", json={"answers": answers(text="Più trasporti")})
    assert first.status_code == 201, first.get_json()
    assert first.headers["ETag"] == '"1"' and first.get_json()["answered_by_role"] == "stakeholder"
    # Answering again without the ETag read would overwrite blindly: 428; with an old one: 412.
    assert world.call("PUT", path, "rep-a", "stakeholder", json={"answers": answers()}).status_code == 428
    assert world.call("PUT", path, "rep-a", "stakeholder", json={"answers": answers()},
                      headers={"If-Match": '"7"'}).status_code == 412
    changed = world.call("PUT", path, "rep-a", "stakeholder", json={"answers": answers(choice=2, number="15")},
                         headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    rows = world.sql("SELECT organisation_id, answers, version FROM questionnaire_answer_sets")
    assert len(rows) == 1 and rows[0]["version"] == 2
    # Replaced whole: the free text of the first answers is gone.
    assert rows[0]["answers"] == [{"question": 1, "choice": 2}, {"question": 2, "choices": [0]},
                                  {"question": 3, "value": 4}, {"question": 4, "number": "15"}]
    read = world.call("GET", path, "rep-a", "stakeholder")
    assert read.status_code == 200 and read.headers["ETag"] == '"2"' and read.get_json()["answers"][0]["choice"] == 2
    events = world.outbox("it.pdz.consultation.questionnaire.answered.v1")
    assert [(e["data"]["replaced"], e["data"]["answers_count"], e["data"]["answer_sets_count"]) for e in events] == [
        (False, 5, 1), (True, 4, 1)]
    assert not any("trasporti" in str(e["data"]) or "rep-a" in str(e["data"]) for e in world.outbox())


def test_who_answers_for_whom_and_invalid_answers_are_named(world, table):
    q = opened(world, table)
    path = f"/questionnaires/{q['id']}/answers"
    other = world.call("PUT", f"{path}/{table['aps']}", "rep-a", "stakeholder", json={"answers": answers()})
    assert other.status_code == 403 and other.get_json()["type"].endswith("/not-permitted")
    posing = world.call("PUT", f"{path}/{table['odv']}", "rep-a", "stakeholder",
                        json={"answers": answers(), "on_behalf": True})
    assert posing.status_code == 403
    assert world.call("PUT", f"{path}/{table['aps']}", "op-1", "operator",
                      json={"answers": answers()}).status_code == 403  # without on_behalf the office is no member
    assert world.call("PUT", f"{path}/{table['aps']}", "coord-9", "coordinator",
                      json={"answers": answers(), "on_behalf": True}).status_code == 403
    for roles in (("auditor",), ("regional-admin",)):
        assert world.call("PUT", f"{path}/{table['aps']}", "x", *roles, json={"answers": answers()}).status_code == 403
    by_office = world.call("PUT", f"{path}/{table['aps']}", "coord-1", "coordinator",
                           json={"answers": answers(), "on_behalf": True})
    assert by_office.status_code == 201 and by_office.get_json()["on_behalf"] is True
    assert by_office.get_json()["answered_by_role"] == "coordinator"
    bad = world.call("PUT", f"{path}/{table['coop']}", "rep-c", "stakeholder",
                     json={"answers": answers(value=9, choices=(0, 1, 2))[1:]})
    assert bad.status_code == 422
    errors = {e["field"]: e["message"] for e in bad.get_json()["errors"]}
    assert set(errors) == {"question.1", "question.2", "question.3"}
    assert errors["question.1"] == "question 1: an answer is required"
    assert "question 3" in errors["question.3"]
    float_number = world.call("PUT", f"{path}/{table['coop']}", "rep-c", "stakeholder",
                              json={"answers": answers()[:3] + [{"question": 4, "number": 12}]})
    assert float_number.status_code == 422
    stranger = world.organisation("Associazione Esterna")
    assert world.call("PUT", f"{path}/{stranger}", "op-1", "operator",
                      json={"answers": answers(), "on_behalf": True}).status_code == 403
    events = world.outbox("it.pdz.consultation.questionnaire.answered.v1")
    assert [(e["data"]["organisation_id"], e["data"]["on_behalf"], e["data"]["answered_by_role"])
            for e in events] == [(str(table["aps"]), True, "coordinator")]


def test_withdrawn_and_suspended_organisations_cannot_answer(world, table):
    q = opened(world, table)
    path = f"/questionnaires/{q['id']}/answers"
    assert world.call("PUT", f"{path}/{table['odv']}", "rep-a", "stakeholder",
                      json={"answers": answers()}).status_code == 201
    world.organisation("ODV Amici del Pollino", status="withdrawn", version=2, organisation_id=table["odv"])
    world.organisation("APS Borghi Solidali", status="suspended", version=2, organisation_id=table["aps"])
    for org, rep, code in ((table["odv"], "rep-a", "organisation-withdrawn"),
                           (table["aps"], "rep-b", "organisation-suspended")):
        for who, on_behalf in ((rep, False), ("op-1", True)):
            roles = ("stakeholder",) if who == rep else ("operator",)
            refused = world.call("PUT", f"{path}/{org}", who, *roles,
                                 json={"answers": answers(), "on_behalf": on_behalf}, headers={"If-Match": '"1"'})
            assert refused.status_code == 409 and refused.get_json()["type"].endswith(f"/{code}"), (who, code)
    # A re-admission does not bring back the membership the withdrawal ended.
    world.organisation("ODV Amici del Pollino", status="active", version=3, organisation_id=table["odv"])
    again = world.call("PUT", f"{path}/{table['odv']}", "rep-a", "stakeholder", json={"answers": answers()},
                       headers={"If-Match": '"1"'})
    assert again.status_code == 403
    # What it answered before stays counted.
    results = world.call("GET", f"/questionnaires/{q['id']}/results", "op-1", "operator").get_json()
    assert results["respondents"] == 1


def test_concurrent_first_answers_make_one_answer_set(world, table):
    q = opened(world, table)
    path = f"/questionnaires/{q['id']}/answers/{table['odv']}"
    barrier, statuses = threading.Barrier(4), []

    def answer(choice):
        client = world.app.test_client()
        barrier.wait()
        statuses.append(world.call("PUT", path, "rep-a", "stakeholder", json={"answers": answers(choice=choice)},
                                   client=client).status_code)

    threads = [threading.Thread(target=answer, args=(i % 3,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One created it; the others had not read it, so they were told to (428), never a second set or a 500.
    assert sorted(statuses) == [201, 428, 428, 428]
    assert len(world.sql("SELECT id FROM questionnaire_answer_sets")) == 1
    assert len(world.outbox("it.pdz.consultation.questionnaire.answered.v1")) == 1
