"""Revoking or narrowing a share in the budget service, on the real PostgreSQL (issue 9, docs/federation.md
"Revocation", services/budget/revoke.py).

C (the merged Ambito) holds replicas of its former Ambito A (a real random tenant) and of B (another origin):
organisations, territory, accepted proposals, interventions. C's own records point at some of A's: an
intervention managed by one, answering one proposal and continuing one intervention; a commitment to a
supplier; a signatory of the accordo di programma; and a frozen snapshot of another plan naming an
organisation, a proposal and an intervention. The catalogue changes (A narrowed to its interventions, then
revoked altogether, then shared again) and the revocation runs: exactly the unreferenced rows of A go, the
referenced ones are marked, B's and C's own are untouched row for row, the writes refuse a marked organisation
with 409 organisation-revoked, and every second run changes nothing.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import psycopg
import yaml
from psycopg.rows import dict_row

from shared.consumer.rows import apply_rows
from shared.db.roles import dbname_of
from shared.events.envelope import new_event
from shared.sharing import EVERYTHING, Share, Sharing

from services.budget.interventions.projector import PROJECTORS
from services.budget.revoke import REPLICA_TABLES, Outcome, main, revocations, revoke, summary
from tests.integration.test_budget_intervention_federation import SharingCatalogue, former_intervention
from tests.integration.test_budget_intervention_world import (LAURIA, ROTONDA, VIGGIANELLO, body,  # noqa: F401
                                                              world)

TABLES = ("organisations", "territory_profiles", "territory_comuni", "accepted_proposals", "replica_interventions")
MARKABLE = ("organisations", "accepted_proposals", "replica_interventions")
LAINO = "078066"


def share(world, *shares):
    """The app's catalogue now declares `shares` (what the rollout of a new catalogue does)."""
    platform = world.client.application.extensions["pdz"]
    inner = getattr(platform.catalogue, "_inner", platform.catalogue)
    platform.catalogue = SharingCatalogue(inner, Sharing(list(shares)))


def run(world, *shares) -> Outcome:
    """The catalogue declares `shares` and the revocation runs in C's budget database."""
    share(world, *shares)
    with psycopg.connect(world.url()) as conn:
        return revoke(conn, tenant=world.slug, sharing=Sharing(list(shares)))


def rows(world) -> dict:
    """Every replica row of C's database: (table, origin) -> {key: marked?}."""
    found: dict = {}
    with psycopg.connect(world.url()) as conn, conn.cursor(row_factory=dict_row) as cur:
        for table in TABLES:
            key = {"organisations": "organisation_id", "accepted_proposals": "proposal_id",
                   "replica_interventions": "id", "territory_profiles": "origin",
                   "territory_comuni": "istat_code"}[table]
            marked = "revoked_at IS NOT NULL" if table in MARKABLE else "false"
            for row in cur.execute(f"SELECT origin, {key}::text AS key, {marked} AS marked FROM {table}"):
                found.setdefault((table, row["origin"]), {})[row["key"]] = row["marked"]
    return found


def of(found: dict, origin: str) -> dict:
    return {key: value for key, value in found.items() if key[1] == origin}


def revoked_problem(response) -> bool:
    return response.get_json()["type"].endswith("/organisation-revoked")


def b_intervention(world, origin) -> None:
    """One of `origin`'s interventions in C's replica, through the consumer's projector and row writer."""
    intervention_id = str(uuid.uuid4())
    event_type = "it.pdz.budget.intervention.planned.v1"
    event = new_event(type=event_type, service="budget", tenant=origin, aggregate_id=intervention_id, data={
        "intervention_id": intervention_id, "plan_id": str(uuid.uuid4()), "code": "B1", "title": "Servizio di B",
        "nomenclature_code": "2", "area": "6", "target_group": "anziani", "leps": [], "kind": "service",
        "investment": False, "comuni": [LAINO], "managing_body": None, "cup": None, "continues": None,
        "proposal_ids": [], "need_ids": [], "status": "planned", "planned_start": None, "planned_end": None,
        "actual_start": None, "actual_end": None, "percentage": None, "version": 1,
        "updated_at": "2023-06-30T10:00:00+02:00"})
    with psycopg.connect(world.url()) as conn:
        apply_rows(conn, PROJECTORS[event_type](event))


def snapshot_plan(world, *, organisation, proposal, origin, intervention) -> uuid.UUID:
    """A 2027-2029 plan whose version 1 is accepted by the Region, its frozen snapshot naming A's records."""
    plan_id = uuid.uuid4()
    frozen = {"interventions": [{"id": str(uuid.uuid4()), "code": "S1", "managing_body": str(organisation),
                                 "proposals": [str(proposal)], "continues_origin": origin,
                                 "continues_intervention": str(intervention)}]}
    world.sql("INSERT INTO plans (id, first_year, last_year, title, created_by) VALUES (%s, 2027, 2029,"
              " 'Piano Sociale di Zona 2027-2029', 'op-1')", (plan_id,))
    world.sql("INSERT INTO plan_versions (plan_id, number, kind, reference_year, state, snapshot)"
              " VALUES (%s, 1, 'triennial', 2027, 'accepted', %s)", (plan_id, json.dumps(frozen)))
    return plan_id


def approved_allocation(world, plan_id, intervention_id) -> uuid.UUID:
    """An FNPS 2024 allocation of the intervention, created before the Assemblea approved the plan."""
    approved_at = datetime.now(timezone.utc) - timedelta(days=1)
    for from_state, to_state, at in (("draft", "adopted", approved_at - timedelta(hours=1)),
                                     ("adopted", "approved", approved_at)):
        world.sql("INSERT INTO plan_history (plan_id, number, from_state, to_state, by_subject, by_role, at)"
                  " VALUES (%s, 1, %s, %s, 'op', 'operator', %s)", (plan_id, from_state, to_state, at))
    world.sql("INSERT INTO fund_years (fund_code, year, assigned, allocated) VALUES ('FNPS', 2024, 50000, 50000)")
    allocation_id = uuid.uuid4()
    world.sql("INSERT INTO allocations (id, intervention_id, fund_code, year, amount, created_at, created_by)"
              " VALUES (%s, %s, 'FNPS', 2024, 50000, %s, 'op')",
              (allocation_id, intervention_id, approved_at - timedelta(days=2)))
    return allocation_id


def commit(world, allocation_id, supplier):
    return world.call("POST", f"/allocations/{allocation_id}/commitments", json={
        "amount": "1000.00", "act_date": "2024-11-04", "act_reference": f"Determina n. {uuid.uuid4().hex[:6]}",
        "supplier_id": str(supplier)})


def sign(world, plan_id, *signatories):
    etag = world.call("GET", f"/plans/{plan_id}").headers["ETag"]
    return world.call("POST", f"/plans/{plan_id}/versions/1/sign", headers={"If-Match": etag}, json={
        "signed_on": "2024-11-20", "signatories": [str(s) for s in signatories]})


def test_a_narrowed_then_revoked_share_removes_or_marks_exactly_what_it_brought(world):
    c, a, b = world.slug, world.other, f"ambito-b-{uuid.uuid4().hex[:8]}"
    everything = (Share(a, c, EVERYTHING), Share(b, c, EVERYTHING))
    share(world, *everything)
    # C's own replicas; A's (some to be referenced by C's records, some not); B's
    c_org, c_body = world.organisation(name="Comune capofila"), world.organisation(name="Consorzio del Pollino")
    world.profile((LAURIA, VIGGIANELLO))
    world.proposal(title="Proposta di C")
    a_body, a_supplier, a_signatory, a_snap_org, a_free = (
        world.organisation(origin=a, name=f"Ente A {n}") for n in range(5))
    world.profile((ROTONDA,), origin=a)
    a_linked, a_snap_proposal, a_free_proposal = (world.proposal(origin=a, title=f"Proposta A {n}") for n in range(3))
    a_continued, a_snap_intervention, a_free_intervention = (
        former_intervention(world, code=f"L{n}") for n in range(3))   # A's (world.other) interventions
    b_org = world.organisation(origin=b, name="Cooperativa B")
    world.profile((LAINO,), origin=b)
    world.proposal(origin=b, title="Proposta B")
    b_intervention(world, b)

    # C's own records pointing at A's replicas, through the API while everything is shared
    plan_id = world.plan()
    made = world.call("POST", f"/plans/{plan_id}/interventions", json=body(
        managing_body=str(a_body), proposal_ids=[str(a_linked)], comuni=[LAURIA, ROTONDA],
        continues={"origin": a, "intervention_id": a_continued}))
    assert made.status_code == 201, made.get_json()
    intervention_id = made.get_json()["id"]
    world.set_state(plan_id, "accepted")
    allocation_id = approved_allocation(world, plan_id, intervention_id)
    assert commit(world, allocation_id, a_supplier).status_code == 201
    signed = sign(world, plan_id, a_signatory, c_org)
    assert signed.status_code == 200, signed.get_json()
    other_plan = snapshot_plan(world, organisation=a_snap_org, proposal=a_snap_proposal, origin=a,
                               intervention=a_snap_intervention)
    before = rows(world)
    assert {table for (table, origin) in before if origin == a} == set(TABLES)
    assert not any(marked for found in before.values() for marked in found.values())

    # narrowed: A shares only its interventions now
    narrowed = run(world, Share(a, c, ("budget.interventions",)), Share(b, c, EVERYTHING))
    after = rows(world)
    assert of(after, b) == of(before, b) and of(after, c) == of(before, c)
    assert of(after, a) == {
        ("organisations", a): {str(o): True for o in (a_body, a_supplier, a_signatory, a_snap_org)},
        ("accepted_proposals", a): {str(p): True for p in (a_linked, a_snap_proposal)},
        ("replica_interventions", a): before[("replica_interventions", a)]}
    assert narrowed.marked == {"organisations": 4, "accepted_proposals": 2}
    assert narrowed.deleted == {"organisations": 1, "accepted_proposals": 1, "territory_comuni": 1,
                                "territory_profiles": 1}
    assert "organisations 4" in summary(narrowed)
    # C's records keep what they name
    kept = world.call("GET", f"/interventions/{intervention_id}").get_json()
    assert kept["managing_body"] == str(a_body) and kept["proposal_ids"] == [str(a_linked)]
    assert kept["comuni"] == [LAURIA, ROTONDA]
    # a marked organisation is refused as managing body, supplier and signatory; C's and B's are not
    refused = world.call("POST", f"/plans/{world.plan(first_year=2030)}/interventions",
                         json=body(code="X1", managing_body=str(a_body), planned_start="2030-03-01",
                                   planned_end="2030-12-31"))
    assert refused.status_code == 409 and revoked_problem(refused), refused.get_json()
    accepted = world.call("POST", f"/plans/{world.plan(first_year=2033)}/interventions",
                          json=body(code="X2", managing_body=str(c_body), planned_start="2033-03-01",
                                    planned_end="2033-12-31"))
    assert accepted.status_code == 201, accepted.get_json()
    refused = commit(world, allocation_id, a_supplier)
    assert refused.status_code == 409 and revoked_problem(refused), refused.get_json()
    assert commit(world, allocation_id, b_org).status_code == 201
    refused = sign(world, other_plan, c_org, a_signatory)
    assert refused.status_code == 409 and revoked_problem(refused), refused.get_json()
    # a proposal no longer shared cannot be answered; A's interventions (still shared) can be continued
    refused = world.call("PATCH", f"/interventions/{accepted.get_json()['id']}", headers={"If-Match": '"1"'},
                         json={"proposal_ids": [str(a_linked)]})
    assert refused.status_code == 422, refused.get_json()
    reference = rows(world)
    assert not run(world, Share(a, c, ("budget.interventions",)), Share(b, c, EVERYTHING)).changed
    assert rows(world) == reference

    # revoked altogether: A's interventions go too, but the two C's records name
    revoked = run(world, Share(b, c, EVERYTHING))
    final = rows(world)
    assert revoked.marked == {"replica_interventions": 2} and revoked.deleted == {"replica_interventions": 1}
    assert final[("replica_interventions", a)] == {a_continued: True, a_snap_intervention: True}
    assert a_free_intervention not in final[("replica_interventions", a)]
    assert of(final, b) == of(before, b)
    assert world.call("GET", f"/interventions/{intervention_id}").get_json()["continues"] == {
        "origin": a, "intervention_id": a_continued}
    refused = world.call("PATCH", f"/interventions/{accepted.get_json()['id']}", headers={"If-Match": '"1"'},
                         json={"continues": {"origin": a, "intervention_id": a_continued}})
    assert refused.status_code == 422, refused.get_json()
    reference = rows(world)
    assert not run(world, Share(b, c, EVERYTHING)).changed and rows(world) == reference

    # shared again: the marks are cleared (a backfill brings back the rest), and A's body manages again
    back = run(world, Share(a, c, EVERYTHING), Share(b, c, EVERYTHING))
    assert back.unmarked == {"organisations": 4, "accepted_proposals": 2, "replica_interventions": 2}
    assert not back.deleted and not back.marked
    assert not any(marked for found in rows(world).values() for marked in found.values())
    again = world.call("POST", f"/plans/{world.plan(first_year=2036)}/interventions",
                       json=body(code="X3", managing_body=str(a_body), planned_start="2036-03-01",
                                 planned_end="2036-12-31"))
    assert again.status_code == 201, again.get_json()


def test_the_command_applies_the_catalogue_file_and_says_what_it_did(world, monkeypatch, tmp_path, capsys):
    """`python -m services.budget.revoke --tenant C` with a catalogue where C is merged from A and B shares
    nothing any more: A's rows stay, B's go but the one C's intervention names, which is marked."""
    c, a, b = world.slug, world.other, f"ambito-b-{uuid.uuid4().hex[:8]}"
    a_org, b_free, b_body = (world.organisation(origin=origin) for origin in (a, b, b))
    share(world, Share(b, c, EVERYTHING))
    made = world.call("POST", f"/plans/{world.plan()}/interventions", json=body(managing_body=str(b_body)))
    assert made.status_code == 201, made.get_json()
    path = tmp_path / "revoke-tenants.yaml"
    path.write_text(yaml.safe_dump({
        "tenants": [{"slug": a, "name": "Ambito A", "region": "basilicata"},
                    {"slug": c, "name": "Ambito C", "region": "basilicata", "merged_from": [a]}],
        "regional_databases": {"reporting": dbname_of(world.tenants.regional_url("reporting"))}}))
    monkeypatch.setenv("PDZ_TENANTS_FILE", str(path))
    monkeypatch.setenv("PDZ_ENV", "development")
    capsys.readouterr()
    assert main(["--tenant", c]) == 0
    assert capsys.readouterr().out == f"{c}: deleted organisations 1; marked revoked organisations 1\n"
    assert rows(world)[("organisations", a)] == {str(a_org): False}
    assert rows(world)[("organisations", b)] == {str(b_body): True} and str(b_free) not in str(rows(world))
    assert main(["--tenant", c]) == 0 and capsys.readouterr().out == f"{c}: nothing to revoke\n"
    assert main(["--tenant", "no-such-ambito"]) == 2


def test_nothing_is_revoked_without_a_sharing_nor_own_data_ever(world):
    """No sharing at all (`None`: a caller without a catalogue) revokes nothing; an empty one (every share
    removed) revokes every other origin; the tenant's own rows never."""
    c, a = world.slug, world.other
    world.organisation()
    world.organisation(origin=a)
    world.profile((ROTONDA,), origin=a)
    before = rows(world)
    with psycopg.connect(world.url()) as conn:
        assert not revoke(conn, tenant=c, sharing=None).changed
    assert rows(world) == before
    present = [(data, origin) for data in REPLICA_TABLES for origin in (c, a)]
    assert {(r.data, r.origin) for r in revocations(tenant=c, sharing=Sharing([]), present=present)} == {
        (data, a) for data in REPLICA_TABLES}
    assert revocations(tenant=c, sharing=Sharing([Share(a, c, EVERYTHING)]), present=present) == ()
