"""Proposals and the map of services of former Ambiti in the merged Ambito's lists, on the real PostgreSQL
through the Flask test client (issue 9): `origin` and its filter, one cursor over own + replica rows,
GET by id, and 409 replica-read-only naming the owner on every write."""
from __future__ import annotations

import uuid

from tests.integration.test_consultation_contributions_world import need_body, proposal_body, world  # noqa: F401
from tests.integration.test_consultation_shared import items, merged, predecessor_organisation, problem, \
    replica_need, replica_table, shared  # noqa: F401


def replica_proposal(world, origin, need_id, title="Proposta del Lagonegrese", status="submitted", version=1):
    proposal_id = str(uuid.uuid4())
    shared(world, "it.pdz.consultation.proposal.submitted.v1", origin, proposal_id=proposal_id,
           table_id=str(uuid.uuid4()), organisation_id=str(uuid.uuid4()), title=title, status=status,
           version=version, description="Trasporto a chiamata.", expected_outcome="60 anziani.",
           need_ids=[str(need_id)], areas=["3"], target_groups=["anziani"], comuni=["076042"], deliverers=[],
           estimated_cost="18500.00", on_behalf=False, recorded_by_role="stakeholder",
           submitted_at="2025-04-20T11:00:00+02:00")
    return proposal_id


def replica_offer(world, origin, organisation_id, name="Centro diurno del Pollino", status="active"):
    offer_id = str(uuid.uuid4())
    shared(world, "it.pdz.consultation.service_offer.added.v1", origin, offer_id=offer_id,
           organisation_id=str(organisation_id), name=name, area="3", target_group="anziani", comuni=["076042"],
           capacity={"amount": 25, "unit": "posti"}, accredited=True, status=status, recorded_by_office=False,
           version=1, at="2025-04-14T10:30:00+02:00")
    return offer_id


def own_proposal(world, merged, title):
    need = world.call("POST", "/needs", "op-1", "operator",
                      json=need_body(merged["table"], merged["odv"], on_behalf=True)).get_json()["id"]
    created = world.call("POST", "/proposals", "op-1", "operator",
                         json=proposal_body(merged["table"], merged["odv"], [need], on_behalf=True, title=title))
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_proposals_of_former_ambiti_are_listed_with_origin_under_one_cursor_and_are_read_only(world, merged):
    origin = merged["origin"]
    their_need = replica_need(world, origin, uuid.uuid4())
    expected = []
    for i in range(2):
        expected.append(own_proposal(world, merged, f"Proposta propria {i}"))
        expected.append(replica_proposal(world, origin, their_need, title=f"Proposta condivisa {i}"))
    seen, cursor = [], None
    while True:
        body = world.call("GET", "/proposals?limit=3" + (f"&after={cursor}" if cursor else ""), "r",
                          "auditor").get_json()
        seen += [(p["id"], p["origin"]) for p in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert [s[0] for s in seen] == expected
    assert [s[1] for s in seen] == [world.slug, origin] * 2
    only = items(world.call("GET", f"/proposals?origin={origin}", "r", "operator"))
    assert [p["id"] for p in only] == expected[1::2]
    assert only[0]["needs"][0]["id"] == their_need and only[0]["needs"][0]["area"] == "3"
    assert only[0]["recorded_by"] is None and only[0]["assessments"] == [] and only[0]["estimated_cost"] == "18500.00"
    assert [p["id"] for p in items(world.call("GET", f"/proposals?need_id={their_need}", "r", "operator"))] == \
        expected[1::2]
    one = world.call("GET", f"/proposals/{expected[1]}", "r", "stakeholder")
    assert one.status_code == 200 and one.get_json()["origin"] == origin
    if_match = {"If-Match": '"1"'}
    problem(world.call("PATCH", f"/proposals/{expected[1]}", "op-1", "operator", json={"title": "Nuovo titolo"},
                       headers=if_match), origin)
    problem(world.call("POST", f"/proposals/{expected[1]}/evaluation", "op-1", "operator",
                       json={"valuators": ["val-1"]}, headers=if_match), origin)
    problem(world.call("POST", f"/proposals/{expected[1]}/decision", "op-1", "operator",
                       json={"outcome": "rejected", "answer": "No."}, headers=if_match), origin)
    assert not world.outbox("it.pdz.consultation.proposal.updated.v1")


def test_the_map_of_services_holds_the_former_ambitis_entries_and_refuses_writes_to_them(world, merged):
    origin = merged["origin"]
    organisation = predecessor_organisation(world, origin, name="Cooperativa del Pollino")
    own = world.call("POST", "/offer", "op-1", "operator", json={
        "organisation_id": str(merged["odv"]), "name": "Centro diurno dell'Ambito unito", "area": "3",
        "target_group": "anziani", "comuni": ["076042"]})
    assert own.status_code == 201, own.get_json()
    theirs = replica_offer(world, origin, organisation)
    retired = replica_offer(world, origin, organisation, name="Servizio cessato", status="retired")
    listed = items(world.call("GET", "/offer", "r", "stakeholder"))
    assert [(o["id"], o["origin"]) for o in listed] == [(own.get_json()["id"], world.slug), (theirs, origin)]
    assert listed[1]["organisation"]["name"] == "Cooperativa del Pollino" and listed[1]["capacity"] == {
        "amount": 25, "unit": "posti"}
    everything = items(world.call("GET", f"/offer?current=false&origin={origin}", "r", "operator"))
    assert [o["id"] for o in everything] == [theirs, retired]
    assert items(world.call("GET", f"/offer?origin={world.slug}", "r", "operator"))[0]["id"] == own.get_json()["id"]
    one = world.call("GET", f"/offer/{theirs}", "r", "auditor")
    assert one.status_code == 200 and one.get_json()["origin"] == origin
    if_match = {"If-Match": '"1"'}
    problem(world.call("PATCH", f"/offer/{theirs}", "op-1", "operator", json={"name": "Nuovo nome"},
                       headers=if_match), origin)
    problem(world.call("POST", f"/offer/{theirs}/retire", "op-1", "operator", json={}, headers=if_match), origin)
