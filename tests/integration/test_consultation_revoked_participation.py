"""A former Ambito's organisation marked revoked (its register no longer shared: services/consultation/revoke.py,
migration 014) takes part in nothing new, refused by name `organisation-revoked` (issue 9 item 4): not added to
a table, its request not admitted, not invited to a session, not registered; its past records (membership,
invitation) stay. Real PostgreSQL, the real revocation, through the Flask test client."""
from __future__ import annotations

import uuid

import psycopg

from shared.sharing import Share, Sharing
from services.consultation.revoke import revoke

from tests.integration.test_consultation_contributions_world import world  # noqa: F401
from tests.integration.test_consultation_shared import items, merge, predecessor_organisation

REVOKED = "/organisation-revoked"


def revoke_to(world, *shares):
    """The catalogue now declares `shares`, and the operator runs the revocation in the merged Ambito."""
    merge(world, *shares)
    with psycopg.connect(world.url()) as conn:
        return revoke(conn, tenant=world.slug, sharing=Sharing(list(shares)))


def refused_as_revoked(response):
    problem = response.get_json()
    assert response.status_code == 409, problem
    assert problem["type"].endswith(REVOKED) and "no longer shared" in problem["detail"], problem


def test_a_revoked_organisation_is_refused_by_name_and_its_past_records_stay(world):
    c, a = world.slug, world.other
    table = world.table("Tavolo dell'Ambito unito")
    world.sql("UPDATE consultation_tables SET membership = 'open' WHERE id = %s", (table,))
    other_table = world.table("Tavolo permanente")
    odv = world.organisation("ODV dell'Ambito unito")
    world.member(table, odv, "rep-c")
    seated, asking, elsewhere = (predecessor_organisation(world, a, name=n) for n in (
        "ODV del Lagonegrese", "APS di Lauria", "Cooperativa di Maratea"))
    register = Share(a, c, ("registry.stakeholders", "consultation.needs"))
    merge(world, register)
    assert world.call("POST", f"/tables/{table}/members", "op-1", "operator",
                      json={"organisation_id": seated, "accounts": ["rep-lag"]}).status_code == 201
    request = world.call("POST", f"/tables/{table}/requests", "rep-lauria", "stakeholder",
                         json={"organisation_id": asking})
    assert request.status_code == 201, request.get_json()
    assert world.call("POST", f"/tables/{other_table}/members", "op-1", "operator",
                      json={"organisation_id": elsewhere, "accounts": []}).status_code == 201
    held = world.session(table)
    world.sql("UPDATE sessions SET starts_at = now() + interval '30 days' WHERE id = %s", (held,))
    invited = world.call("POST", f"/sessions/{held}/invitations", "op-1", "operator", json={}).get_json()
    assert set(invited["invited"]) == {str(odv), seated}

    # A stops sharing its register: the three are referenced by C's own records, so they are marked
    outcome = revoke_to(world, Share(a, c, ("consultation.needs",)))
    assert outcome.marked == 3
    events_before = len(world.outbox())

    refused_as_revoked(world.call("POST", f"/tables/{table}/members", "op-1", "operator",
                                  json={"organisation_id": elsewhere, "accounts": []}))
    member_id = request.get_json()["id"]
    version = world.call("GET", f"/tables/{table}/members/{member_id}", "r", "operator").headers["ETag"]
    refused_as_revoked(world.call("POST", f"/tables/{table}/members/{member_id}/admit", "coord-1", "coordinator",
                                  headers={"If-Match": version}))
    # a new session: only C's own member is invited, the revoked one is listed with the reason
    later = world.session(table)
    answer = world.call("POST", f"/sessions/{later}/invitations", "op-1", "operator", json={}).get_json()
    assert answer["invited"] == [str(odv)]
    assert answer["not_invited"] == [{"organisation_id": seated, "reason": "organisation-revoked"}]
    chosen = world.call("POST", f"/sessions/{later}/invitations", "op-1", "operator",
                        json={"organisation_ids": [seated]}).get_json()
    assert chosen["invited"] == [] and chosen["not_invited"][0]["reason"] == "organisation-revoked"
    # invited before the revocation, it still cannot register
    refused_as_revoked(world.call("POST", f"/sessions/{held}/registrations", "rep-lag", "stakeholder",
                                  json={"organisation_id": seated}))
    assert len(world.outbox()) == events_before + 1          # the new session's invitation of C's own only

    # its past records stay: the memberships, the request, the invitation
    members = {m["organisation_id"]: m["state"] for m in items(world.call(
        "GET", f"/tables/{table}/members", "r", "operator"))}
    assert members == {str(odv): "member", seated: "member", asking: "requested"}
    past = world.call("GET", f"/sessions/{held}/invitations", "r", "operator").get_json()["items"]
    assert {i["organisation_id"] for i in past} == {str(odv), seated}

    # shared again: the next run clears the mark and the organisation takes part again
    assert revoke_to(world, register).unmarked == 3
    added = world.call("POST", f"/tables/{table}/members", "op-1", "operator",
                       json={"organisation_id": elsewhere, "accounts": []})
    assert added.status_code == 201, added.get_json()


def test_a_revoked_organisation_is_left_out_of_the_standing_table_of_everyone(world):
    c, a = world.slug, world.other
    marked = predecessor_organisation(world, a, name="APS di Senise")
    table = world.table("Tavolo tematico")
    merge(world, Share(a, c, ("registry.stakeholders",)))
    assert world.call("POST", f"/tables/{table}/members", "op-1", "operator",
                      json={"organisation_id": marked, "accounts": []}).status_code == 201
    revoke_to(world, Share(a, c, ("consultation.needs",)))
    merge(world, Share(a, c, ("registry.stakeholders",)))    # shared again, the revocation not yet run again
    kept = predecessor_organisation(world, a, name="ODV del Pollino")   # arriving with the share
    standing = uuid.uuid4()
    world.sql("INSERT INTO consultation_tables (id, kind, title, areas, coordinator, created_by)"
              " VALUES (%s, 'standing', 'Tavolo di consultazione permanente', '{3}', 'coord-1', 'op')", (standing,))
    done = world.call("POST", f"/tables/{standing}/members/all", "op-1", "operator", json={}).get_json()
    assert [m["organisation_id"] for m in done["added"]] == [kept]
