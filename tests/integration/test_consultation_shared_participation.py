"""A former Ambito's organisation taking part at the merged Ambito's table (issue 9 item 6), on the real PostgreSQL
through the Flask test client: with the register shared it casts a ballot, answers a questionnaire and gets a
service on the map (by the office, by its representative through the membership); with only needs shared it is
refused `shared-organisation`; a replica table's members are listed with their origin and no accounts."""
from __future__ import annotations

import uuid

import pytest

from shared.sharing import Share

from tests.integration.test_consultation_contributions_world import world  # noqa: F401
from tests.integration.test_consultation_questionnaires import answers, body as questionnaire_body, later
from tests.integration.test_consultation_rounds import proposal, round_body
from tests.integration.test_consultation_shared import merge, predecessor_organisation, replica_table, shared

COMUNE = "076042"
REGISTER = ("registry.stakeholders",)
NEEDS_ONLY = ("consultation.needs",)


@pytest.fixture
def seated(world):
    """The merged Ambito's (world.slug) table with an own member and a former Ambito's (world.other) organisation
    seated with the account rep-lag (as if invited while its register was shared)."""
    table_id = world.table("Tavolo dell'Ambito unito")
    odv = world.organisation("ODV dell'Ambito unito")
    world.member(table_id, odv, "rep-a")
    theirs = predecessor_organisation(world, world.other)
    world.member(table_id, theirs, "rep-lag")
    world.territory(COMUNE)
    return {"id": table_id, "odv": odv, "theirs": theirs, "origin": world.other}


def refused_as_shared(response):
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["type"].endswith("/shared-organisation")


def open_round(world, seated):
    proposals = [proposal(world, seated["id"], seated["odv"], "Navetta sociale"),
                 proposal(world, seated["id"], seated["odv"], "Sportello anziani")]
    created = world.call("POST", "/rounds", "coord-1", "coordinator",
                         json=round_body({"id": seated["id"]}, proposals))
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"], proposals


def ballot(world, round_id, organisation, proposals, who, **extra):
    body = {"allocations": [{"proposal_id": str(proposals[0]), "points": 10}], **extra}
    return world.call("PUT", f"/rounds/{round_id}/ballots/{organisation}", *who, json=body)


def test_a_former_ambitos_member_votes_only_where_its_register_is_shared(world, seated):
    round_id, proposals = open_round(world, seated)
    theirs = seated["theirs"]
    refused_as_shared(ballot(world, round_id, theirs, proposals, ("rep-lag", "stakeholder")))
    merge(world, Share(seated["origin"], world.slug, NEEDS_ONLY))
    refused_as_shared(ballot(world, round_id, theirs, proposals, ("rep-lag", "stakeholder")))
    merge(world, Share(seated["origin"], world.slug, REGISTER))
    cast = ballot(world, round_id, theirs, proposals, ("rep-lag", "stakeholder"))
    assert cast.status_code == 201, cast.get_json()
    # the office on its behalf, marked so; another member's representative may not
    by_office = ballot(world, round_id, theirs, proposals, ("op-1", "operator"), on_behalf=True)
    assert by_office.status_code == 200, by_office.get_json()
    assert by_office.get_json()["on_behalf"] is True
    assert ballot(world, round_id, theirs, proposals, ("rep-a", "stakeholder")).status_code == 403


def test_a_former_ambitos_member_answers_a_questionnaire_only_where_its_register_is_shared(world, seated):
    created = world.call("POST", "/questionnaires", "coord-1", "coordinator", json=questionnaire_body(seated["id"]))
    assert created.status_code == 201, created.get_json()
    q = created.get_json()
    opened = world.call("POST", f"/questionnaires/{q['id']}/open", "coord-1", "coordinator",
                        json={"closes_at": later()}, headers={"If-Match": created.headers["ETag"]})
    assert opened.status_code == 200, opened.get_json()
    path = f"/questionnaires/{q['id']}/answers/{seated['theirs']}"
    body = {"answers": answers(), "may_publish_name": False, "on_behalf": False}
    refused_as_shared(world.call("PUT", path, "rep-lag", "stakeholder", json=body))
    merge(world, Share(seated["origin"], world.slug, NEEDS_ONLY))
    refused_as_shared(world.call("PUT", path, "rep-lag", "stakeholder", json=body))
    merge(world, Share(seated["origin"], world.slug, REGISTER))
    given = world.call("PUT", path, "rep-lag", "stakeholder", json=body)
    assert given.status_code == 201, given.get_json()
    assert world.call("PUT", path, "rep-a", "stakeholder", json=body).status_code == 403


def test_a_former_ambitos_organisation_gets_a_service_on_the_map_only_where_its_register_is_shared(world, seated):
    def add(subject, role, name):
        return world.call("POST", "/offer", subject, role, json={
            "organisation_id": seated["theirs"], "name": name, "area": "3", "target_group": "anziani",
            "comuni": [COMUNE]})

    refused_as_shared(add("op-1", "operator", "Centro diurno"))
    merge(world, Share(seated["origin"], world.slug, NEEDS_ONLY))
    refused_as_shared(add("op-1", "operator", "Centro diurno"))
    refused_as_shared(add("rep-lag", "stakeholder", "Centro diurno"))
    merge(world, Share(seated["origin"], world.slug, REGISTER))
    by_office = add("op-1", "operator", "Centro diurno")
    assert by_office.status_code == 201, by_office.get_json()
    by_representative = add("rep-lag", "stakeholder", "Trasporto sociale")
    assert by_representative.status_code == 201, by_representative.get_json()
    assert add("rep-a", "stakeholder", "Mensa").status_code == 403
    listed = world.call("GET", f"/offer?origin={world.slug}", "op-1", "operator")
    assert sorted(o["name"] for o in listed.get_json()["items"]
                  if o["organisation"]["id"] == seated["theirs"]) == ["Centro diurno", "Trasporto sociale"]


def test_a_replica_tables_members_are_listed_with_origin_and_no_accounts(world):
    origin = world.other
    table_id = replica_table(world, origin)
    members = [str(uuid.uuid4()) for _ in range(3)]
    organisations = sorted(str(uuid.uuid4()) for _ in range(3))
    for member_id, organisation_id, state in zip(members, organisations, ("member", "member", "left")):
        shared(world, "it.pdz.consultation.table_member.added.v1", origin, member_id=member_id, table_id=table_id,
               organisation_id=organisation_id, state=state, version=1, accounts=["rep-segreto"])
    for who in (("op-1", "operator"), ("rep-a", "stakeholder"), ("aud", "auditor")):
        listed = world.call("GET", f"/tables/{table_id}/members", *who)
        assert listed.status_code == 200, listed.get_json()
        items = listed.get_json()["items"]
        assert [(m["organisation_id"], m["state"], m["origin"]) for m in items] == [
            (organisations[0], "member", origin), (organisations[1], "member", origin),
            (organisations[2], "left", origin)], who
        assert all(m["accounts"] is None for m in items)
    # one page at a time, and the state filter
    first = world.call("GET", f"/tables/{table_id}/members?limit=2", "op-1", "operator").get_json()
    rest = world.call("GET", f"/tables/{table_id}/members?limit=2&after={first['next_cursor']}", "op-1",
                      "operator").get_json()
    assert [m["organisation_id"] for m in first["items"] + rest["items"]] == organisations
    assert rest["next_cursor"] is None
    left = world.call("GET", f"/tables/{table_id}/members?state=left", "op-1", "operator").get_json()["items"]
    assert [m["organisation_id"] for m in left] == [organisations[2]]
    # the merged Ambito's own table: its own slug as origin
    own = world.table()
    world.member(own, world.organisation("APS locale"), "rep-b")
    [mine] = world.call("GET", f"/tables/{own}/members", "op-1", "operator").get_json()["items"]
    assert mine["origin"] == world.slug
