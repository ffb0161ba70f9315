"""Data shared by former Ambiti in the merged Ambito's consultation, on the real PostgreSQL through the Flask
test client (issue 9): replica rows written by the shared projectors' rows with the consumer's row writer;
lists with `origin` and its filter, one cursor over own + replica rows, 409 on any write to a replica naming
its owner, and a former Ambito's organisation invited only where its register is shared."""
from __future__ import annotations

import uuid

import psycopg
import pytest

from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.sharing import Share, Sharing

from services.consultation.members.projector import PROJECTORS as REGISTER
from services.consultation.shared_replicas import PROJECTORS as SHARED
from tests.integration.test_consultation_contributions_world import need_body, world  # noqa: F401


def shared(world, event_type, origin, **data):
    """An event of `origin`, projected into the merged Ambito's (world.slug) database as the consumer would."""
    event = new_event(type=event_type, service=event_type.split(".")[2], tenant=origin,
                      aggregate_id=str(uuid.uuid4()), data=data)
    rows = (SHARED.get(event_type) or REGISTER[event_type])(event)
    with psycopg.connect(world.url()) as conn:
        apply_rows(conn, rows)
    return event


def replica_table(world, origin, title="Tavolo del Lagonegrese", version=1, table_id=None, status="active"):
    table_id = str(table_id or uuid.uuid4())
    shared(world, "it.pdz.consultation.table.created.v1", origin, table_id=table_id, kind="thematic", title=title,
           areas=["3"], membership="open", status=status, version=version)
    return table_id


def replica_need(world, origin, table_id, title="Bisogno del Lagonegrese", version=1, need_id=None, **extra):
    need_id = str(need_id or uuid.uuid4())
    shared(world, "it.pdz.consultation.need.recorded.v1", origin, **{
        "need_id": need_id, "table_id": str(table_id), "session_id": None, "organisation_id": str(uuid.uuid4()),
        "title": title, "description": "Descrizione", "area": "3", "target_group": "anziani", "comuni": [],
        "evidence": "", "status": "open", "on_behalf": False, "recorded_by_role": "stakeholder",
        "version": version, "recorded_at": "2025-04-14T10:30:00+02:00", "updated_at": "2025-04-14T10:30:00+02:00",
        **extra})
    return need_id


def predecessor_organisation(world, origin, name="ODV del Lagonegrese"):
    sid = str(uuid.uuid4())
    shared(world, "it.pdz.registry.stakeholder.registered.v1", origin, stakeholder_id=sid, name=name, type="ets",
           runts_section="b", areas=["3"], status="active", version=1, registered_at="2025-03-01T09:00:00+00:00")
    return sid


class SharingCatalogue:
    """The app's catalogue with the shares of a merger made by the test (Catalogue.sharing's interface)."""

    def __init__(self, inner, sharing):
        self._inner, self.sharing = inner, sharing

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __len__(self):
        return len(self._inner)

    def __iter__(self):
        return iter(self._inner)


def merge(world, *shares):
    platform = world.client.application.extensions["pdz"]
    platform.catalogue = SharingCatalogue(platform.catalogue, Sharing(list(shares)))


def own_need(world, table_id, organisation_id, title):
    created = world.call("POST", "/needs", "op-1", "operator",
                         json=need_body(table_id, organisation_id, on_behalf=True, title=title))
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


@pytest.fixture
def merged(world):
    """The merged Ambito (world.slug) with one own table and member, and a former Ambito (world.other)."""
    table_id = world.table("Tavolo dell'Ambito unito")
    odv = world.organisation("ODV dell'Ambito unito")
    world.member(table_id, odv, "rep-a")
    return {"table": str(table_id), "odv": odv, "origin": world.other}


def items(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_the_lists_hold_own_and_replica_records_each_with_its_origin_and_the_filter_narrows(world, merged):
    origin = merged["origin"]
    theirs = replica_table(world, origin)
    own = own_need(world, merged["table"], merged["odv"], "Bisogno dell'Ambito unito")
    their_need = replica_need(world, origin, theirs)
    for role in ("operator", "auditor", "stakeholder", "regional-admin"):
        tables = items(world.call("GET", "/tables", "r", role))
        assert [(t["id"], t["origin"]) for t in tables] == [(merged["table"], world.slug), (theirs, origin)], role
    needs = items(world.call("GET", "/needs", "r", "operator"))
    assert [(n["id"], n["origin"]) for n in needs] == [(own, world.slug), (their_need, origin)]
    assert needs[1]["recorded_by"] is None  # accounts stay with their Ambito
    assert [n["id"] for n in items(world.call("GET", f"/needs?origin={origin}", "r", "operator"))] == [their_need]
    assert [n["id"] for n in items(world.call("GET", f"/needs?origin={world.slug}", "r", "operator"))] == [own]
    assert [t["id"] for t in items(world.call("GET", f"/tables?origin={origin}", "r", "operator"))] == [theirs]
    assert items(world.call("GET", "/needs?origin=nessun-ambito", "r", "operator")) == []
    # the other filters apply to the replicas too
    assert [n["id"] for n in items(world.call("GET", f"/needs?table_id={theirs}", "r", "operator"))] == [their_need]
    one = world.call("GET", f"/needs/{their_need}", "r", "auditor")
    assert one.status_code == 200 and one.get_json()["origin"] == origin and one.headers["ETag"] == '"1"'
    table = world.call("GET", f"/tables/{theirs}", "r", "stakeholder")
    assert table.status_code == 200 and table.get_json()["origin"] == origin
    assert world.call("GET", f"/tables/{merged['table']}", "r", "operator").get_json()["origin"] == world.slug


def test_one_cursor_walks_own_and_replica_rows_in_arrival_order_without_loss_or_repeat(world, merged):
    origin, theirs = merged["origin"], replica_table(world, merged["origin"])
    expected = []
    for i in range(3):
        expected.append(own_need(world, merged["table"], merged["odv"], f"Bisogno proprio {i}"))
        expected.append(replica_need(world, origin, theirs, title=f"Bisogno condiviso {i}"))
    seen, cursor, pages = [], None, 0
    while True:
        query = "/needs?limit=2" + (f"&after={cursor}" if cursor else "")
        body = world.call("GET", query, "r", "operator").get_json()
        seen += [n["id"] for n in body["items"]]
        pages += 1
        if pages == 1:  # a replica arriving between two pages comes after what was already listed
            expected.append(replica_need(world, origin, theirs, title="Arrivato durante la lettura"))
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == expected and len(set(seen)) == len(seen)
    # a duplicate event of a replica already listed does not move it
    replica_need(world, origin, theirs, need_id=expected[1], title="Bisogno condiviso 0")
    assert [n["id"] for n in items(world.call("GET", "/needs?limit=500", "r", "operator"))] == expected


def problem(response, origin):
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert body["type"].endswith("/replica-read-only") and body["origin"] == origin and origin in body["detail"]
    return body


def test_every_write_to_a_replica_is_refused_naming_the_owner(world, merged):
    origin = merged["origin"]
    theirs = replica_table(world, origin)
    their_need = replica_need(world, origin, theirs)
    if_match = {"If-Match": '"1"'}
    problem(world.call("PATCH", f"/tables/{theirs}", "op-1", "operator", json={"title": "Nuovo"}, headers=if_match),
            origin)
    problem(world.call("POST", f"/tables/{theirs}/close", "op-1", "operator", headers=if_match), origin)
    problem(world.call("POST", f"/tables/{theirs}/members", "op-1", "operator",
                       json={"organisation_id": str(merged["odv"]), "accounts": []}), origin)
    problem(world.call("PATCH", f"/needs/{their_need}", "op-1", "operator", json={"title": "Nuovo titolo"},
                       headers=if_match), origin)
    problem(world.call("POST", f"/needs/{their_need}/close", "op-1", "operator", headers=if_match), origin)
    # nothing changed, nothing was published
    assert world.sql("SELECT title, version FROM replica_needs WHERE id = %s", (their_need,)) == [
        {"title": "Bisogno del Lagonegrese", "version": 1}]
    assert world.outbox() == []
    # an id that is neither own nor a replica is still a 404
    assert world.call("PATCH", f"/needs/{uuid.uuid4()}", "op-1", "operator", json={"title": "Nuovo titolo"},
                      headers=if_match).status_code == 404


def test_duplicates_and_late_events_change_nothing(world, merged):
    origin, need_id = merged["origin"], str(uuid.uuid4())
    replica_need(world, origin, uuid.uuid4(), need_id=need_id, version=2, status="closed", title="Versione due")
    replica_need(world, origin, uuid.uuid4(), need_id=need_id, version=1, title="Versione uno")  # late
    replica_need(world, origin, uuid.uuid4(), need_id=need_id, version=2, status="closed", title="Versione due")
    assert world.sql("SELECT title, status, version FROM replica_needs WHERE id = %s", (need_id,)) == [
        {"title": "Versione due", "status": "closed", "version": 2}]
    # a proposal's decision arriving before its submission keeps the decision, and gets the content
    proposal = str(uuid.uuid4())
    common = {"proposal_id": proposal, "table_id": str(uuid.uuid4()), "organisation_id": str(uuid.uuid4()),
              "title": "Navetta sociale"}
    shared(world, "it.pdz.consultation.proposal.rejected.v1", origin, **common, status="rejected", version=5,
           answer="Non accolta.", decided_at="2025-06-20T12:00:00+02:00")
    shared(world, "it.pdz.consultation.proposal.submitted.v1", origin, **common, status="submitted", version=1,
           description="Trasporto a chiamata.", expected_outcome="60 anziani.", need_ids=[], areas=["3"],
           target_groups=["anziani"], comuni=[], deliverers=[], estimated_cost="18500.00", on_behalf=False,
           recorded_by_role="stakeholder", submitted_at="2025-04-20T11:00:00+02:00")
    [row] = world.sql("SELECT status, version, answer, description, estimated_cost::text AS cost, content_version"
                      " FROM replica_proposals WHERE id = %s", (proposal,))
    assert row == {"status": "rejected", "version": 5, "answer": "Non accolta.",
                   "description": "Trasporto a chiamata.", "cost": "18500.00", "content_version": 1}


def test_a_former_ambitos_organisation_is_invited_only_where_its_register_is_shared(world, merged):
    origin = merged["origin"]
    theirs = predecessor_organisation(world, origin)
    body = {"organisation_id": theirs, "accounts": ["rep-lag"]}
    refused = world.call("POST", f"/tables/{merged['table']}/members", "op-1", "operator", json=body)
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("/shared-organisation")
    # a share of needs only is no share of the register
    merge(world, Share(origin, world.slug, ("consultation.needs",)))
    assert world.call("POST", f"/tables/{merged['table']}/members", "op-1", "operator",
                      json=body).status_code == 409
    merge(world, Share(origin, world.slug, ("registry.stakeholders", "consultation.needs")))
    added = world.call("POST", f"/tables/{merged['table']}/members", "op-1", "operator", json=body)
    assert added.status_code == 201, added.get_json()
    # an Ambito that shares nothing with this one: still refused
    stranger = predecessor_organisation(world, "ambito-estraneo", name="Cooperativa estranea")
    other = world.call("POST", f"/tables/{merged['table']}/members", "op-1", "operator",
                       json={"organisation_id": stranger, "accounts": []})
    assert other.status_code == 409 and other.get_json()["type"].endswith("/shared-organisation")
    # its representative acts through the membership's accounts, as any member's
    need = world.call("POST", "/needs", "rep-lag", "stakeholder", json=need_body(merged["table"], theirs))
    assert need.status_code == 201, need.get_json()
    assert world.call("POST", "/needs", "rep-a", "stakeholder",
                      json=need_body(merged["table"], theirs)).status_code == 403


def test_a_batch_of_shared_events_is_written_in_bulk_as_the_consumer_does(world, merged):
    """Runs of one shape on distinct keys are one jsonb_populate_recordset statement (the offers here; a
    proposal's two rows alternate shapes): arrays, money, null capacity."""
    origin, events = merged["origin"], []
    for i in range(3):
        base = {"proposal_id": str(uuid.uuid4()), "table_id": str(uuid.uuid4()), "organisation_id": str(uuid.uuid4()),
                "title": f"Proposta {i}", "status": "submitted", "version": 1}
        events.append(new_event(type="it.pdz.consultation.proposal.submitted.v1", service="consultation",
                                tenant=origin, aggregate_id=base["proposal_id"], data={
                                    **base, "description": "D", "expected_outcome": "E",
                                    "need_ids": [str(uuid.uuid4())], "areas": ["3"], "target_groups": ["anziani"],
                                    "comuni": ["076042"], "deliverers": [str(uuid.uuid4())],
                                    "estimated_cost": f"{i + 1}000.50", "on_behalf": False,
                                    "recorded_by_role": "stakeholder", "submitted_at": "2025-04-20T11:00:00+02:00"}))
        events.append(new_event(type="it.pdz.consultation.service_offer.added.v1", service="consultation",
                                tenant=origin, aggregate_id=str(i), data={
                                    "offer_id": str(uuid.uuid4()), "organisation_id": str(uuid.uuid4()),
                                    "name": f"Servizio {i}", "area": "3", "target_group": "anziani",
                                    "comuni": ["076042"], "capacity": None, "accredited": False,
                                    "status": "active", "recorded_by_office": True, "version": 1,
                                    "at": "2025-04-14T10:30:00+02:00"}))
    rows = [row for event in sorted(events, key=lambda e: e.type) for row in SHARED[event.type](event)]
    with psycopg.connect(world.url()) as conn:
        apply_rows(conn, rows)
    assert world.sql("SELECT estimated_cost::text AS cost, cardinality(need_ids) AS needs FROM replica_proposals"
                     " ORDER BY estimated_cost") == [{"cost": f"{i + 1}000.50", "needs": 1} for i in range(3)]
    assert world.sql("SELECT count(*) AS n FROM replica_offer WHERE capacity_amount IS NULL AND origin = %s",
                     (origin,)) == [{"n": 3}]


def test_a_former_ambitos_member_is_invited_to_the_tables_sessions(world, merged):
    origin = merged["origin"]
    theirs = predecessor_organisation(world, origin)
    merge(world, Share(origin, world.slug, ("registry.stakeholders",)))
    added = world.call("POST", f"/tables/{merged['table']}/members", "op-1", "operator",
                       json={"organisation_id": theirs, "accounts": ["rep-lag"]})
    assert added.status_code == 201, added.get_json()
    session_id = world.session(merged["table"])
    invited = world.call("POST", f"/sessions/{session_id}/invitations", "op-1", "operator", json={})
    assert invited.status_code == 201, invited.get_json()
    assert set(invited.get_json()["invited"]) == {str(merged["odv"]), theirs}
    # ...and its representative registers it, through the membership's accounts
    world.sql("UPDATE sessions SET starts_at = now() + interval '30 days' WHERE id = %s", (session_id,))
    registered = world.call("POST", f"/sessions/{session_id}/registrations", "rep-lag", "stakeholder",
                            json={"organisation_id": theirs})
    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json()["status"] == "registered"
