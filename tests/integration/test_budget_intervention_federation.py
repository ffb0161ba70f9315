"""A merged Ambito's intervention continues a former Ambito's (issue 9 item 6, issue 10 item 7), on the real PostgreSQL.

The former Ambito's interventions reach the merged one's `replica_interventions` through the projector's rows,
written with the consumer's own row writer; the merger's shares are set on the app's catalogue by the test.
"""
from __future__ import annotations

import uuid

import psycopg

from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.outbox.republish import republish
from shared.sharing import EVERYTHING, Share, Sharing

from services.budget.interventions.projector import PROJECTORS
from services.budget.interventions.republish import interventions
from tests.contract.catalogue import assert_valid_event
from tests.integration.test_budget_intervention_world import LAURIA, ROTONDA, body, world  # noqa: F401


class SharingCatalogue:
    """The app's catalogue with the shares of a merger made by the test (Catalogue.sharing's interface)."""

    def __init__(self, inner, sharing):
        self._inner, self.sharing = inner, sharing

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __iter__(self):
        return iter(self._inner)

    def __len__(self):
        return len(self._inner)


def merge(world, *data_sets):
    """`world.other` (the former Ambito) shares `data_sets` with `world.slug` (the merged one)."""
    platform = world.client.application.extensions["pdz"]
    inner = getattr(platform.catalogue, "_inner", platform.catalogue)
    platform.catalogue = SharingCatalogue(inner, Sharing([Share(origin=world.other, to=world.slug, data=data_sets)]))


def former_intervention(world, *, version=1, status="active", percentage=None, intervention_id=None, code="L1.4",
                        event_type="it.pdz.budget.intervention.planned.v1"):
    intervention_id = str(intervention_id or uuid.uuid4())
    event = new_event(type=event_type, service="budget", tenant=world.other, aggregate_id=intervention_id, data={
        "intervention_id": intervention_id, "plan_id": str(uuid.uuid4()), "code": code,
        "title": "Assistenza domiciliare del Lagonegrese", "nomenclature_code": "2", "area": "6",
        "target_group": "anziani", "leps": [], "kind": "service", "investment": False, "comuni": [ROTONDA],
        "managing_body": None, "cup": None, "continues": None, "proposal_ids": [], "need_ids": [],
        "status": status, "planned_start": "2021-01-01", "planned_end": "2023-12-31", "actual_start": "2021-03-01",
        "actual_end": None, "percentage": percentage, "version": version, "updated_at": "2023-06-30T10:00:00+02:00"})
    with psycopg.connect(world.url()) as conn:
        apply_rows(conn, PROJECTORS[event_type](event))
    return intervention_id


def test_an_intervention_continues_one_of_a_former_ambito_that_shares_its_interventions(world):
    plan_id = world.plan()
    merge(world, *EVERYTHING)
    former = former_intervention(world)
    response = world.call("POST", f"/plans/{plan_id}/interventions",
                          json=body(continues={"origin": world.other, "intervention_id": former}))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["continues"] == {"origin": world.other, "intervention_id": former}
    stored = world.sql("SELECT continues_origin, continues_intervention::text FROM interventions WHERE id = %s",
                       (response.get_json()["id"],))
    assert stored == [(world.other, former)]
    event = world.outbox("it.pdz.budget.intervention.planned.v1")[0]
    assert event["continues"] == {"origin": world.other, "intervention_id": former}
    # The link can be dropped while the plan is editable.
    dropped = world.call("PATCH", f"/interventions/{response.get_json()['id']}", json={"continues": None},
                         headers={"If-Match": '"1"'})
    assert dropped.status_code == 200 and dropped.get_json()["continues"] is None


def test_the_link_is_refused_unless_the_origin_shares_interventions_and_the_intervention_reached_us(world):
    plan_id = world.plan()
    former = former_intervention(world)

    def refused_field(continues):
        response = world.call("POST", f"/plans/{plan_id}/interventions", json=body(continues=continues))
        assert response.status_code == 422, response.get_json()
        return [e["field"] for e in response.get_json()["errors"]]

    assert refused_field({"origin": world.other, "intervention_id": former}) == ["continues.origin"]   # no merger
    merge(world, "registry.stakeholders", "registry.profile")   # a share without the interventions
    assert refused_field({"origin": world.other, "intervention_id": former}) == ["continues.origin"]
    merge(world, "budget.interventions")
    assert refused_field({"origin": world.other, "intervention_id": str(uuid.uuid4())}) == ["continues.intervention_id"]
    assert refused_field({"origin": world.slug, "intervention_id": former}) == ["continues.origin"]
    assert world.sql("SELECT count(*) FROM interventions")[0][0] == 0


def test_a_former_ambitos_register_territory_and_proposals_serve_when_shared(world):
    plan_id = world.plan()
    world.profile((LAURIA,))
    world.profile((ROTONDA,), origin=world.other)
    their_body = world.organisation(origin=world.other, name="Cooperativa del Pollino")
    their_proposal = world.proposal(origin=world.other)
    values = body(comuni=[LAURIA, ROTONDA], managing_body=str(their_body), proposal_ids=[str(their_proposal)])
    before = world.call("POST", f"/plans/{plan_id}/interventions", json=values)
    assert before.status_code == 422 and before.get_json()["errors"][0]["field"] == "comuni.1"
    merge(world, "registry.profile")
    assert world.call("POST", f"/plans/{plan_id}/interventions", json=values).get_json()["errors"][0]["field"] == (
        "managing_body")
    merge(world, "registry.profile", "registry.stakeholders")
    assert world.call("POST", f"/plans/{plan_id}/interventions", json=values).get_json()["errors"][0]["field"] == (
        "proposal_ids.0")
    merge(world, "registry.profile", "registry.stakeholders", "consultation.proposals")
    accepted = world.call("POST", f"/plans/{plan_id}/interventions", json=values)
    assert accepted.status_code == 201, accepted.get_json()
    assert accepted.get_json()["proposals"][0]["origin"] == world.other


def test_the_replica_keeps_the_newest_version_whatever_the_order(world):
    intervention_id = former_intervention(world, version=3, status="suspended", percentage="40.00",
                                          event_type="it.pdz.budget.intervention.progress_recorded.v1")
    former_intervention(world, version=1, status="planned", intervention_id=intervention_id)   # late and older
    rows = world.sql("SELECT origin, status, percentage::text, version FROM replica_interventions WHERE id = %s",
                     (intervention_id,))
    assert rows == [(world.other, "suspended", "40.00", 3)]
    former_intervention(world, version=4, status="completed", percentage="100.00", intervention_id=intervention_id,
                        event_type="it.pdz.budget.intervention.updated.v1")
    assert world.sql("SELECT status, version FROM replica_interventions WHERE id = %s",
                     (intervention_id,)) == [("completed", 4)]


def test_a_backfill_brings_the_former_ambitos_interventions_and_the_merged_one_continues_one(world):
    """The former Ambito's own API makes its interventions; the backfill writes their snapshots to its outbox
    (one page per transaction); projected where received, they are what the merged Ambito's plan continues."""
    their_plan, our_plan = world.plan(tenant=world.other), world.plan()
    made = []
    for code in ("L1", "L2", "L3"):
        response = world.call("POST", f"/plans/{their_plan}/interventions", tenant=world.other,
                              json=body(code=code, planned_start=None, planned_end=None))
        assert response.status_code == 201, response.get_json()
        made.append(response.get_json()["id"])
    with psycopg.connect(world.url(world.other)) as conn:
        done = republish(conn, interventions, tenant=world.other, data="budget.interventions", batch_size=2)
    assert (done.events, done.transactions) == (3, 2)
    rows = world.sql("SELECT type, data FROM outbox WHERE data->>'changed' = '[]' ORDER BY id", tenant=world.other)
    assert [(t, d["intervention_id"]) for t, d in rows] == [("it.pdz.budget.intervention.updated.v1", i) for i in made]
    for event_type, data in rows:
        assert_valid_event(event_type, data)
        event = new_event(type=event_type, service="budget", tenant=world.other, aggregate_id=data["intervention_id"],
                          data=data)
        with psycopg.connect(world.url()) as conn:
            apply_rows(conn, PROJECTORS[event_type](event))
    assert world.sql("SELECT count(*) FROM replica_interventions WHERE origin = %s", (world.other,)) == [(3,)]
    merge(world, "budget.interventions")
    response = world.call("POST", f"/plans/{our_plan}/interventions",
                          json=body(continues={"origin": world.other, "intervention_id": made[1]}))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["continues"]["intervention_id"] == made[1]
