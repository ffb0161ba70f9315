"""Prioritisation rounds on the real PostgreSQL through the Flask test client: who opens, closes and cancels,
one ballot per organisation replaced on change, refusals (closed, cancelled, withdrawn, suspended), exact
results stored once, and every event in the outbox valid against its schema with no voter in it."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.test_consultation_contributions_world import table, world  # noqa: F401


def proposal(world, table_id, organisation_id, title, *, status="submitted"):
    """A proposal row written with plain SQL (the contributions package owns its API)."""
    proposal_id = uuid.uuid4()
    decided = status in ("accepted", "rejected")
    world.sql("INSERT INTO proposals (id, table_id, organisation_id, title, description, expected_outcome,"
              " estimated_cost, status, valuators, answer, decided_at, recorded_by, recorded_by_role, updated_by)"
              " VALUES (%s, %s, %s, %s, 'Descrizione', 'Esito atteso', 1000.00, %s, %s, %s, %s, 'rep-a',"
              " 'stakeholder', 'rep-a')",
              (proposal_id, table_id, organisation_id, title, status,
               [] if status == "submitted" else ["val-1"], "Risposta" if decided else None,
               datetime.now(timezone.utc) if decided else None))
    return proposal_id


@pytest.fixture
def ranked(world, table):
    """Three proposals of the table (two submitted, one under evaluation)."""
    return [proposal(world, table["id"], table["odv"], "Navetta sociale"),
            proposal(world, table["id"], table["aps"], "Sportello anziani", status="under_evaluation"),
            proposal(world, table["id"], table["odv"], "Centro diurno estivo")]


def later(**delta):
    return (datetime.now(timezone.utc) + timedelta(**(delta or {"days": 7}))).isoformat()


def round_body(table, ranked, **extra):
    return {"table_id": str(table["id"]), "title": "Priorità del tavolo 2026",
            "proposal_ids": [str(p) for p in ranked], "points": 10, "closes_at": later(), **extra}


def open_round(world, table, ranked, who=("coord-1", "coordinator"), **extra):
    response = world.call("POST", "/rounds", *who, json=round_body(table, ranked, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def vote(world, round_id, organisation, points: dict, who=("rep-a", "stakeholder"), headers=None, **extra):
    body = {"allocations": [{"proposal_id": str(p), "points": n} for p, n in points.items()], **extra}
    return world.call("PUT", f"/rounds/{round_id}/ballots/{organisation}", *who, json=body, headers=headers)


def expire(world, round_id):
    """The closing time passes (moved back in the row: no waiting)."""
    world.sql("UPDATE rounds SET closes_at = now() - interval '1 second' WHERE id = %s", (round_id,))


def test_the_tables_managers_open_a_round_and_nobody_else(world, table, ranked):
    other_table = world.table("Altro tavolo", coordinator="coord-2")
    elsewhere = proposal(world, other_table, table["odv"], "Proposta di un altro tavolo")
    accepted = proposal(world, table["id"], table["odv"], "Proposta accolta", status="accepted")
    for who, status in ((("coord-2", "coordinator"), 403), (("rep-a", "stakeholder"), 403),
                        (("aud", "auditor"), 403), (("region", "regional-admin"), 403)):
        assert world.call("POST", "/rounds", *who, json=round_body(table, ranked)).status_code == status, who

    def field(**extra):
        response = world.call("POST", "/rounds", "op-1", "operator", json=round_body(table, ranked, **extra))
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"][0]["field"]

    assert field(proposal_ids=[str(ranked[0]), str(elsewhere)]) == "proposal_ids.1"
    assert field(proposal_ids=[str(accepted), str(ranked[0])]) == "proposal_ids.0"
    assert field(proposal_ids=[str(ranked[0]), str(ranked[0])]) == "proposal_ids"
    assert field(proposal_ids=[str(ranked[0])]) == "proposal_ids"
    assert field(closes_at=later(minutes=-1)) == "closes_at"
    assert field(points=0) == "points"
    assert field(points=1001) == "points"
    assert field(table_id=str(uuid.uuid4())) == "table_id"
    assert world.sql("SELECT count(*) AS n FROM rounds")[0]["n"] == 0
    assert world.outbox() == []

    key, body = {"Idempotency-Key": "round-1"}, round_body(table, ranked)
    first = world.call("POST", "/rounds", "coord-1", "coordinator", json=body, headers=key)
    again = world.call("POST", "/rounds", "coord-1", "coordinator", json=body, headers=key)
    assert first.status_code == again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    created = first.get_json()
    assert again.get_json()["id"] == created["id"] and first.headers["ETag"] == '"1"'
    assert (created["status"], created["accepting_ballots"], created["ballots_count"], created["results"]) == (
        "open", True, 0, None)
    assert [p["id"] for p in created["proposals"]] == [str(p) for p in ranked]
    assert created["opened_by_role"] == "coordinator"
    opened = world.outbox("it.pdz.consultation.round.opened.v1")
    assert len(opened) == 1 and opened[0]["data"]["proposal_ids"] == [str(p) for p in ranked]
    # An operator opens on any table; every role reads.
    open_round(world, table, ranked[:2], who=("op-1", "operator"))
    for who in (("aud", "auditor"), ("rep-b", "stakeholder"), ("region", "regional-admin")):
        listed = world.call("GET", f"/rounds?table_id={table['id']}", *who).get_json()
        assert len(listed["items"]) == 2, who
    world.sql("UPDATE consultation_tables SET status = 'closed', closed_at = now() WHERE id = %s", (table["id"],))
    refused = world.call("POST", "/rounds", "op-1", "operator", json=round_body(table, ranked))
    assert (refused.status_code, refused.get_json()["type"].rsplit("/", 1)[1]) == (409, "table-closed")


def test_one_ballot_per_organisation_replaced_until_close(world, table, ranked):
    round_ = open_round(world, table, ranked)
    rid = round_["id"]
    first = vote(world, rid, table["odv"], {ranked[0]: 7, ranked[1]: 3})
    assert first.status_code == 201, first.get_json()
    assert first.headers["ETag"] == '"1"' and first.get_json()["cast_by_role"] == "stakeholder"
    changed = vote(world, rid, table["odv"], {ranked[2]: 10, ranked[0]: 0})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    assert changed.get_json()["allocations"] == [{"proposal_id": str(ranked[2]), "points": 10}]
    rows = world.sql("SELECT organisation_id, proposal_id, points FROM round_ballot_points WHERE round_id = %s",
                     (rid,))
    assert [(r["proposal_id"], r["points"]) for r in rows] == [(ranked[2], 10)]
    assert world.sql("SELECT count(*) AS n FROM round_ballots")[0]["n"] == 1
    # If-Match, when sent: only the version read; none for an organisation with no ballot yet.
    assert vote(world, rid, table["odv"], {ranked[0]: 10}, headers={"If-Match": '"1"'}).status_code == 412
    assert vote(world, rid, table["aps"], {ranked[0]: 10}, who=("rep-b", "stakeholder"),
                headers={"If-Match": '"1"'}).status_code == 412
    assert vote(world, rid, table["odv"], {ranked[0]: 10}, headers={"If-Match": '"2"'}).headers["ETag"] == '"3"'

    def invalid(points, **who):
        response = vote(world, rid, table["aps"], points, who=("rep-b", "stakeholder"))
        assert response.status_code == 422, response.get_json()
        return [e["field"] for e in response.get_json()["errors"]]

    assert invalid({ranked[0]: 6, ranked[1]: 3}) == ["allocations"]
    assert invalid({ranked[0]: 5, uuid.uuid4(): 5}) == ["allocations.1.proposal_id"]
    assert invalid({ranked[0]: -1, ranked[1]: 11}) == ["allocations.0.points"]
    # A representative votes for its own organisation only.
    assert vote(world, rid, table["aps"], {ranked[0]: 10}).status_code == 403
    assert vote(world, rid, table["aps"], {ranked[1]: 10}, who=("rep-b", "stakeholder")).status_code == 201
    # Who reads the ballots: the office; a representative its own organisation's.
    assert world.call("GET", f"/rounds/{rid}/ballots", "coord-1", "coordinator").get_json()["items"][0][
        "organisation_id"] == str(table["odv"])
    for who in (("rep-a", "stakeholder"), ("aud", "auditor"), ("coord-2", "coordinator"), ("r", "regional-admin")):
        assert world.call("GET", f"/rounds/{rid}/ballots", *who).status_code == 403, who
    assert world.call("GET", f"/rounds/{rid}/ballots/{table['odv']}", "rep-a", "stakeholder").status_code == 200
    assert world.call("GET", f"/rounds/{rid}/ballots/{table['aps']}", "rep-a", "stakeholder").status_code == 403
    assert world.call("GET", f"/rounds/{rid}/ballots/{table['aps']}", "aud", "auditor").status_code == 403
    # Readers see how many have voted, never what.
    seen = world.call("GET", f"/rounds/{rid}", "aud", "auditor").get_json()
    assert (seen["ballots_count"], seen["results"]) == (2, None)
    cast = world.outbox("it.pdz.consultation.round.ballot_cast.v1")
    assert [(e["data"]["ballots_count"], e["data"]["replaced"]) for e in cast] == [
        (1, False), (1, True), (1, True), (2, False)]
    assert world.sql("SELECT count(*) AS n FROM round_ballots")[0]["n"] == 2
    assert not any(str(table["odv"]) in str(e["data"]) or "rep-a" in str(e["data"]) for e in cast)


def test_the_office_votes_on_behalf_marked_so(world, table, ranked):
    rid = open_round(world, table, ranked)["id"]
    assert vote(world, rid, table["aps"], {ranked[0]: 10}, who=("op-1", "operator")).status_code == 403
    assert vote(world, rid, table["aps"], {ranked[0]: 10}, who=("coord-2", "coordinator"),
                on_behalf=True).status_code == 403
    done = vote(world, rid, table["aps"], {ranked[0]: 10}, who=("op-1", "operator"), on_behalf=True)
    assert done.status_code == 201
    assert (done.get_json()["on_behalf"], done.get_json()["cast_by_role"]) == (True, "operator")
    assert world.outbox("it.pdz.consultation.round.ballot_cast.v1")[0]["data"]["on_behalf"] is True
    # A representative may not claim to be the office.
    assert vote(world, rid, table["odv"], {ranked[0]: 10}, on_behalf=True).status_code == 403
    # Not for an organisation that is not a member of the table.
    stranger = world.organisation("Cooperativa Esterna")
    assert vote(world, rid, stranger, {ranked[0]: 10}, who=("op-1", "operator"), on_behalf=True).status_code == 403


def test_withdrawn_and_suspended_organisations_cannot_vote_and_past_ballots_stay(world, table, ranked):
    rid = open_round(world, table, ranked)["id"]
    assert vote(world, rid, table["odv"], {ranked[0]: 10}).status_code == 201
    world.organisation("ODV Amici del Pollino", status="withdrawn", version=2, organisation_id=table["odv"])
    world.organisation("APS Borghi Solidali", status="suspended", version=2, organisation_id=table["aps"])
    for organisation, who, code in ((table["odv"], "rep-a", "organisation-withdrawn"),
                                    (table["aps"], "rep-b", "organisation-suspended")):
        refused = vote(world, rid, organisation, {ranked[1]: 10}, who=(who, "stakeholder"))
        assert (refused.status_code, refused.get_json()["type"].rsplit("/", 1)[1]) == (409, code)
        on_behalf = vote(world, rid, organisation, {ranked[1]: 10}, who=("op-1", "operator"), on_behalf=True)
        assert on_behalf.status_code == 409
    # The ballot cast before the withdrawal is counted.
    expire(world, rid)
    results = world.call("GET", f"/rounds/{rid}", "aud", "auditor").get_json()["results"]
    assert results["ballots_count"] == 1 and results["ranking"][0]["proposal_id"] == str(ranked[0])


def test_results_are_exact_stored_once_and_published_without_voters(world, table, ranked):
    third = world.organisation("Cooperativa Il Melograno")
    world.member(table["id"], third, "rep-c")
    rid = open_round(world, table, ranked)["id"]
    # ranked[1] and ranked[2] tie on 8 points from two organisations each: ranked[1] was submitted first.
    assert vote(world, rid, table["odv"], {ranked[0]: 4, ranked[1]: 3, ranked[2]: 3}).status_code == 201
    assert vote(world, rid, table["aps"], {ranked[1]: 5, ranked[2]: 5}, who=("rep-b", "stakeholder")).status_code == 201
    assert vote(world, rid, third, {ranked[0]: 10}, who=("rep-c", "stakeholder")).status_code == 201
    expire(world, rid)
    refused = vote(world, rid, table["odv"], {ranked[0]: 10})
    assert (refused.status_code, refused.get_json()["type"].rsplit("/", 1)[1]) == (409, "round-closed")
    # Closed for every reader now, results included; the first reads store it, once.
    listed = world.call("GET", "/rounds?status=closed", "rep-b", "stakeholder").get_json()["items"]
    got = world.call("GET", f"/rounds/{rid}", "rep-b", "stakeholder")
    round_ = got.get_json()
    assert [r["id"] for r in listed] == [rid]
    assert (round_["status"], round_["accepting_ballots"], round_["closed_early"]) == ("closed", False, False)
    ranking = [(r["rank"], r["proposal_id"], r["points"], r["organisations"]) for r in round_["results"]["ranking"]]
    assert ranking == [(1, str(ranked[0]), 14, 2), (2, str(ranked[1]), 8, 2), (3, str(ranked[2]), 8, 2)]
    assert (round_["results"]["total_points"], round_["results"]["ballots_count"]) == (30, 3)
    assert world.call("GET", f"/rounds/{rid}", "aud", "auditor").get_json()["results"] == round_["results"]
    closed = world.outbox("it.pdz.consultation.round.closed.v1")
    assert len(closed) == 1
    data = closed[0]["data"]
    assert [(r["rank"], r["proposal_id"], r["points"], r["organisations"]) for r in data["ranking"]] == ranking
    assert data["tie_break"] == ["points", "organisations", "submitted_at", "proposal_id"]
    assert not any(str(o) in str(data) for o in (table["odv"], table["aps"], third))
    stored = world.sql("SELECT rank, points FROM round_results WHERE round_id = %s ORDER BY rank", (rid,))
    assert [(r["rank"], r["points"]) for r in stored] == [(1, 14), (2, 8), (3, 8)]
    # Closed means closed: no cancellation, no early close.
    version = got.headers["ETag"]
    for action in ("cancel", "close"):
        response = world.call("POST", f"/rounds/{rid}/{action}", "op-1", "operator", json={},
                              headers={"If-Match": version})
        assert response.status_code == 409, action


def test_the_office_closes_early_or_cancels(world, table, ranked):
    rid = open_round(world, table, ranked)["id"]
    assert vote(world, rid, table["odv"], {ranked[2]: 10}).status_code == 201
    path = f"/rounds/{rid}/close"
    assert world.call("POST", path, "coord-1", "coordinator").status_code == 428
    assert world.call("POST", path, "coord-1", "coordinator", headers={"If-Match": '"9"'}).status_code == 412
    assert world.call("POST", path, "coord-2", "coordinator", headers={"If-Match": '"1"'}).status_code == 403
    assert world.call("POST", path, "rep-a", "stakeholder", headers={"If-Match": '"1"'}).status_code == 403
    closed = world.call("POST", path, "coord-1", "coordinator", headers={"If-Match": '"1"'})
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert (body["status"], body["closed_early"], body["results"]["ranking"][0]["proposal_id"]) == (
        "closed", True, str(ranked[2]))
    assert vote(world, rid, table["odv"], {ranked[0]: 10}).status_code == 409
    assert world.outbox("it.pdz.consultation.round.closed.v1")[0]["data"]["closed_early"] is True

    other = open_round(world, table, ranked)["id"]
    cancel = f"/rounds/{other}/cancel"
    assert world.call("POST", cancel, "rep-a", "stakeholder", json={}, headers={"If-Match": '"1"'}).status_code == 403
    cancelled = world.call("POST", cancel, "op-1", "operator", json={"reason": "Proposte da riformulare"},
                           headers={"If-Match": '"1"'})
    assert cancelled.status_code == 200
    assert (cancelled.get_json()["status"], cancelled.get_json()["results"]) == ("cancelled", None)
    refused = vote(world, other, table["odv"], {ranked[0]: 10})
    assert (refused.status_code, refused.get_json()["type"].rsplit("/", 1)[1]) == (409, "round-cancelled")
    event = world.outbox("it.pdz.consultation.round.cancelled.v1")[0]["data"]
    assert "riformulare" not in str(event) and event["status"] == "cancelled"
    # Another Ambito sees none of it.
    assert world.call("GET", f"/rounds/{other}", "op-x", "operator", tenant=world.other).status_code == 404
