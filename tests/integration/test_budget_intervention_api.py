"""Interventions on the real PostgreSQL through the Flask test client: create, read, list, change, refusals.

Plans, plan versions and the replicas (organisations, territory, accepted proposals) are written by SQL
(their APIs belong to other engineers); every event written to the outbox is checked against the catalogue.
"""
from __future__ import annotations

import threading
import uuid

from tests.contract.catalogue import assert_valid_event
from tests.integration.test_budget_intervention_world import LAURIA, ROTONDA, VIGGIANELLO, body, world  # noqa: F401

PLANNED, UPDATED = "it.pdz.budget.intervention.planned.v1", "it.pdz.budget.intervention.updated.v1"


def created(world, plan_id, **overrides):
    response = world.call("POST", f"/plans/{plan_id}/interventions", json=body(**overrides))
    assert response.status_code == 201, response.get_json()
    return response


def errors_of(response) -> list[str]:
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert problem["type"].endswith("/validation-error")
    return [e["field"] for e in problem["errors"]]


def count(world, plan_id) -> int:
    return world.sql("SELECT count(*) FROM interventions WHERE plan_id = %s", (plan_id,))[0][0]


def test_an_intervention_answers_accepted_proposals_and_through_them_the_needs(world):
    plan_id = world.plan()
    world.profile()
    body_id = world.organisation()
    need = {"need_id": str(uuid.uuid4()), "area": "3", "target_group": "anziani", "comuni": [LAURIA]}
    proposal_id = world.proposal(needs=[need], title="Navetta sociale delle frazioni")
    response = created(world, plan_id, comuni=[VIGGIANELLO, LAURIA, LAURIA], managing_body=str(body_id),
                       proposal_ids=[str(proposal_id)])
    intervention = response.get_json()
    assert response.headers["ETag"] == '"1"'
    assert intervention["comuni"] == [VIGGIANELLO, LAURIA]   # deduplicated, in order
    assert intervention["proposal_ids"] == [str(proposal_id)]
    assert intervention["proposals"] == [{"proposal_id": str(proposal_id), "origin": world.slug,
                                          "title": "Navetta sociale delle frazioni", "need_ids": [need["need_id"]],
                                          "needs": [need]}]
    assert intervention["need_ids"] == [need["need_id"]]
    assert intervention["status"] == "planned" and intervention["progress"] is None
    read = world.call("GET", f"/interventions/{intervention['id']}", "auditor")
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    assert read.get_json() == intervention
    events = world.outbox(PLANNED)
    assert len(events) == 1
    assert_valid_event(PLANNED, events[0])
    assert events[0]["intervention_id"] == intervention["id"] and events[0]["need_ids"] == [need["need_id"]]
    assert events[0]["managing_body"] == str(body_id)
    # A proposal a backfill snapshot brought has its need ids, not their details: the ids still count.
    backfilled_need = uuid.uuid4()
    backfilled = world.proposal(needs=[], need_ids=[backfilled_need])
    changed = world.call("PATCH", f"/interventions/{intervention['id']}", headers={"If-Match": '"1"'},
                         json={"proposal_ids": [str(proposal_id), str(backfilled)]}).get_json()
    assert changed["need_ids"] == [need["need_id"], str(backfilled_need)]
    assert changed["proposals"][1]["needs"] == [] and changed["proposals"][1]["need_ids"] == [str(backfilled_need)]


def test_an_idempotent_retry_gets_the_first_answer_and_writes_nothing_more(world):
    plan_id = world.plan()
    headers = {"Idempotency-Key": "intervento-a32"}
    first = world.call("POST", f"/plans/{plan_id}/interventions", json=body(), headers=headers)
    again = world.call("POST", f"/plans/{plan_id}/interventions", json=body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert count(world, plan_id) == 1 and len(world.outbox(PLANNED)) == 1


def test_each_refusal_names_its_field_and_writes_nothing(world):
    plan_id = world.plan()
    world.profile()
    suspended = world.organisation(status="suspended")
    rejected = world.proposal(status="rejected")
    cases = [
        ({"nomenclature_code": "99"}, "nomenclature_code"),
        ({"leps": ["dimissioni-protette", "inventato"]}, "leps.1"),
        ({"area": "42"}, "area"),
        ({"target_group": "astronauti"}, "target_group"),
        ({"kind": "regalo"}, "kind"),
        ({"comuni": [LAURIA, ROTONDA]}, "comuni.1"),
        ({"managing_body": str(suspended)}, "managing_body"),
        ({"managing_body": str(uuid.uuid4())}, "managing_body"),
        ({"cup": "j31b21004620006"}, "cup"),
        ({"kind": "project", "investment": True}, "cup"),
        ({"kind": "service", "investment": True, "cup": "J31B21004620006"}, "investment"),
        ({"planned_start": "2023-12-31"}, "planned_start"),
        ({"planned_end": "2027-01-01"}, "planned_end"),
        ({"planned_start": "2025-06-01", "planned_end": "2025-05-31"}, "planned_end"),
        ({"proposal_ids": [str(rejected)]}, "proposal_ids.0"),
        ({"proposal_ids": [str(uuid.uuid4())]}, "proposal_ids.0"),
        ({"status": "active"}, "actual_start"),
        ({"continues": {"origin": "lagonegrese", "intervention_id": str(uuid.uuid4())}}, "continues.origin"),
    ]
    for overrides, field in cases:
        response = world.call("POST", f"/plans/{plan_id}/interventions", json=body(**overrides))
        assert field in errors_of(response), (overrides, response.get_json())
    assert count(world, plan_id) == 0 and world.outbox(PLANNED) == []
    # The same body with a valid investment passes: the refusals above were for their own reason.
    ok = created(world, plan_id, kind="project", investment=True, cup="J31B21004620006")
    assert ok.get_json()["cup"] == "J31B21004620006" and ok.get_json()["investment"] is True


def test_a_code_is_unique_in_its_plan_only(world):
    plan_id, later = world.plan(2024), world.plan(2027)
    created(world, plan_id)
    duplicate = world.call("POST", f"/plans/{plan_id}/interventions", json=body(title="Altro titolo"))
    assert duplicate.status_code == 409, duplicate.get_json()
    assert duplicate.get_json()["type"].endswith("/duplicate-code") and duplicate.get_json()["field"] == "code"
    created(world, later, planned_start="2027-01-01", planned_end="2029-12-31")   # the same code in another plan
    second = created(world, plan_id, code="A3.3").get_json()
    renamed = world.call("PATCH", f"/interventions/{second['id']}", json={"code": "A3.2"}, headers={"If-Match": '"1"'})
    assert renamed.status_code == 409 and renamed.get_json()["field"] == "code"


def test_an_adopted_plan_refuses_content_but_takes_monitoring(world):
    plan_id = world.plan()
    intervention = created(world, plan_id).get_json()
    world.set_state(plan_id, "adopted")
    refused = world.call("POST", f"/plans/{plan_id}/interventions", json=body(code="A9.9"))
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("/plan-not-editable")
    path = f"/interventions/{intervention['id']}"
    content = world.call("PATCH", path, json={"title": "Un titolo nuovo"}, headers={"If-Match": '"1"'})
    assert content.status_code == 409 and content.get_json()["type"].endswith("/plan-not-editable")
    # A monitoring change mixed with a content one is refused whole.
    mixed = world.call("PATCH", path, json={"status": "active", "actual_start": "2024-04-02", "title": "Nuovo"},
                       headers={"If-Match": '"1"'})
    assert mixed.status_code == 409
    monitoring = world.call("PATCH", path, json={"status": "active", "actual_start": "2024-04-02"},
                            headers={"If-Match": '"1"'})
    assert monitoring.status_code == 200, monitoring.get_json()
    assert monitoring.get_json()["status"] == "active" and monitoring.headers["ETag"] == '"2"'
    assert world.sql("SELECT title FROM interventions WHERE id = %s", (intervention["id"],))[0][0] == body()["title"]
    # Returned by the Region with remarks: editable again.
    world.set_state(plan_id, "returned")
    again = world.call("PATCH", path, json={"title": "Un titolo nuovo"}, headers={"If-Match": '"2"'})
    assert again.status_code == 200, again.get_json()
    assert world.call("POST", f"/plans/{uuid.uuid4()}/interventions", json=body()).status_code == 404


def test_changes_need_the_current_etag_and_say_what_changed(world):
    plan_id = world.plan()
    first, second = world.proposal(), world.proposal(title="Centro diurno")
    intervention = created(world, plan_id, proposal_ids=[str(first)]).get_json()
    path = f"/interventions/{intervention['id']}"
    assert world.call("PATCH", path, json={"title": "Nuovo titolo"}).status_code == 428
    stale = world.call("PATCH", path, json={"title": "Nuovo titolo"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == '"1"'
    changed = world.call("PATCH", path, json={"proposal_ids": [str(second)], "leps": []}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["proposal_ids"] == [str(second)] and changed.get_json()["leps"] == []
    events = world.outbox(UPDATED)
    assert len(events) == 1 and events[0]["changed"] == ["leps", "proposal_ids"] and events[0]["version"] == 2
    assert_valid_event(UPDATED, events[0])
    cancelled = world.call("PATCH", path, json={"status": "cancelled"}, headers={"If-Match": '"2"'})
    assert cancelled.status_code == 200, cancelled.get_json()
    reopened = world.call("PATCH", path, json={"status": "planned"}, headers={"If-Match": '"3"'})
    assert reopened.status_code == 409 and reopened.get_json()["type"].endswith("/intervention-cancelled")
    assert world.call("PATCH", path, "auditor", json={"title": "x"}, headers={"If-Match": '"3"'}).status_code == 403


def test_the_list_filters_and_pages(world):
    plan_id, other_plan = world.plan(2024), world.plan(2027)
    created(world, plan_id, code="A1", area="1", kind="service", leps=["pronto-intervento-sociale"])
    created(world, plan_id, code="A2", area="3", kind="transfer", leps=[])
    created(world, plan_id, code="A3", area="3", kind="service", leps=["dimissioni-protette"])
    created(world, other_plan, code="B1", planned_start=None, planned_end=None)

    def codes(query=""):
        response = world.call("GET", f"/plans/{plan_id}/interventions{query}", "stakeholder")
        assert response.status_code == 200, response.get_json()
        return [item["code"] for item in response.get_json()["items"]]

    assert codes() == ["A1", "A2", "A3"]
    assert codes("?area=3") == ["A2", "A3"]
    assert codes("?kind=service") == ["A1", "A3"]
    assert codes("?leps=dimissioni-protette") == ["A3"]
    assert codes("?status=active") == []
    page = world.call("GET", f"/plans/{plan_id}/interventions?limit=2").get_json()
    assert [i["code"] for i in page["items"]] == ["A1", "A2"] and page["next_cursor"]
    rest = world.call("GET", f"/plans/{plan_id}/interventions?limit=2&after={page['next_cursor']}").get_json()
    assert [i["code"] for i in rest["items"]] == ["A3"] and rest["next_cursor"] is None
    assert world.call("GET", f"/plans/{uuid.uuid4()}/interventions").status_code == 404


def test_two_operators_racing_for_one_code_get_one_201_and_one_409(world):
    plan_id = world.plan()
    barrier = threading.Barrier(2)
    answers = []

    def post(title):
        client = world.client.application.test_client()   # one client per thread
        barrier.wait()
        answers.append(world.call("POST", f"/plans/{plan_id}/interventions", json=body(title=title),
                                  subject=title, client=client).status_code)

    threads = [threading.Thread(target=post, args=(title,)) for title in ("Primo titolo", "Secondo titolo")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 409]
    assert count(world, plan_id) == 1 and len(world.outbox(PLANNED)) == 1
