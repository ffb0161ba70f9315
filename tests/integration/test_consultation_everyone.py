"""A merged Ambito's standing table with every organisation (issue 9 item 6), on the real PostgreSQL through
the Flask test client: `POST /tables/{id}/members/all` adds every active, not revoked organisation of the
Ambito's own register and of the former Ambiti whose register is shared with it, one `table_member.added`
each; a second call adds only the missing; the other registers, the suspended, withdrawn and revoked are
left out; thematic, closed and replica tables and the other roles are refused."""
from __future__ import annotations

import uuid

from shared.sharing import Share

from tests.integration.test_consultation_contributions_world import world  # noqa: F401
from tests.integration.test_consultation_shared import merge, predecessor_organisation, replica_table

ADDED = "it.pdz.consultation.table_member.added.v1"


def table_of(world, kind, *, status="active"):
    table_id = uuid.uuid4()
    world.sql("INSERT INTO consultation_tables (id, kind, title, areas, coordinator, status, created_by)"
              " VALUES (%s, %s, %s, '{3}', 'coord-1', %s, 'op')",
              (table_id, kind, f"Tavolo {kind} {table_id.hex[:6]}", status))
    return str(table_id)


def everyone(world, table_id, subject="op-1", role="operator"):
    return world.call("POST", f"/tables/{table_id}/members/all", subject, role, json={})


def test_the_standing_table_takes_every_active_organisation_of_its_own_and_the_former_registers(world):
    c, a, b = world.slug, world.other, f"ambito-b-{uuid.uuid4().hex[:8]}"
    own = [str(world.organisation(name)) for name in ("Comune capofila", "Cooperativa Aurora", "CGIL")]
    world.organisation("APS sospesa", status="suspended")
    gone = world.organisation("ODV ritirata")
    world.organisation("ODV ritirata", organisation_id=gone, status="withdrawn", version=2)
    theirs = [predecessor_organisation(world, a, name=n) for n in ("ODV del Lagonegrese", "APS di Lauria")]
    revoked = predecessor_organisation(world, a, name="Associazione revocata")
    world.sql("UPDATE organisations SET revoked_at = now() WHERE organisation_id = %s", (revoked,))
    b_org = predecessor_organisation(world, b, name="Cooperativa del Pollino")     # B shares its needs only
    stranger = predecessor_organisation(world, "ambito-estraneo", name="Cooperativa estranea")
    merge(world, Share(a, c, ("registry.stakeholders", "consultation.needs")), Share(b, c, ("consultation.needs",)))
    standing = table_of(world, "standing")
    world.member(uuid.UUID(standing), uuid.UUID(own[0]), "rep-capofila")             # already at the table
    before = len(world.outbox(ADDED))

    first = everyone(world, standing)
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert [m["organisation_id"] for m in body["added"]] == own[1:] + theirs          # own first, then A's
    assert body["already_members"] == [own[0]]
    assert all(m["state"] == "member" and m["accounts"] == [] and m["origin"] == c and m["added_by"] == "op-1"
               for m in body["added"])
    events = world.outbox(ADDED)[before:]
    assert sorted(e["data"]["organisation_id"] for e in events) == sorted(own[1:] + theirs)
    assert {e["subject"] for e in events} == {standing} and all(e["data"]["state"] == "member" for e in events)
    listed = world.call("GET", f"/tables/{standing}/members?state=member&limit=100", "r", "auditor").get_json()
    assert {m["organisation_id"] for m in listed["items"]} == set(own + theirs)
    assert not {str(gone), revoked, b_org, stranger} & {m["organisation_id"] for m in listed["items"]}

    # a second call adds nothing and writes no event; an organisation arriving since is the only one added
    again = everyone(world, standing).get_json()
    assert again["added"] == [] and sorted(again["already_members"]) == sorted(own + theirs)
    assert len(world.outbox(ADDED)) == before + len(own[1:] + theirs)
    late = predecessor_organisation(world, a, name="Fondazione arrivata dopo")
    third = everyone(world, standing).get_json()
    assert [m["organisation_id"] for m in third["added"]] == [late]
    assert len(world.outbox(ADDED)) == before + len(own[1:] + theirs) + 1


def test_a_request_to_join_keeps_its_place_and_the_plenary_takes_everyone_too(world):
    odv, aps = str(world.organisation("ODV")), str(world.organisation("APS"))
    plenary = table_of(world, "plenary")
    world.sql("UPDATE consultation_tables SET membership = 'open' WHERE id = %s", (plenary,))
    asked = world.call("POST", f"/tables/{plenary}/requests", "rep-aps", "stakeholder", json={"organisation_id": aps})
    assert asked.status_code == 201, asked.get_json()
    done = everyone(world, plenary).get_json()
    assert [m["organisation_id"] for m in done["added"]] == [odv] and done["already_members"] == [aps]
    requested = world.call("GET", f"/tables/{plenary}/members?state=requested", "r", "operator").get_json()["items"]
    assert [m["organisation_id"] for m in requested] == [aps]


def test_only_the_operator_on_an_active_standing_table_or_plenary_of_its_own(world):
    world.organisation("ODV")
    thematic, closed = table_of(world, "thematic"), table_of(world, "standing", status="closed")
    refused = everyone(world, thematic)
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("/table-kind")
    assert everyone(world, closed).get_json()["type"].endswith("/table-closed")
    theirs = replica_table(world, world.other)
    replica = everyone(world, theirs)
    assert replica.status_code == 409 and replica.get_json()["origin"] == world.other
    assert everyone(world, str(uuid.uuid4())).status_code == 404
    standing = table_of(world, "standing")
    for role in ("coordinator", "stakeholder", "auditor"):
        assert everyone(world, standing, "coord-1", role).status_code == 403, role
    assert world.outbox(ADDED) == []
    assert world.sql("SELECT count(*) AS n FROM table_members") == [{"n": 0}]
