"""Needs (bisogni) on the real PostgreSQL through the Flask test client: who records for whom, on-behalf
marking, withdrawn organisations, validation, Idempotency-Key, ETag/If-Match, filters and cursor, events."""
from __future__ import annotations

import uuid

from tests.integration.test_consultation_contributions_world import need_body, table, world  # noqa: F401


def test_a_representative_records_a_need_for_its_own_organisation_only(world, table):
    created = world.call("POST", "/needs", "rep-a", "stakeholder", json=need_body(table["id"], table["odv"]))
    assert created.status_code == 201, created.get_json()
    need = created.get_json()
    assert (need["organisation_id"], need["on_behalf"], need["recorded_by"], need["recorded_by_role"]) == (
        str(table["odv"]), False, "rep-a", "stakeholder")
    assert need["status"] == "open" and need["version"] == 1 and created.headers["ETag"] == '"1"'
    # rep-a does not represent the APS.
    other = world.call("POST", "/needs", "rep-a", "stakeholder", json=need_body(table["id"], table["aps"]))
    assert other.status_code == 403 and other.get_json()["type"].endswith("/not-permitted")
    # ...nor may it pretend to be the office.
    posing = world.call("POST", "/needs", "rep-a", "stakeholder",
                        json=need_body(table["id"], table["odv"], on_behalf=True))
    assert posing.status_code == 403
    # Readers only: auditors and the regional admin never write.
    for roles in (("auditor",), ("regional-admin",)):
        refused = world.call("POST", "/needs", "x", *roles, json=need_body(table["id"], table["odv"]))
        assert refused.status_code == 403 and refused.get_json()["type"].endswith("/forbidden"), roles
    assert [e["data"]["need_id"] for e in world.outbox("it.pdz.consultation.need.recorded.v1")] == [need["id"]]


def test_the_office_records_on_behalf_marked_in_the_record_and_the_event(world, table):
    body = need_body(table["id"], table["aps"], on_behalf=True)
    # Without on_behalf an operator is no representative.
    assert world.call("POST", "/needs", "op-1", "operator", json={**body, "on_behalf": False}).status_code == 403
    by_operator = world.call("POST", "/needs", "op-1", "operator", json=body)
    assert by_operator.status_code == 201, by_operator.get_json()
    need = by_operator.get_json()
    assert (need["on_behalf"], need["recorded_by"], need["recorded_by_role"]) == (True, "op-1", "operator")
    by_coordinator = world.call("POST", "/needs", "coord-1", "coordinator", json=body)
    assert by_coordinator.status_code == 201 and by_coordinator.get_json()["recorded_by_role"] == "coordinator"
    # Another table's coordinator is not this table's office.
    assert world.call("POST", "/needs", "coord-9", "coordinator", json=body).status_code == 403
    # Only for a member of the table.
    stranger = world.organisation("Cooperativa Estranea")
    assert world.call("POST", "/needs", "op-1", "operator",
                      json=need_body(table["id"], stranger, on_behalf=True)).status_code == 403
    events = world.outbox("it.pdz.consultation.need.recorded.v1")
    assert [(e["data"]["on_behalf"], e["data"]["recorded_by_role"]) for e in events] == [
        (True, "operator"), (True, "coordinator")]
    assert not any("op-1" in str(e["data"]) or "coord-1" in str(e["data"]) for e in events)


def test_a_withdrawn_organisation_cannot_contribute_and_its_needs_stay(world, table):
    first = world.call("POST", "/needs", "rep-a", "stakeholder", json=need_body(table["id"], table["odv"]))
    assert first.status_code == 201
    world.organisation("ODV Amici del Pollino", status="withdrawn", version=2, organisation_id=table["odv"])
    for who in (("rep-a", "stakeholder", False), ("op-1", "operator", True)):
        refused = world.call("POST", "/needs", who[0], who[1], json=need_body(table["id"], table["odv"],
                                                                               on_behalf=who[2]))
        assert refused.status_code == 409 and refused.get_json()["type"].endswith("/organisation-withdrawn"), who
    edit = world.call("PATCH", f"/needs/{first.get_json()['id']}", "rep-a", "stakeholder", json={"title": "Nuovo"},
                      headers={"If-Match": '"1"'})
    assert edit.status_code == 409 and edit.get_json()["type"].endswith("/organisation-withdrawn")
    # Re-admitted: the withdrawal ended its membership for good, so it is no member until invited again.
    world.organisation("ODV Amici del Pollino", status="active", version=3, organisation_id=table["odv"])
    again = world.call("POST", "/needs", "rep-a", "stakeholder", json=need_body(table["id"], table["odv"]))
    assert again.status_code == 403
    kept = world.call("GET", f"/needs?organisation_id={table['odv']}", "aud", "auditor").get_json()["items"]
    assert [n["id"] for n in kept] == [first.get_json()["id"]]
    suspended = world.organisation("APS Borghi Solidali", status="suspended", version=2, organisation_id=table["aps"])
    paused = world.call("POST", "/needs", "rep-b", "stakeholder", json=need_body(table["id"], suspended))
    assert paused.status_code == 409 and paused.get_json()["type"].endswith("/organisation-suspended")


def test_what_a_need_holds_is_checked(world, table):
    def post(**extra):
        return world.call("POST", "/needs", "rep-a", "stakeholder", json=need_body(table["id"], table["odv"], **extra))

    def field(response):
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"][0]["field"]

    assert field(post(area="99")) == "area"
    assert field(post(target_group="elderly")) == "target_group"
    assert field(post(comuni=["76042"])) == "comuni.0"
    assert field(post(table_id=str(uuid.uuid4()))) == "table_id"
    assert field(post(session_id=str(uuid.uuid4()))) == "session_id"
    other_table = world.table("Tavolo socio-sanitario")
    assert field(post(session_id=str(world.session(other_table)))) == "session_id"
    # Before the territory is replicated any ISTAT code passes; after, only the Ambito's comuni.
    assert post(comuni=["074007"]).status_code == 201
    world.territory("076042", "076097")
    assert field(post(comuni=["076042", "074007"])) == "comuni.1"
    session_id = world.session(table["id"])
    ok = post(comuni=["076097", "076042", "076097"], session_id=str(session_id), target_group="disabilita")
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["comuni"] == ["076097", "076042"] and ok.get_json()["session_id"] == str(session_id)
    world.sql("UPDATE consultation_tables SET status = 'closed' WHERE id = %s", (table["id"],))
    closed = post()
    assert closed.status_code == 409 and closed.get_json()["type"].endswith("/table-closed")
    # Nothing refused was written.
    assert len(world.outbox("it.pdz.consultation.need.recorded.v1")) == 2


def test_idempotency_key_replays_the_first_answer(world, table):
    body, key = need_body(table["id"], table["odv"]), {"Idempotency-Key": "modulo-17"}
    first = world.call("POST", "/needs", "rep-a", "stakeholder", json=body, headers=key)
    again = world.call("POST", "/needs", "rep-a", "stakeholder", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert world.call("POST", "/needs", "rep-a", "stakeholder", json={**body, "title": "Altro"},
                      headers=key).status_code == 422
    assert len(world.sql("SELECT id FROM needs")) == 1


def test_updates_need_if_match_and_stop_once_closed(world, table):
    need = world.call("POST", "/needs", "rep-a", "stakeholder", json=need_body(table["id"], table["odv"])).get_json()
    path = f"/needs/{need['id']}"
    assert world.call("PATCH", path, "rep-a", "stakeholder", json={"title": "Nuovo"}).status_code == 428
    stale = world.call("PATCH", path, "rep-a", "stakeholder", json={"title": "Nuovo"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == '"1"'
    assert world.call("PATCH", path, "rep-b", "stakeholder", json={"title": "Nuovo"},
                      headers={"If-Match": '"1"'}).status_code == 403
    edited = world.call("PATCH", path, "rep-a", "stakeholder", json={"title": "Trasporto per le frazioni",
                                                                     "target_group": "disabilita"},
                        headers={"If-Match": '"1"'})
    assert edited.status_code == 200 and edited.headers["ETag"] == '"2"', edited.get_json()
    assert edited.get_json()["target_group"] == "disabilita" and edited.get_json()["area"] == "3"
    by_office = world.call("PATCH", path, "op-1", "operator", json={"evidence": "Dati ISTAT"},
                           headers={"If-Match": '"2"'})
    assert by_office.status_code == 200 and by_office.get_json()["updated_by"] == "op-1"
    assert world.call("POST", f"{path}/close", "rep-a", "stakeholder", headers={"If-Match": '"3"'}).status_code == 403
    assert world.call("POST", f"{path}/close", "coord-9", "coordinator", headers={"If-Match": '"3"'}).status_code == 403
    closed = world.call("POST", f"{path}/close", "coord-1", "coordinator", headers={"If-Match": '"3"'})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    frozen = world.call("PATCH", path, "rep-a", "stakeholder", json={"title": "Ancora"}, headers={"If-Match": '"4"'})
    assert frozen.status_code == 409 and frozen.get_json()["type"].endswith("/contribution-state")
    updates = world.outbox("it.pdz.consultation.need.updated.v1")
    assert [(e["data"]["changed"], e["data"]["changed_by_role"]) for e in updates] == [
        (["title", "target_group"], "stakeholder"), (["evidence"], "operator"), (["status"], "coordinator")]


def test_filters_and_cursor(world, table):
    world.territory("076042", "076097")
    bodies = [need_body(table["id"], table["odv"], area="3", target_group="anziani", comuni=["076042"]),
              need_body(table["id"], table["odv"], area="5", target_group="disabilita"),
              need_body(table["id"], table["aps"], area="3", target_group="minori", comuni=["076097", "076042"])]
    ids = []
    for body in bodies:
        who = "rep-a" if body["organisation_id"] == str(table["odv"]) else "rep-b"
        ids.append(world.call("POST", "/needs", who, "stakeholder", json=body).get_json()["id"])

    def found(query):
        response = world.call("GET", f"/needs?{query}", "aud", "auditor")
        assert response.status_code == 200, response.get_json()
        return [n["id"] for n in response.get_json()["items"]]

    assert found("area=3") == [ids[0], ids[2]]
    assert found("target_group=disabilita") == [ids[1]]
    assert found(f"organisation_id={table['aps']}") == [ids[2]]
    assert found("comune=076042") == [ids[0], ids[2]]
    assert found(f"table_id={table['id']}&area=3&comune=076097") == [ids[2]]
    assert found(f"table_id={uuid.uuid4()}") == []
    first = world.call("GET", "/needs?limit=2", "x", "regional-admin").get_json()
    assert [n["id"] for n in first["items"]] == ids[:2] and first["next_cursor"]
    second = world.call("GET", f"/needs?limit=2&after={first['next_cursor']}", "rep-b", "stakeholder").get_json()
    assert [n["id"] for n in second["items"]] == ids[2:] and second["next_cursor"] is None
    assert world.call("GET", "/needs?target_group=elderly", "aud", "auditor").status_code == 422
    one = world.call("GET", f"/needs/{ids[0]}", "aud", "auditor")
    assert one.status_code == 200 and one.headers["ETag"] == '"1"'
    assert world.call("GET", f"/needs/{uuid.uuid4()}", "aud", "auditor").status_code == 404
    # Each Ambito sees its own.
    assert world.call("GET", "/needs", "op", "operator", tenant=world.other).get_json()["items"] == []
