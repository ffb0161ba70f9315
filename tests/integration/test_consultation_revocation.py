"""Revoking or narrowing a share, on the real PostgreSQL (issue 9, docs/federation.md "Revocation"): the
merged Ambito C holds replicas of A and B; A's share is narrowed then revoked and the revocation run:
A's replicas leave C's lists (deleted; A's organisations that C's own records reference marked revoked),
B's and C's own stay, a membership of an A organisation stays in the table's history but the organisation
can no longer take part, and a second run changes nothing."""
from __future__ import annotations

import uuid

import psycopg

from shared.sharing import Share, Sharing
from services.consultation.revoke import revoke
from services.consultation.shared_replicas.revocation import REPLICA_TABLES
from tests.integration.test_consultation_contributions_world import need_body, world  # noqa: F401
from tests.integration.test_consultation_shared import items, merge, merged, predecessor_organisation, \
    replica_need, replica_table  # noqa: F401
from tests.integration.test_consultation_shared_lists import replica_offer, replica_proposal

ALL = tuple(REPLICA_TABLES)
TABLES = ("organisations", "organisation_statuses", "territory_profiles", "territory_comuni", "replica_tables",
          "replica_table_members", "replica_needs", "replica_proposals", "replica_offer")


def run(world, *shares):
    """The catalogue now declares `shares` (the API's too) and the revocation runs in C's database."""
    merge(world, *shares)
    with psycopg.connect(world.url()) as conn:
        return revoke(conn, tenant=world.slug, sharing=Sharing(list(shares)))


def counts(world):
    """Rows per (table, origin, revoked) in C's consultation database."""
    found = {}
    for table in TABLES:
        revoked = "revoked_at IS NOT NULL" if table == "organisations" else "false"
        for row in world.sql(f"SELECT origin, {revoked} AS marked, count(*) AS n FROM {table} GROUP BY 1, 2"):
            found[(table, row["origin"], row["marked"])] = row["n"]
    return found


def of(found, origin):
    return {key: n for key, n in found.items() if key[1] == origin}


def territory(world, origin):
    world.sql("INSERT INTO territory_profiles (origin, name, region, capofila_istat, total_population, version,"
              " as_of, source_event_id) VALUES (%s, 'Ambito A', 'basilicata', '076042', 9000, 1, now(), 'e')",
              (origin,))
    world.sql("INSERT INTO territory_comuni (origin, istat_code, name, province, population, population_date,"
              " position, version) VALUES (%s, '076042', 'Lauria', 'PZ', 9000, '2025-01-01', 0, 1)", (origin,))


def test_narrowing_then_revoking_a_share_removes_or_marks_what_it_brought(world, merged):
    c, a, b = world.slug, merged["origin"], f"ambito-b-{uuid.uuid4().hex[:8]}"
    # A's replicas: a member of C's table (referenced), a free organisation, a table with a member, a need,
    # a proposal, an offer, the territory; B's: an organisation and a need
    a_member = predecessor_organisation(world, a, name="ODV del Lagonegrese")
    a_free = predecessor_organisation(world, a, name="APS del Lagonegrese")
    a_table = replica_table(world, a)
    world.sql("INSERT INTO replica_table_members (origin, id, table_id, organisation_id, state, version,"
              " source_event_id) VALUES (%s, %s, %s, %s, 'active', 1, 'e')", (a, uuid.uuid4(), a_table, a_free))
    a_need = replica_need(world, a, a_table)
    replica_proposal(world, a, a_need)
    replica_offer(world, a, a_free)
    territory(world, a)
    b_org = predecessor_organisation(world, b, name="Cooperativa del Pollino")
    b_need = replica_need(world, b, uuid.uuid4(), title="Bisogno del Pollino")
    merge(world, Share(a, c, ALL), Share(b, c, ALL))
    added = world.call("POST", f"/tables/{merged['table']}/members", "op-1", "operator",
                       json={"organisation_id": a_member, "accounts": ["rep-lag"]})
    assert added.status_code == 201, added.get_json()
    assert world.call("POST", "/needs", "rep-lag", "stakeholder",
                      json=need_body(merged["table"], a_member)).status_code == 201
    before = counts(world)
    assert {t for (t, o, _m) in before if o == a} == set(TABLES), before
    own_before = of(before, c)

    # narrowing: A shares only its needs now
    narrowed = run(world, Share(a, c, ("consultation.needs",)), Share(b, c, ALL))
    after = counts(world)
    assert of(after, b) == of(before, b) and of(after, c) == own_before
    assert of(after, a) == {("organisations", a, True): 1, ("organisation_statuses", a, False): 1,
                            ("replica_needs", a, False): 1}
    assert narrowed.marked == 1 and narrowed.deleted["organisations"] == 1
    assert world.sql("SELECT organisation_id FROM organisations WHERE revoked_at IS NOT NULL") == [
        {"organisation_id": uuid.UUID(a_member)}]
    # the lists: A's organisations gone (list, filter, by id), its needs still there; B's and own stay
    listed = {o["id"] for o in items(world.call("GET", "/organisations?limit=100", "r", "operator"))}
    assert a_member not in listed and a_free not in listed and b_org in listed and str(merged["odv"]) in listed
    assert items(world.call("GET", f"/organisations?origin={a}", "r", "operator")) == []
    assert world.call("GET", f"/organisations/{a_member}", "r", "operator").status_code == 404
    assert [n["id"] for n in items(world.call("GET", f"/needs?origin={a}", "r", "operator"))] == [a_need]
    assert [n["id"] for n in items(world.call("GET", f"/needs?origin={b}", "r", "operator"))] == [b_need]
    assert items(world.call("GET", f"/tables?origin={a}", "r", "operator")) == []
    assert items(world.call("GET", f"/proposals?origin={a}", "r", "operator")) == []
    assert items(world.call("GET", f"/offer?origin={a}", "r", "operator")) == []
    # the membership is C's own history and stays; the organisation can no longer take part
    members = items(world.call("GET", f"/tables/{merged['table']}/members", "r", "operator"))
    assert a_member in {m["organisation_id"] for m in members}
    refused = world.call("POST", "/needs", "rep-lag", "stakeholder", json=need_body(merged["table"], a_member))
    assert refused.status_code == 409, refused.get_json()
    assert world.call("POST", "/needs", "rep-a", "stakeholder",
                      json=need_body(merged["table"], merged["odv"])).status_code == 201  # C's own members do
    # a second run changes nothing
    again = run(world, Share(a, c, ("consultation.needs",)), Share(b, c, ALL))
    assert not again.changed and of(counts(world), a) == of(after, a)

    # revoking A's share altogether: its needs go too; B's and C's own stay
    revoked = run(world, Share(b, c, ALL))
    final = counts(world)
    assert revoked.deleted["replica_needs"] == 1 and ("replica_needs", a, False) not in final
    assert of(final, a) == {("organisations", a, True): 1, ("organisation_statuses", a, False): 1}
    assert of(final, b) == of(before, b)
    assert not run(world, Share(b, c, ALL)).changed

    # shared again: the marked organisation comes back (a backfill brings the rest)
    back = run(world, Share(a, c, ("registry.stakeholders",)), Share(b, c, ALL))
    assert back.unmarked == 1 and world.call("GET", f"/organisations/{a_member}", "r", "operator").status_code == 200
