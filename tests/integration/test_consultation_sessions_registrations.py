"""Registrations to a session on the real PostgreSQL: who registers for whom, the seat limit and the
waiting list in order, promotions on cancellation and on a higher limit, and two registrations for the
last seat at the same time on two real connections."""
from __future__ import annotations

import threading
import time

import psycopg

from tests.integration.test_consultation_sessions import COORDINATOR, World, world  # noqa: F401 (fixture)

REP_A, REP_B, REP_C, REP_D = "rappresentante-a", "rappresentante-b", "rappresentante-c", "rappresentante-d"


def setup(world: World, *, seat_limit=None, members=3):
    table = world.table()
    orgs = [world.organisation(f"Organizzazione {n}") for n in range(members)]
    for org, rep in zip(orgs, (REP_A, REP_B, REP_C, REP_D)):
        world.member(table, org, rep)
    session = world.session(table, seat_limit=seat_limit)
    world.ok("POST", f"/sessions/{session['id']}/invitations", 201, body={})
    return table, session, orgs


def register(world, session, org, rep, *, seats=1, status=201, **body):
    response = world.call("POST", f"/sessions/{session['id']}/registrations", sub=rep, roles=("stakeholder",),
                          body={"organisation_id": org, "seats": seats, **body})
    assert response.status_code == status, response.get_json()
    return response


def test_a_representative_registers_its_own_organisation_only(world):
    _table, session, (a, b, _c) = setup(world)
    registered = register(world, session, a, REP_A).get_json()
    assert (registered["status"], registered["seats"], registered["on_behalf"]) == ("registered", 1, False)
    assert register(world, session, b, REP_A, status=403).get_json()["type"].endswith("/forbidden")
    assert register(world, session, a, "sconosciuto", status=403)
    # twice: 409, nothing more written
    assert register(world, session, a, REP_A, status=409).get_json()["type"].endswith("/already-registered")
    # a stakeholder may not claim to act on behalf; the office may
    assert register(world, session, b, REP_A, on_behalf=True, status=403)
    coordinator = world.call("POST", f"/sessions/{session['id']}/registrations", sub="altro", roles=("coordinator",),
                             body={"organisation_id": b, "on_behalf": True})
    assert coordinator.status_code == 403          # a coordinator this table does not name
    office = world.ok("POST", f"/sessions/{session['id']}/registrations", 201,
                      body={"organisation_id": b, "on_behalf": True}).get_json()
    assert office["on_behalf"] is True
    types = [t for t, _s, _d in world.outbox("it.pdz.consultation.registration.")]
    assert types == ["it.pdz.consultation.registration.registered.v1"] * 2


def test_only_invited_organisations_that_may_take_part_register(world):
    table = world.table()
    late = world.organisation("Arrivata dopo")
    session = world.session(table)
    world.member(table, late, REP_A)
    assert register(world, session, late, REP_A, status=409).get_json()["type"].endswith("/not-invited")
    world.ok("POST", f"/sessions/{session['id']}/invitations", 201, body={})
    world.set_status(late, "Arrivata dopo", status="suspended", version=2)
    assert register(world, session, late, REP_A, status=409).get_json()["type"].endswith("/organisation-suspended")


def test_the_waiting_list_keeps_its_order_and_freed_seats_go_to_its_head(world):
    _table, session, (a, b, c, d) = setup(world, seat_limit=3, members=4)
    ra = register(world, session, a, REP_A, seats=2).get_json()
    rb = register(world, session, b, REP_B, seats=2).get_json()
    rc = register(world, session, c, REP_C, seats=1).get_json()
    rd = register(world, session, d, REP_D, seats=2).get_json()
    assert (ra["status"], rb["status"], rb["position"]) == ("registered", "waiting", 1)
    # c would fit in the free seat, but b came first: no overtaking
    assert (rc["status"], rc["position"], rd["position"]) == ("waiting", 2, 3)
    shown = world.ok("GET", f"/sessions/{session['id']}").get_json()
    assert (shown["seats_taken"], shown["seats_free"], shown["waiting"]) == (2, 1, 3)
    # another representative cannot cancel a's registration
    path = f"/sessions/{session['id']}/registrations/{ra['id']}/cancel"
    assert world.call("POST", path, sub=REP_B, roles=("stakeholder",), headers={"If-Match": '"1"'}).status_code == 403
    assert world.call("POST", path, sub=REP_A, roles=("stakeholder",)).status_code == 428
    world.ok("POST", path, sub=REP_A, roles=("stakeholder",), headers={"If-Match": '"1"'})
    # the freed seats go to b then c, in order; d does not fit and keeps waiting, now first
    items = world.ok("GET", f"/sessions/{session['id']}/registrations", roles=("auditor",)).get_json()["items"]
    assert [(i["organisation_id"], i["status"], i["position"]) for i in items] == [
        (a, "cancelled", None), (b, "registered", None), (c, "registered", None), (d, "waiting", 1)]
    # a limit below the seats allotted is refused; a higher one promotes the waiting list
    response = world.call("PATCH", f"/sessions/{session['id']}", body={"seat_limit": 2}, headers={"If-Match": '"1"'})
    assert response.status_code == 409 and response.get_json()["type"].endswith("/seat-limit-below-registered")
    world.ok("PATCH", f"/sessions/{session['id']}", body={"seat_limit": 5}, headers={"If-Match": '"1"'})
    assert world.ok("GET", f"/sessions/{session['id']}/registrations/{rd['id']}").get_json()["status"] == "registered"
    events = [(t.rsplit(".", 2)[-2], d.get("organisation_id")) for t, _s, d in world.outbox()
              if ".registration." in t]
    assert events == [("registered", a), ("waitlisted", b), ("waitlisted", c), ("waitlisted", d), ("cancelled", a),
                      ("promoted", b), ("promoted", c), ("promoted", d)]
    assert {s for t, s, _d in world.outbox() if ".registration." in t} == {session["id"]}   # one key: kept in order


def test_two_registrations_for_the_last_seat_at_the_same_time_get_one_seat(world):
    _table, session, (a, b, c) = setup(world, seat_limit=2)
    register(world, session, c, REP_C)                      # one seat left
    results = {}

    def attempt(org, rep):
        # a client of its own per thread (one test client is not meant to be shared between threads)
        token = world.token(rep, ("stakeholder",))
        response = world.client.application.test_client().post(
            f"/v1/{world.slug}/sessions/{session['id']}/registrations", json={"organisation_id": org},
            headers={"Authorization": f"Bearer {token}"})
        results[org] = response.get_json().get("status") if response.status_code == 201 else response.status_code

    # Hold the session row so that both requests are inside their transactions, waiting for it, before
    # either can count the seats; then let them go together.
    # (pg_stat_activity is read from a connection of its own: inside the holder's transaction it would
    # show the snapshot taken at its first read.)
    with psycopg.connect(world.url) as holder, psycopg.connect(world.url, autocommit=True) as watcher:
        holder.execute("SELECT 1 FROM sessions WHERE id = %s FOR UPDATE", (session["id"],))
        threads = [threading.Thread(target=attempt, args=args) for args in ((a, REP_A), (b, REP_B))]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while True:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND wait_event_type = 'Lock'").fetchone()[0]
            if waiting == 2:
                break
            assert time.monotonic() < deadline, "the two registrations never waited for the session's lock"
            time.sleep(0.05)   # polling a condition with a deadline, not synchronising on time
        holder.commit()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == ["registered", "waiting"]
    shown = world.ok("GET", f"/sessions/{session['id']}").get_json()
    assert (shown["seats_taken"], shown["seats_free"], shown["waiting"]) == (2, 0, 1)
