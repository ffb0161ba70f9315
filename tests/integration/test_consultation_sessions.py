"""Sessions of a consultation table on the real PostgreSQL through the Flask test client: scheduling,
changing, holding, cancelling, invitations, roles (the table's coordinator named or not), and every
event in the outbox valid against the catalogue.

Tables and memberships are written with plain SQL (the tables API is another engineer's); the register
replica through the consumer's own row writer from the projectors' output, as the consumer does.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token
from tests.contract.catalogue import assert_valid_event

from services.consultation.app import create_app
from services.consultation.projectors import project

KEY = "consultation-sessions-key-" + "s" * 32
COORDINATOR = "coord-tavolo-1"


def later(**delta) -> str:
    return (datetime.now(timezone.utc) + timedelta(**delta)).isoformat()


class World:
    """One Ambito's consultation database with organisations, tables and members, and an API client."""

    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap,
                                # the concurrency test holds a lock while it watches both requests wait for it
                                statement_timeout_ms=30_000)
        self.client = create_app(settings=app_settings).test_client()
        self.slug, self.other = tenants.slugs()
        self.url = tenants.url_for(tenants.get(self.slug), "consultation")

    def sql(self, query, params=()):
        with psycopg.connect(self.url) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else None

    def organisation(self, name, *, status="active", type_="ets", version=1) -> str:
        sid = str(uuid.uuid4())
        self.set_status(sid, name, status=status, type_=type_, version=version)
        return sid

    def set_status(self, sid, name, *, status, type_="ets", version):
        kind, stamp = ("registered", "registered_at") if version == 1 else ("updated", "updated_at")
        data = {"stakeholder_id": sid, "name": name, "type": type_, "areas": ["3"], "status": status,
                "version": version, stamp: "2026-03-01T09:00:00+00:00"}
        event = new_event(type=f"it.pdz.registry.stakeholder.{kind}.v1", service="registry", tenant=self.slug,
                          aggregate_id=sid, data=data)
        with psycopg.connect(self.url) as conn:
            apply_rows(conn, project(event))

    def table(self, *, coordinator=COORDINATOR) -> str:
        table_id = str(uuid.uuid4())
        self.sql("INSERT INTO consultation_tables (id, kind, title, areas, coordinator, created_by)"
                 " VALUES (%s, 'thematic', 'Tavolo socio-educativo', '{3}', %s, 'ufficio')", (table_id, coordinator))
        return table_id

    def member(self, table_id, organisation_id, *accounts, joined_version=1):
        self.sql("INSERT INTO table_members (id, table_id, organisation_id, accounts, joined_version, added_by)"
                 " VALUES (%s, %s, %s, %s, %s, 'ufficio')",
                 (uuid.uuid4(), table_id, organisation_id, list(accounts), joined_version))

    def token(self, sub, roles, tenant=None) -> str:
        return mint_dev_token(key=KEY, subject=sub, roles=list(roles),
                              tenants=[tenant or self.slug] if set(roles) - {"regional-admin"} else [])

    def call(self, method, path, *, sub="operatore", roles=("operator",), body=None, headers=None, tenant=None):
        tenant = tenant or self.slug
        token = self.token(sub, roles, tenant)
        return self.client.open(f"/v1/{tenant}{path}", method=method, json=body,
                                headers={"Authorization": f"Bearer {token}", **(headers or {})})

    def ok(self, method, path, status=200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.get_json())
        return response

    def session(self, table_id, *, seat_limit=None, starts=None, **kwargs) -> dict:
        body = {"title": "Prima sessione", "starts_at": starts or later(days=7), "place": "Sala consiliare",
                "agenda": ["Apertura", "Bisogni del territorio", "Varie"], "seat_limit": seat_limit}
        return self.ok("POST", f"/tables/{table_id}/sessions", 201, body=body, **kwargs).get_json()

    def outbox(self, prefix="it.pdz.consultation."):
        rows = self.sql("SELECT type, subject, data FROM outbox WHERE type LIKE %s ORDER BY id", (prefix + "%",))
        for type_, _subject, data in rows:
            assert_valid_event(type_, data)
        return rows


@pytest.fixture
def world(tenants, settings, tmp_path):
    return World(tenants, settings, tmp_path / "tenants.yaml")


def test_the_coordinator_schedules_a_session_shown_in_rome_time_and_the_event_is_catalogued(world):
    table = world.table()
    session = world.session(table, sub=COORDINATOR, roles=("coordinator",),
                            starts="2030-03-10T16:00:00+00:00")
    assert session["starts_at"] == "2030-03-10T17:00:00+01:00"       # Europe/Rome, winter time
    assert session["agenda"] == ["Apertura", "Bisogni del territorio", "Varie"]
    assert (session["status"], session["seats_free"], session["waiting"]) == ("scheduled", None, 0)
    got = world.ok("GET", f"/sessions/{session['id']}", roles=("stakeholder",), sub="rappresentante")
    assert got.headers["ETag"] == '"1"'
    [(type_, subject, data)] = world.outbox()
    assert (type_, subject, data["session_id"], data["table_id"]) == (
        "it.pdz.consultation.session.scheduled.v1", session["id"], session["id"], table)
    listed = world.ok("GET", f"/tables/{table}/sessions", roles=("auditor",)).get_json()
    assert [s["id"] for s in listed["items"]] == [session["id"]]


def test_only_the_office_and_the_named_coordinator_manage_the_table(world):
    table = world.table()
    # a coordinator not named by this table: 403, nothing written
    response = world.call("POST", f"/tables/{table}/sessions", sub="altro-coordinatore", roles=("coordinator",),
                          body={"title": "X", "starts_at": later(days=3), "place": "Sala"})
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("application/problem+json")
    for roles in (("stakeholder",), ("auditor",), ("regional-admin",)):
        assert world.call("POST", f"/tables/{table}/sessions", roles=roles,
                          body={"title": "X", "starts_at": later(days=3), "place": "Sala"}).status_code == 403
    assert world.outbox() == []
    world.session(table, sub="operatore", roles=("operator",))
    assert world.call("POST", f"/tables/{uuid.uuid4()}/sessions", body={
        "title": "X", "starts_at": later(days=3), "place": "Sala"}).status_code == 404


def test_place_or_link_is_required_and_bad_input_is_named(world):
    table = world.table()
    response = world.call("POST", f"/tables/{table}/sessions", body={"title": "X", "starts_at": later(days=3)})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["place"]
    response = world.call("POST", f"/tables/{table}/sessions", body={
        "title": "X", "starts_at": "2030-01-01T10:00:00", "video_link": "https://meet.example.org/t"})
    assert response.status_code == 422    # a time without its zone
    world.ok("POST", f"/tables/{table}/sessions", 201, body={
        "title": "Online", "starts_at": later(days=3), "video_link": "https://meet.example.org/tavolo"})


def test_changes_need_if_match_and_a_cancelled_session_is_final(world):
    table = world.table()
    session = world.session(table)
    path = f"/sessions/{session['id']}"
    assert world.call("PATCH", path, body={"place": "Biblioteca"}).status_code == 428
    assert world.call("PATCH", path, body={"place": "Biblioteca"}, headers={"If-Match": '"7"'}).status_code == 412
    # removing the place while there is no link: 422 naming the place
    response = world.call("PATCH", path, body={"place": None}, headers={"If-Match": '"1"'})
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "place"
    changed = world.ok("PATCH", path, body={"place": "Biblioteca", "agenda": ["Uno", "Due"]},
                       headers={"If-Match": '"1"'})
    assert changed.headers["ETag"] == '"2"' and changed.get_json()["agenda"] == ["Uno", "Due"]
    cancelled = world.ok("POST", f"{path}/cancel", body={"reason": "Maltempo"}, headers={"If-Match": '"2"'})
    assert cancelled.get_json()["status"] == "cancelled"
    response = world.call("PATCH", path, body={"place": "Altrove"}, headers={"If-Match": '"3"'})
    assert response.status_code == 409 and response.get_json()["type"].endswith("/session-state")
    types = [t for t, _s, _d in world.outbox()]
    assert types == ["it.pdz.consultation.session.scheduled.v1", "it.pdz.consultation.session.updated.v1",
                     "it.pdz.consultation.session.cancelled.v1"]
    assert all("Maltempo" not in json.dumps(d) for _t, _s, d in world.outbox())


def test_a_session_is_held_only_once_it_has_started(world):
    table = world.table()
    future = world.session(table)
    response = world.call("POST", f"/sessions/{future['id']}/hold", headers={"If-Match": '"1"'})
    assert response.status_code == 409
    past = world.session(table, starts=later(hours=-2))
    held = world.ok("POST", f"/sessions/{past['id']}/hold", headers={"If-Match": '"1"'}).get_json()
    assert held["status"] == "held" and held["held_at"]


def test_invitations_go_to_members_that_may_take_part_now(world):
    table = world.table()
    active = world.organisation("ODV Amici del Pollino")
    suspended = world.organisation("APS Borghi Solidali", status="suspended")
    returned = world.organisation("Cooperativa Il Sentiero")
    outsider = world.organisation("Fondazione Esterna")
    for org in (active, suspended, returned):
        world.member(table, org)
    # withdrawn after joining, then re-admitted: its membership ended for good
    world.set_status(returned, "Cooperativa Il Sentiero", status="withdrawn", version=2)
    world.set_status(returned, "Cooperativa Il Sentiero", status="active", version=3)
    session = world.session(table)
    path = f"/sessions/{session['id']}/invitations"
    assert world.call("POST", path, sub="x", roles=("stakeholder",), body={}).status_code == 403
    answer = world.ok("POST", path, 201, body={}, sub=COORDINATOR, roles=("coordinator",)).get_json()
    assert answer["invited"] == [active]
    assert {(r["organisation_id"], r["reason"]) for r in answer["not_invited"]} == {
        (suspended, "organisation-suspended"), (returned, "membership-ended")}
    chosen = world.ok("POST", path, 201, body={"organisation_ids": [active, outsider]}).get_json()
    assert chosen == {"invited": [], "already_invited": [active],
                      "not_invited": [{"organisation_id": outsider, "reason": "not-a-member"}]}
    invitations = world.ok("GET", path, roles=("auditor",)).get_json()["items"]
    assert [i["organisation_id"] for i in invitations] == [active]
    [(type_, _s, data)] = world.outbox("it.pdz.consultation.session.invited")
    assert data["organisation_ids"] == [active]


def test_each_ambito_sees_only_its_own_sessions(world):
    table = world.table()
    session = world.session(table)
    assert world.call("GET", f"/sessions/{session['id']}", tenant=world.other).status_code == 404
    assert world.call("GET", f"/sessions/{session['id']}", roles=()).status_code == 403


def test_a_retried_creation_gets_the_first_answer_and_lists_page_with_a_cursor(world):
    table = world.table()
    body = {"title": "Sessione plenaria", "starts_at": later(days=5), "place": "Auditorium"}
    key = {"Idempotency-Key": "sessione-" + str(uuid.uuid4())}
    first = world.ok("POST", f"/tables/{table}/sessions", 201, body=body, headers=key)
    again = world.ok("POST", f"/tables/{table}/sessions", 201, body=body, headers=key)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert world.call("POST", f"/tables/{table}/sessions", body={**body, "title": "Altra"},
                      headers=key).status_code == 422
    ids = [first.get_json()["id"]] + [world.session(table)["id"] for _ in range(2)]
    page = world.ok("GET", f"/tables/{table}/sessions?limit=2").get_json()
    rest = world.ok("GET", f"/tables/{table}/sessions?limit=2&after={page['next_cursor']}").get_json()
    assert [s["id"] for s in page["items"] + rest["items"]] == ids and rest["next_cursor"] is None
    assert world.ok("GET", f"/tables/{table}/sessions?status=cancelled").get_json()["items"] == []
    assert len(world.outbox("it.pdz.consultation.session.scheduled")) == 3
