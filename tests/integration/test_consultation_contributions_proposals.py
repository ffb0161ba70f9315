"""Proposals and their life cycle on the real PostgreSQL through the Flask test client: authorship, exact
money, evaluation, assessments, decisions (who may do each), merges, and the accepted event for planning."""
from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from tests.integration.test_consultation_contributions_world import (need_body, proposal_body,  # noqa: F401
                                                                     table, world)


@pytest.fixture
def needs(world, table):
    """Two needs of the ODV (areas 3 and 5) and one of the APS."""
    world.territory("076042", "076097")
    made = [world.call("POST", "/needs", "rep-a", "stakeholder",
                       json=need_body(table["id"], table["odv"], area="3", comuni=["076042"])),
            world.call("POST", "/needs", "rep-a", "stakeholder",
                       json=need_body(table["id"], table["odv"], area="5", target_group="disabilita",
                                      comuni=["076097", "076042"])),
            world.call("POST", "/needs", "rep-b", "stakeholder", json=need_body(table["id"], table["aps"]))]
    assert all(r.status_code == 201 for r in made)
    return [r.get_json()["id"] for r in made]


def submit(world, table, needs, who=("rep-a", "stakeholder"), organisation="odv", **extra):
    response = world.call("POST", "/proposals", *who,
                          json=proposal_body(table["id"], table[organisation], needs, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_proposal_answers_needs_and_carries_their_areas(world, table, needs):
    proposal = submit(world, table, [needs[1], needs[0], needs[1]], deliverers=[str(table["aps"]), str(table["odv"])])
    assert [n["id"] for n in proposal["needs"]] == [needs[1], needs[0]]
    assert proposal["areas"] == ["5", "3"] and proposal["target_groups"] == ["disabilita", "anziani"]
    assert proposal["comuni"] == ["076097", "076042"]
    assert proposal["deliverers"] == [str(table["aps"]), str(table["odv"])]
    assert (proposal["status"], proposal["estimated_cost"], proposal["on_behalf"]) == ("submitted", "18500.00", False)
    # A need of any table of the Ambito may be answered (the APS's here), but not an unknown one.
    assert submit(world, table, [needs[2]])["areas"] == ["3"]

    def field(**extra):
        response = world.call("POST", "/proposals", "rep-a", "stakeholder",
                              json=proposal_body(table["id"], table["odv"], needs[:1], **extra))
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"][0]["field"]

    assert field(need_ids=[]) == "need_ids"
    assert field(need_ids=[needs[0], str(uuid.uuid4())]) == "need_ids.1"
    assert field(deliverers=[str(uuid.uuid4())]) == "deliverers.0"
    gone = world.organisation("Cooperativa Ritirata", status="withdrawn", version=2)
    assert field(deliverers=[str(gone)]) == "deliverers.0"
    # Same authorship rules as needs.
    assert world.call("POST", "/proposals", "rep-b", "stakeholder",
                      json=proposal_body(table["id"], table["odv"], needs[:1])).status_code == 403
    on_behalf = submit(world, table, needs[:1], who=("op-1", "operator"), organisation="aps", on_behalf=True)
    assert (on_behalf["on_behalf"], on_behalf["recorded_by"], on_behalf["recorded_by_role"]) == (
        True, "op-1", "operator")
    submitted = world.outbox("it.pdz.consultation.proposal.submitted.v1")
    assert [e["data"]["on_behalf"] for e in submitted] == [False, False, True]
    assert submitted[0]["data"]["areas"] == ["5", "3"] and submitted[0]["data"]["estimated_cost"] == "18500.00"


def test_costs_are_exact_decimals_never_floats(world, table, needs):
    ten, twenty = (submit(world, table, needs[:1], estimated_cost=cost) for cost in ("0.10", "0.20"))
    assert (ten["estimated_cost"], twenty["estimated_cost"]) == ("0.10", "0.20")
    [row] = world.sql("SELECT sum(estimated_cost) AS total, pg_typeof(sum(estimated_cost))::text AS type"
                      " FROM proposals WHERE id = ANY(%s)", ([uuid.UUID(ten["id"]), uuid.UUID(twenty["id"])],))
    assert row["total"] == Decimal("0.30") and row["type"] == "numeric"
    assert Decimal(ten["estimated_cost"]) + Decimal(twenty["estimated_cost"]) == Decimal("0.30")
    assert submit(world, table, needs[:1], estimated_cost="999999999999.99")["estimated_cost"] == "999999999999.99"
    assert submit(world, table, needs[:1], estimated_cost="7")["estimated_cost"] == "7.00"
    for bad in (0.1, 18500, "-1.00", "1.005", "1e3", "1.000.000,00"):
        response = world.call("POST", "/proposals", "rep-a", "stakeholder",
                              json=proposal_body(table["id"], table["odv"], needs[:1], estimated_cost=bad))
        assert response.status_code == 422, bad
        assert response.get_json()["errors"][0]["field"] == "estimated_cost"
    edited = world.call("PATCH", f"/proposals/{ten['id']}", "rep-a", "stakeholder", json={"estimated_cost": "0.35"},
                        headers={"If-Match": '"1"'})
    assert edited.status_code == 200 and edited.get_json()["estimated_cost"] == "0.35"
    updated = world.outbox("it.pdz.consultation.proposal.updated.v1")
    assert [(e["data"]["estimated_cost"], e["data"]["changed"]) for e in updated] == [("0.35", ["estimated_cost"])]


def test_the_life_cycle_and_who_may_do_each_step(world, table, needs):
    proposal = submit(world, table, needs[:2], deliverers=[str(table["aps"])], estimated_cost="18500.00")
    path = f"/proposals/{proposal['id']}"
    # Evaluation: the office or this table's coordinator; not representatives, not another coordinator.
    body = {"valuators": ["tecnico-1", "tecnico-2"]}
    for who in (("rep-a", "stakeholder"), ("coord-9", "coordinator")):
        assert world.call("POST", f"{path}/evaluation", *who, json=body,
                          headers={"If-Match": '"1"'}).status_code == 403, who
    # No one evaluates their own organisation's proposal.
    conflict = world.call("POST", f"{path}/evaluation", "coord-1", "coordinator", json={"valuators": ["rep-a"]},
                          headers={"If-Match": '"1"'})
    assert conflict.status_code == 422 and conflict.get_json()["errors"][0]["field"] == "valuators.0"
    started = world.call("POST", f"{path}/evaluation", "coord-1", "coordinator", json=body, headers={"If-Match": '"1"'})
    assert started.status_code == 200, started.get_json()
    assert started.get_json()["status"] == "under_evaluation" and started.get_json()["valuators"] == body["valuators"]
    # Under evaluation it is no longer edited.
    frozen = world.call("PATCH", path, "rep-a", "stakeholder", json={"title": "Altro"}, headers={"If-Match": '"2"'})
    assert frozen.status_code == 409 and frozen.get_json()["type"].endswith("/proposal-state")
    # Accepting needs an assessment first.
    early = world.call("POST", f"{path}/decision", "op-1", "operator", json={"outcome": "accepted", "answer": "Sì"},
                       headers={"If-Match": '"2"'})
    assert early.status_code == 409 and early.get_json()["type"].endswith("/proposal-state")
    # Only assigned valuators assess.
    assessment = {"feasibility": "high", "feasibility_note": "Mezzi disponibili", "assessed_cost": "19000.10",
                  "cost_note": "Carburante"}
    intruder = world.call("PUT", f"{path}/assessment", "op-1", "operator", json=assessment)
    assert intruder.status_code == 403 and intruder.get_json()["type"].endswith("/not-permitted")
    assert world.call("PUT", f"{path}/assessment", "tecnico-1", "auditor", json=assessment).status_code == 403
    first = world.call("PUT", f"{path}/assessment", "tecnico-1", "stakeholder", json=assessment)
    assert first.status_code == 200 and first.headers["ETag"] == '"3"', first.get_json()
    again = world.call("PUT", f"{path}/assessment", "tecnico-1", "stakeholder",
                       json={**assessment, "feasibility": "medium", "assessed_cost": "19000.20"})
    second = world.call("PUT", f"{path}/assessment", "tecnico-2", "operator",
                        json={**assessment, "feasibility": "low", "assessed_cost": "17000"})
    assert again.status_code == second.status_code == 200
    assessments = second.get_json()["assessments"]
    assert [(a["valuator"], a["feasibility"], a["assessed_cost"]) for a in assessments] == [
        ("tecnico-1", "medium", "19000.20"), ("tecnico-2", "low", "17000.00")]
    # Decisions: the Ufficio di Piano only, with the ETag that has seen every assessment.
    decision = {"outcome": "accepted", "answer": "Accolta: risponde ai bisogni di due tavoli."}
    assert world.call("POST", f"{path}/decision", "coord-1", "coordinator", json=decision,
                      headers={"If-Match": '"5"'}).status_code == 403
    stale = world.call("POST", f"{path}/decision", "op-1", "operator", json=decision, headers={"If-Match": '"3"'})
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == '"5"'
    accepted = world.call("POST", f"{path}/decision", "op-1", "operator", json=decision, headers={"If-Match": '"5"'})
    assert accepted.status_code == 200, accepted.get_json()
    assert (accepted.get_json()["status"], accepted.get_json()["answer"]) == ("accepted", decision["answer"])
    # Final: nothing moves it any more; the answer is published with it.
    for step in (("POST", f"{path}/decision", {"outcome": "rejected", "answer": "No"}, '"6"'),
                 ("POST", f"{path}/evaluation", body, '"6"')):
        moved = world.call(step[0], step[1], "op-1", "operator", json=step[2], headers={"If-Match": step[3]})
        assert moved.status_code == 409, step
    late = world.call("PUT", f"{path}/assessment", "tecnico-1", "stakeholder", json=assessment)
    assert late.status_code == 409
    read = world.call("GET", path, "rep-b", "stakeholder").get_json()
    assert read["answer"] == decision["answer"] and read["decided_by"] == "op-1"
    types = [e["type"].rsplit(".", 2)[-2] for e in world.outbox()
             if e["type"].startswith("it.pdz.consultation.proposal")]
    assert types == ["submitted", "evaluation_started", "assessed", "assessed", "assessed", "accepted"]


def test_the_accepted_event_has_what_planning_needs(world, table, needs):
    duplicate = submit(world, table, needs[:1], organisation="aps", who=("rep-b", "stakeholder"), estimated_cost="900")
    proposal = submit(world, table, needs[:2], deliverers=[str(table["aps"])], estimated_cost="18500.10")
    for item in (duplicate, proposal):
        started = world.call("POST", f"/proposals/{item['id']}/evaluation", "op-1", "operator",
                             json={"valuators": ["tecnico-1"]}, headers={"If-Match": '"1"'})
        assert started.status_code == 200
    merged = world.call("POST", f"/proposals/{duplicate['id']}/decision", "op-1", "operator",
                        json={"outcome": "merged", "answer": "Confluisce nella navetta.",
                              "merged_into": proposal["id"]},
                        headers={"If-Match": '"2"'})
    assert merged.status_code == 200 and merged.get_json()["merged_into"] == proposal["id"], merged.get_json()
    world.call("PUT", f"/proposals/{proposal['id']}/assessment", "tecnico-1", "stakeholder",
               json={"feasibility": "high", "assessed_cost": "0.10"})
    accepted = world.call("POST", f"/proposals/{proposal['id']}/decision", "op-1", "operator",
                          json={"outcome": "accepted", "answer": "Accolta."}, headers={"If-Match": '"3"'})
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["merged_from"] == [duplicate["id"]]
    [event] = world.outbox("it.pdz.consultation.proposal.accepted.v1")   # validated against its schema
    data = event["data"]
    assert event["subject"] == proposal["id"]
    assert (data["proposal_id"], data["title"], data["status"], data["answer"]) == (
        proposal["id"], "Navetta sociale", "accepted", "Accolta.")
    assert data["areas"] == ["3", "5"] and data["target_groups"] == ["anziani", "disabilita"]
    assert data["needs"] == [{"need_id": needs[0], "area": "3", "target_group": "anziani", "comuni": ["076042"]},
                             {"need_id": needs[1], "area": "5", "target_group": "disabilita",
                              "comuni": ["076097", "076042"]}]
    assert data["expected_outcome"] == "60 anziani raggiungono i servizi."
    assert data["estimated_cost"] == "18500.10" and data["assessments"] == [{"feasibility": "high",
                                                                           "assessed_cost": "0.10"}]
    assert data["deliverers"] == [str(table["aps"])] and data["organisation_id"] == str(table["odv"])
    assert data["merged_from"] == [duplicate["id"]] and data["table_id"] == str(table["id"])
    # No accounts (valuators, recorders, deciders) in any event.
    for row in world.outbox():
        assert not any(name in str(row["data"]) for name in ("tecnico-1", "op-1", "rep-a", "rep-b")), row["type"]
    [merge_event] = world.outbox("it.pdz.consultation.proposal.merged.v1")
    assert merge_event["data"]["merged_into"] == proposal["id"]


def test_merge_targets_and_rejections(world, table, needs):
    a, b, c = (submit(world, table, needs[:1]) for _ in range(3))
    for item in (a, b, c):
        world.call("POST", f"/proposals/{item['id']}/evaluation", "op-1", "operator",
                   json={"valuators": ["tecnico-1"]}, headers={"If-Match": '"1"'})

    def decide(item, version, **body):
        return world.call("POST", f"/proposals/{item['id']}/decision", "op-1", "operator",
                          json={"answer": "Motivazione", **body}, headers={"If-Match": f'"{version}"'})

    itself = decide(a, 2, outcome="merged", merged_into=a["id"])
    assert itself.status_code == 409 and itself.get_json()["type"].endswith("/merge-target")
    missing = decide(a, 2, outcome="merged", merged_into=str(uuid.uuid4()))
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["field"] == "merged_into"
    assert decide(a, 2, outcome="merged").get_json()["type"].endswith("/merge-target")
    assert decide(a, 2, outcome="rejected", answer="   ").status_code == 422   # a blank answer is no answer
    rejected = decide(c, 2, outcome="rejected", answer="Già coperta dal SAD.")
    assert rejected.status_code == 200 and rejected.get_json()["answer"] == "Già coperta dal SAD."
    into_rejected = decide(a, 2, outcome="merged", merged_into=c["id"])
    assert into_rejected.status_code == 409 and into_rejected.get_json()["type"].endswith("/merge-target")
    assert decide(a, 2, outcome="merged", merged_into=b["id"]).status_code == 200
    # b cannot now merge into a (a is merged: no cycles).
    back = decide(b, 2, outcome="merged", merged_into=a["id"])
    assert back.status_code == 409 and back.get_json()["type"].endswith("/merge-target")
    assert world.call("GET", "/proposals?status=merged", "aud", "auditor").get_json()["items"][0]["id"] == a["id"]
    assert [e["data"]["proposal_id"] for e in world.outbox("it.pdz.consultation.proposal.rejected.v1")] == [c["id"]]


def test_a_withdrawn_organisations_proposals_stay_and_it_submits_no_more(world, table, needs):
    kept = submit(world, table, needs[:1])
    world.organisation("ODV Amici del Pollino", status="withdrawn", version=2, organisation_id=table["odv"])
    for who, on_behalf in ((("rep-a", "stakeholder"), False), (("op-1", "operator"), True)):
        refused = world.call("POST", "/proposals", *who,
                             json=proposal_body(table["id"], table["odv"], needs[:1], on_behalf=on_behalf))
        assert refused.status_code == 409 and refused.get_json()["type"].endswith("/organisation-withdrawn")
    # Its proposal stays, is listed and may still be evaluated and decided by the office.
    listed = world.call("GET", f"/proposals?organisation_id={table['odv']}", "aud", "auditor").get_json()["items"]
    assert [p["id"] for p in listed] == [kept["id"]]
    started = world.call("POST", f"/proposals/{kept['id']}/evaluation", "op-1", "operator",
                         json={"valuators": ["tecnico-1"]}, headers={"If-Match": '"1"'})
    assert started.status_code == 200


def test_filters_cursor_and_isolation(world, table, needs):
    ids = [submit(world, table, [need])["id"] for need in needs[:2]]
    ids.append(submit(world, table, needs[2:], organisation="aps", who=("rep-b", "stakeholder"))["id"])

    def found(query, tenant=None):
        response = world.call("GET", f"/proposals?{query}", "x", "regional-admin", tenant=tenant)
        assert response.status_code == 200, response.get_json()
        return [p["id"] for p in response.get_json()["items"]]

    assert found(f"need_id={needs[1]}") == [ids[1]]
    assert found("area=3") == [ids[0], ids[2]]
    assert found(f"organisation_id={table['aps']}") == [ids[2]]
    assert found("status=submitted") == ids and found("status=accepted") == []
    first = world.call("GET", "/proposals?limit=2", "aud", "auditor").get_json()
    second = world.call("GET", f"/proposals?limit=2&after={first['next_cursor']}", "aud", "auditor").get_json()
    assert [p["id"] for p in first["items"] + second["items"]] == ids and second["next_cursor"] is None
    assert found("", tenant=world.other) == []
    assert world.call("GET", f"/proposals/{uuid.uuid4()}", "aud", "auditor").status_code == 404
