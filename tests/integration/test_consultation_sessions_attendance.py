"""The attendance register on the real PostgreSQL: names of attendees are personal data, read only by
the operator and the table's named coordinator, every read and write in the access log, never in
events; the summary for everyone carries no name; erasure removes the names and keeps the presence."""
from __future__ import annotations

import json

from tests.integration.test_consultation_sessions import COORDINATOR, World, later, world  # noqa: F401 (fixture)

NAMES = ("Maria Rossi", "Giuseppe Verdi", "Presidente", "Segretaria")


def setup(world: World):
    table = world.table()
    odv = world.organisation("ODV Amici del Pollino")
    coop = world.organisation("Cooperativa Il Sentiero", type_="social_cooperative")
    for org in (odv, coop):
        world.member(table, org, "rappresentante")
    session = world.session(table, starts=later(hours=-1))
    world.ok("POST", f"/sessions/{session['id']}/invitations", 201, body={})
    return session, odv, coop


def record(world, session, org, *, status=201, sub=COORDINATOR, roles=("coordinator",), **body):
    response = world.call("POST", f"/sessions/{session['id']}/attendance", sub=sub, roles=roles,
                          body={"organisation_id": org, "mode": "in_person", **body})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def no_personal_data_in_events(world):
    text = json.dumps([data for _t, _s, data in world.outbox()])
    assert not any(name in text for name in NAMES), text


def log(world, **query):
    """The access log as the auditor reads it (filters as query parameters)."""
    path = "/privacy/access-log?" + "&".join(f"{k}={v}" for k, v in query.items())
    return world.ok("GET", path, roles=("auditor",)).get_json()["items"]


def test_the_named_coordinator_records_and_reads_the_register_and_every_access_is_logged(world):
    session, odv, coop = setup(world)
    first = record(world, session, odv, attendee_name="  Maria   Rossi ", attendee_role="Presidente",
                   arrived_at="2026-03-10T16:00:00+00:00")
    assert (first["attendee_name"], first["arrived_at"]) == ("Maria Rossi", "2026-03-10T17:00:00+01:00")
    record(world, session, coop, mode="remote", attendee_name="Giuseppe Verdi", attendee_role="Segretaria")
    path = f"/sessions/{session['id']}/attendance"
    items = world.ok("GET", path, sub=COORDINATOR, roles=("coordinator",)).get_json()["items"]
    assert [(i["organisation_id"], i["mode"], i["attendee_name"]) for i in items] == [
        (odv, "in_person", "Maria Rossi"), (coop, "remote", "Giuseppe Verdi")]
    world.ok("GET", f"{path}/{first['id']}", sub="operatore", roles=("operator",))
    # who else asks: refused before anything is read or logged
    for sub, roles in (("revisore", ("auditor",)), ("regione", ("regional-admin",)),
                       ("rappresentante", ("stakeholder",)), ("altro-coordinatore", ("coordinator",))):
        assert world.call("GET", path, sub=sub, roles=roles).status_code == 403, roles
        assert world.call("GET", f"{path}/{first['id']}", sub=sub, roles=roles).status_code == 403, roles
        assert world.call("POST", path, sub=sub, roles=roles, body={"organisation_id": odv, "mode": "remote"}
                          ).status_code == 403, roles
    entries = [(e["subject"], e["action"], e["resource_id"]) for e in log(world)]
    second = items[1]["id"]
    assert entries == [(COORDINATOR, "create", first["id"]), (COORDINATOR, "create", second),
                       (COORDINATOR, "read", first["id"]), (COORDINATOR, "read", second),
                       ("operatore", "read", first["id"])]
    assert world.call("GET", "/privacy/access-log", roles=("stakeholder",)).status_code == 403
    # the summary: organisations and counts, for every reader, no name
    summary = world.ok("GET", f"/sessions/{session['id']}/attendance-summary", roles=("regional-admin",)).get_json()
    assert summary["totals"] == {"organisations": 2, "in_person": 1, "remote": 1}
    assert not any(name in json.dumps(summary) for name in NAMES)
    recorded = [d for t, _s, d in world.outbox() if t == "it.pdz.consultation.attendance.recorded.v1"]
    assert [(d["organisation_id"], d["organisation_type"], d["mode"]) for d in recorded] == [
        (odv, "ets", "in_person"), (coop, "social_cooperative", "remote")]
    no_personal_data_in_events(world)


def test_an_entry_changes_with_if_match_and_the_change_is_logged(world):
    session, odv, _coop = setup(world)
    entry = record(world, session, odv, attendee_name="Maria Rossi", arrived_at="2026-03-10T16:00:00+00:00")
    path = f"/sessions/{session['id']}/attendance/{entry['id']}"
    assert world.call("PATCH", path, body={"left_at": "2026-03-10T18:00:00+00:00"}).status_code == 428
    bad = world.call("PATCH", path, body={"left_at": "2026-03-10T15:00:00+00:00"}, headers={"If-Match": '"1"'})
    assert bad.status_code == 409 and bad.get_json()["type"].endswith("/attendance-times")
    changed = world.ok("PATCH", path, body={"left_at": "2026-03-10T18:00:00+00:00"}, headers={"If-Match": '"1"'})
    assert changed.headers["ETag"] == '"2"' and changed.get_json()["left_at"] == "2026-03-10T19:00:00+01:00"
    assert [e["action"] for e in log(world, resource_id=entry["id"])] == ["create", "update"]
    versions = [d["version"] for t, _s, d in world.outbox() if t.endswith("attendance.recorded.v1")]
    assert versions == [1, 2]


def test_only_invited_or_member_organisations_and_never_for_a_cancelled_session(world):
    session, _odv, _coop = setup(world)
    stranger = world.organisation("Fondazione Esterna")
    assert record(world, session, stranger, status=409)["type"].endswith("/not-invited")
    other = world.session(world.table())
    world.ok("POST", f"/sessions/{other['id']}/cancel", body={}, headers={"If-Match": '"1"'})
    assert record(world, other, stranger, status=409, sub="operatore", roles=("operator",))["type"].endswith(
        "/session-state")


def test_erasure_removes_the_names_keeps_the_presence_and_says_what_went(world):
    session, odv, coop = setup(world)
    a = record(world, session, odv, attendee_name="Maria Rossi", attendee_role="Presidente")
    b = record(world, session, coop, mode="remote", attendee_name="MARIA ROSSI")
    keep = record(world, session, coop, attendee_name="Giuseppe Verdi", attendee_role="Segretaria")
    assert world.call("POST", "/privacy/erasures", sub=COORDINATOR, roles=("coordinator",),
                      body={"attendee_name": "Maria Rossi"}).status_code == 403
    # narrowed to one organisation first (homonyms), then everywhere
    only_odv = world.ok("POST", "/privacy/erasures", 201, body={"attendee_name": "maria  rossi",
                                                                "organisation_id": odv}).get_json()
    assert [(r["attendance_id"], r["fields"]) for r in only_odv["removed"]] == [
        (a["id"], ["attendee_name", "attendee_role"])]
    rest = world.ok("POST", "/privacy/erasures", 201, body={"attendee_name": "Maria Rossi"}).get_json()
    assert rest["entries_cleared"] == 1
    assert rest["removed"] == [{"attendance_id": b["id"], "session_id": session["id"], "table_id": session["table_id"],
                                "organisation_id": coop, "fields": ["attendee_name"]}]
    items = {i["id"]: i for i in world.ok("GET", f"/sessions/{session['id']}/attendance").get_json()["items"]}
    assert (items[a["id"]]["attendee_name"], items[a["id"]]["attendee_role"], items[a["id"]]["mode"],
            items[a["id"]]["organisation_id"]) == (None, None, "in_person", odv)
    assert items[a["id"]]["erased_at"] and items[b["id"]]["attendee_name"] is None
    assert items[keep["id"]]["attendee_name"] == "Giuseppe Verdi"
    assert world.sql("SELECT count(*) FROM attendance WHERE attendee_name ILIKE '%%rossi%%'") == [(0,)]
    assert "Rossi" not in json.dumps(world.sql("SELECT removed FROM erasures"))
    erased = [d for t, _s, d in world.outbox() if t == "it.pdz.consultation.personal_data.erased.v1"]
    assert [(d["entries_cleared"], d["session_ids"]) for d in erased] == [(1, [session["id"]]), (1, [session["id"]])]
    assert [e["resource_id"] for e in log(world, action="erase")] == [a["id"], b["id"]]
    # reading the register after the erasure logs only the entry that still names someone
    assert [e["resource_id"] for e in log(world, action="read")] == [keep["id"]]
    no_personal_data_in_events(world)
