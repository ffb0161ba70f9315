"""Rounds under concurrency, on the real PostgreSQL with two real connections (or two request threads):
two representatives of one organisation voting at once leave exactly one ballot; two first reads after the
closing time store the results and the closed event once."""
from __future__ import annotations

import threading
import time
import uuid

import psycopg

from services.consultation.rounds import ballots_service, service
from services.consultation.tables.access import Caller
from tests.integration.test_consultation_contributions_world import table, world  # noqa: F401
from tests.integration.test_consultation_rounds import expire, open_round, proposal, vote


def waiting_on_a_lock(world, pid: int, deadline: float = 30.0) -> None:
    """Poll until the backend `pid` waits for a lock (it is blocked behind the other transaction)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        rows = world.sql("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,))
        if rows and rows[0]["wait_event_type"] == "Lock":
            return
        time.sleep(0.05)  # polling for a condition, not synchronising on time
    raise AssertionError("the second transaction never waited for the first")


def in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except BaseException as exc:  # reported by the test, not lost in the thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def two_proposals(world, table):
    return [proposal(world, table["id"], table["odv"], "Navetta sociale"),
            proposal(world, table["id"], table["aps"], "Sportello anziani")]


def test_two_representatives_of_one_organisation_at_once_leave_one_ballot(world, table):
    ranked = two_proposals(world, table)
    world.sql("UPDATE table_members SET accounts = '{rep-a,rep-a2}' WHERE organisation_id = %s", (table["odv"],))
    rid = uuid.UUID(open_round(world, table, ranked)["id"])
    first_points = {ranked[0]: 10}
    second_points = {ranked[1]: 10}

    def cast(conn, who, points):
        return ballots_service.cast_ballot(
            conn=conn, tenant=world.slug, caller=Caller(who, frozenset({"stakeholder"})), round_id=rid,
            organisation_id=table["odv"], allocations=[{"proposal_id": p, "points": n} for p, n in points.items()],
            on_behalf=False, version=None)

    with psycopg.connect(world.url()) as first, psycopg.connect(world.url()) as second:
        first.execute("SELECT 1")  # an open transaction: the use case's block is a savepoint inside it
        _ballot, created = cast(first, "rep-a", first_points)
        assert created
        thread, outcome = in_thread(lambda: cast(second, "rep-a2", second_points))
        waiting_on_a_lock(world, second.info.backend_pid)
        first.commit()
        thread.join()
        second.commit()
    assert "error" not in outcome, outcome.get("error")
    ballot, created = outcome["value"]
    assert not created and ballot["version"] == 2 and ballot["cast_by"] == "rep-a2"
    assert world.sql("SELECT count(*) AS n FROM round_ballots WHERE round_id = %s", (rid,))[0]["n"] == 1
    rows = world.sql("SELECT proposal_id, points FROM round_ballot_points WHERE round_id = %s", (rid,))
    assert [(r["proposal_id"], r["points"]) for r in rows] == [(ranked[1], 10)]


def test_two_requests_at_once_through_the_api_leave_one_ballot(world, table):
    ranked = two_proposals(world, table)
    world.sql("UPDATE table_members SET accounts = '{rep-a,rep-a2}' WHERE organisation_id = %s", (table["odv"],))
    rid = open_round(world, table, ranked)["id"]
    barrier = threading.Barrier(2)
    sent = {"rep-a": {ranked[0]: 7, ranked[1]: 3}, "rep-a2": {ranked[0]: 2, ranked[1]: 8}}

    def cast(who):
        barrier.wait()
        return vote(world, rid, table["odv"], sent[who], who=(who, "stakeholder"))

    threads = [in_thread(lambda who=who: cast(who)) for who in sent]
    for thread, _ in threads:
        thread.join()
    answers = [outcome["value"] for _, outcome in threads]
    assert sorted(a.status_code for a in answers) == [200, 201], [a.get_json() for a in answers]
    rows = world.sql("SELECT b.cast_by, b.version, p.proposal_id, p.points FROM round_ballots b"
                     " JOIN round_ballot_points p USING (round_id, organisation_id) WHERE b.round_id = %s", (rid,))
    assert {r["cast_by"] for r in rows} in ({"rep-a"}, {"rep-a2"}) and {r["version"] for r in rows} == {2}
    assert {r["proposal_id"]: r["points"] for r in rows} == sent[rows[0]["cast_by"]]
    cast_events = world.outbox("it.pdz.consultation.round.ballot_cast.v1")
    assert [(e["data"]["ballots_count"], e["data"]["replaced"]) for e in cast_events] == [(1, False), (1, True)]


def test_two_first_reads_after_the_closing_time_store_the_results_once(world, table):
    ranked = two_proposals(world, table)
    rid = uuid.UUID(open_round(world, table, ranked)["id"])
    assert vote(world, rid, table["odv"], {ranked[1]: 10}).status_code == 201
    expire(world, rid)
    with psycopg.connect(world.url()) as first, psycopg.connect(world.url()) as second:
        first.execute("SELECT 1")
        assert service.close_due(conn=first, tenant=world.slug, round_id=rid)["status"] == "closed"
        thread, outcome = in_thread(lambda: service.close_due(conn=second, tenant=world.slug, round_id=rid))
        waiting_on_a_lock(world, second.info.backend_pid)
        first.commit()
        thread.join()
        second.commit()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["value"]["results"]["ranking"][0]["proposal_id"] == ranked[1]
    assert len(world.outbox("it.pdz.consultation.round.closed.v1")) == 1
    assert world.sql("SELECT count(*) AS n FROM round_results WHERE round_id = %s", (rid,))[0]["n"] == 2
    # And through the API, two readers at once: still one event.
    other = open_round(world, table, ranked)["id"]
    expire(world, other)
    barrier = threading.Barrier(2)

    def read():
        barrier.wait()
        return world.call("GET", f"/rounds/{other}", "aud", "auditor")

    threads = [in_thread(read) for _ in range(2)]
    for thread, _ in threads:
        thread.join()
    bodies = [outcome["value"].get_json() for _, outcome in threads]
    assert bodies[0]["results"] == bodies[1]["results"] and bodies[0]["status"] == "closed"
    assert len(world.outbox("it.pdz.consultation.round.closed.v1")) == 2
