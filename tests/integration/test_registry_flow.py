"""Calls, applications, review and the register, against the real PostgreSQL."""
from datetime import timedelta

import psycopg
import pytest

from tests.contract.catalogue import assert_valid_event
from tests.integration.registry_client import Registry


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def outbox(reg):
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(reg.slug), "registry")) as conn:
        return conn.execute("SELECT type, data FROM outbox ORDER BY id").fetchall()


def db(reg, sql, *args):
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(reg.slug), "registry")) as conn:
        return conn.execute(sql, args).fetchall()


def test_call_life_cycle_with_etags(reg):
    call = reg.open_call()
    assert call["status"] == "published" and call["accepting_applications"] is True
    edit = reg.call("PATCH", f"/calls/{call['id']}", json={"title": "Nuovo titolo dell'avviso"},
                    headers={"If-Match": f'"{call["version"]}"'})
    assert edit.status_code == 409 and edit.get_json()["type"].endswith("call-state")
    no_etag = reg.call("POST", f"/calls/{call['id']}/close")
    assert no_etag.status_code == 428
    stale = reg.call("POST", f"/calls/{call['id']}/close", headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == f'"{call["version"]}"'
    closed = reg.call("POST", f"/calls/{call['id']}/close", headers={"If-Match": f'"{call["version"]}"'})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    types = [t for t, _ in outbox(reg)]
    assert types == ["it.pdz.registry.call.drafted.v1", "it.pdz.registry.call.published.v1",
                     "it.pdz.registry.call.closed.v1"]


def test_a_call_names_only_the_regions_areas(reg):
    response = reg.call("POST", "/calls", json={"title": "Avviso di prova", "areas": ["3", "42"],
                                                "opens_at": "2026-01-01T00:00:00+00:00",
                                                "closes_at": "2026-02-01T00:00:00+00:00"})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["areas.1"]


def test_submission_gets_a_protocol_number_and_events_carry_no_personal_data(reg):
    call = reg.open_call()
    made = reg.call("POST", "/applications", "stakeholder", subject="coop-sentiero",
                    json=reg.application(call["id"]))
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    year = body["submitted_at"][:4]
    assert body["protocol_number"] == f"{year}/000001" and body["status"] == "submitted"
    assert "people" not in body
    second = reg.call("POST", "/applications", "operator",
                      json=reg.application(call["id"], name="APS Pollino Solidale", type="ets", runts_section="b",
                                           runts_number="RUNTS-4411"))
    assert second.get_json()["protocol_number"] == f"{year}/000002"
    events = outbox(reg)
    assert [t for t, _ in events].count("it.pdz.registry.application.submitted.v1") == 2
    for type_, data in events:
        assert_valid_event(type_, data)
        text = str(data)
        for personal in ("Mario Rossi", "RSSMRA85T10A562S", "mario.rossi@example.org", "Anna Bianchi", "0973"):
            assert personal not in text


def test_late_and_early_applications_are_refused_naming_the_deadline(reg):
    call = reg.open_call(opens_in=timedelta(days=2), closes_in=timedelta(days=9))
    early = reg.call("POST", "/applications", "stakeholder", json=reg.application(call["id"]))
    assert early.status_code == 409 and "opens at" in early.get_json()["detail"]
    closed = reg.call("POST", f"/calls/{call['id']}/close", headers={"If-Match": f'"{call["version"]}"'}).get_json()
    late = reg.call("POST", "/applications", "stakeholder", json=reg.application(call["id"]))
    problem = late.get_json()
    assert late.status_code == 409 and problem["type"].endswith("call-closed")
    assert problem["deadline"] == closed["closed_at"] and problem["deadline"] in problem["detail"]
    assert db(reg, "SELECT count(*) FROM applications")[0][0] == 0


def test_bad_applications_are_422_naming_the_field_and_write_nothing(reg):
    call = reg.open_call(areas=("3",))
    cases = {
        "organisation.tax_code": {"organisation": {"tax_code": "01114601007"}},
        "organisation.seat_istat": {"organisation": {"seat_istat": "999999"}},
        "legal_representative.tax_code": {"legal_representative": {"full_name": "Mario Rossi",
                                                                   "tax_code": "RSSMRA85T10A562X"}},
        "declarations.possesso_requisiti": {"declarations": {"possesso_requisiti": False,
                                                             "assenza_cause_esclusione": True,
                                                             "presa_visione_informativa_privacy": True}},
        "areas": {"areas": ["5"]},   # a Basilicata area, but not one this call concerns
        "call_id": {"call_id": "00000000-0000-0000-0000-000000000000"},
    }
    for field, change in cases.items():
        body = reg.application(call["id"])
        for key, value in change.items():
            body[key] = {**body[key], **value} if isinstance(body[key], dict) else value
        response = reg.call("POST", "/applications", "stakeholder", json=body)
        assert response.status_code == 422, (field, response.get_json())
        assert field in [e["field"] for e in response.get_json()["errors"]], (field, response.get_json())
    assert db(reg, "SELECT count(*) FROM applications")[0][0] == 0
    assert db(reg, "SELECT count(*) FROM people")[0][0] == 0
    assert db(reg, "SELECT count(*) FROM protocol_counters")[0][0] == 0


def test_the_same_organisation_cannot_apply_twice_and_leaves_no_gap(reg):
    call = reg.open_call()
    first = reg.call("POST", "/applications", "stakeholder", json=reg.application(call["id"])).get_json()
    again = reg.call("POST", "/applications", "stakeholder", json=reg.application(call["id"]))
    assert again.status_code == 409 and again.get_json()["type"].endswith("duplicate-application")
    other = reg.call("POST", "/applications", "stakeholder",
                     json=reg.application(call["id"], name="Associazione Anziani Attivi")).get_json()
    assert int(other["protocol_number"][-6:]) == int(first["protocol_number"][-6:]) + 1


def test_admission_creates_then_updates_the_stakeholder(reg):
    first_call, second_call = reg.open_call(areas=("3", "5")), reg.open_call(areas=("5", "6"))
    one = reg.call("POST", "/applications", "stakeholder", json=reg.application(first_call["id"], areas=("3",)))
    admitted = reg.call("POST", f"/applications/{one.get_json()['id']}/admit")
    assert admitted.status_code == 200
    stakeholder_id = admitted.get_json()["stakeholder_id"]
    again = reg.call("POST", f"/applications/{one.get_json()['id']}/admit")
    assert again.status_code == 409
    two = reg.call("POST", "/applications", "stakeholder", json=reg.application(second_call["id"], areas=("6",)))
    assert reg.call("POST", f"/applications/{two.get_json()['id']}/admit").get_json()["stakeholder_id"] == stakeholder_id
    stakeholder = reg.call("GET", f"/stakeholders/{stakeholder_id}").get_json()
    assert stakeholder["areas"] == ["3", "6"] and stakeholder["seat_istat"] == "076042"
    history = reg.call("GET", f"/stakeholders/{stakeholder_id}/history").get_json()["items"]
    assert [h["change"] for h in history] == ["admitted_from_application", "admitted_from_application"]
    assert history[1]["changes"]["areas"] == {"from": ["3"], "to": ["3", "6"]}
    assert db(reg, "SELECT count(*) FROM people WHERE stakeholder_id = %s", stakeholder_id)[0][0] == 4
    events = outbox(reg)
    assert [t for t, _ in events].count("it.pdz.registry.application.admitted.v1") == 2
    for type_, data in events:
        assert_valid_event(type_, data)


def test_rejection_needs_a_reason(reg):
    call = reg.open_call()
    made = reg.call("POST", "/applications", "stakeholder", json=reg.application(call["id"])).get_json()
    assert reg.call("POST", f"/applications/{made['id']}/reject", json={}).status_code == 422
    rejected = reg.call("POST", f"/applications/{made['id']}/reject",
                        json={"reason": "Sede operativa fuori dall'Ambito (art. 3 dell'avviso)."})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert reg.call("POST", f"/applications/{made['id']}/admit").status_code == 409


def test_register_filters_text_search_and_pagination(reg):
    from shared.cli.demo import demo_tax_code
    for name, type_, areas in [("Comune di Lauria", "comune", ["1"]), ("Comune di Rivello", "comune", ["3"]),
                               ("Pollino Solidale APS", "ets", ["3", "4"])]:
        body = {"name": name, "type": type_, "tax_code": demo_tax_code(name, "076"), "areas": areas}
        if type_ == "ets":
            body["runts_section"] = "b"
        assert reg.call("POST", "/stakeholders", json=body).status_code == 201
    def names(**query):
        return [s["name"] for s in reg.call("GET", "/stakeholders", query_string=query).get_json()["items"]]
    assert names(type="comune") == ["Comune di Lauria", "Comune di Rivello"]
    assert names(area="3") == ["Comune di Rivello", "Pollino Solidale APS"]
    assert names(q="solidale") == ["Pollino Solidale APS"]
    assert names(q=demo_tax_code("Comune di Lauria", "076")) == ["Comune di Lauria"]
    first = reg.call("GET", "/stakeholders", query_string={"limit": 2}).get_json()
    rest = reg.call("GET", "/stakeholders", query_string={"limit": 2, "after": first["next_cursor"]}).get_json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    bad_area = reg.call("POST", "/stakeholders", json={"name": "X S.r.l.", "type": "enterprise",
                                                       "tax_code": "01114601006", "areas": ["99"]})
    assert bad_area.status_code == 422 and bad_area.get_json()["errors"][0]["field"] == "areas.0"


def test_updates_need_the_current_etag_and_are_kept_in_history(reg):
    made = reg.call("POST", "/stakeholders", json={"name": "Coop Aurora", "type": "social_cooperative",
                                                   "tax_code": "01114601006"})
    sid, tag = made.get_json()["id"], made.headers["ETag"]
    assert reg.call("PATCH", f"/stakeholders/{sid}", json={"status": "suspended"}).status_code == 428
    ok = reg.call("PATCH", f"/stakeholders/{sid}", json={"status": "suspended"}, headers={"If-Match": tag})
    assert ok.status_code == 200 and ok.get_json()["status"] == "suspended"
    lost_update = reg.call("PATCH", f"/stakeholders/{sid}", json={"name": "Coop Aurora Onlus"},
                           headers={"If-Match": tag})
    assert lost_update.status_code == 412
    assert reg.call("GET", f"/stakeholders/{sid}").get_json()["name"] == "Coop Aurora"
    history = reg.call("GET", f"/stakeholders/{sid}/history").get_json()["items"]
    assert [h["change"] for h in history] == ["registered", "status_changed"]
    assert history[1]["changes"] == {"status": {"from": "active", "to": "suspended"}}
    assert history[1]["changed_by"] == "operatore-1"


def test_an_idempotency_key_replays_instead_of_creating_twice(reg):
    body = {"name": "Caritas Diocesana", "type": "ets", "runts_section": "g", "tax_code": "01114601006"}
    first = reg.call("POST", "/stakeholders", json=body, headers={"Idempotency-Key": "k-123"})
    again = reg.call("POST", "/stakeholders", json=body, headers={"Idempotency-Key": "k-123"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    other_body = reg.call("POST", "/stakeholders", json={**body, "name": "Altro"}, headers={"Idempotency-Key": "k-123"})
    assert other_body.status_code == 422
    assert db(reg, "SELECT count(*) FROM stakeholders")[0][0] == 1
    # Another caller's key space is its own.
    other_caller = reg.call("POST", "/stakeholders", json=body, subject="operatore-2", headers={"Idempotency-Key": "k-123"})
    assert other_caller.status_code == 409
