"""Correction requests through the API on the real PostgreSQL: a representative asks, the office accepts (the
register is updated with history, version and event in the same transaction) or rejects; roles, 422 at the
field, 409 on a second decision and on a record changed meanwhile."""
from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from tests.contract.catalogue import assert_valid_event
from tests.integration.registry_client import Registry

pytestmark = pytest.mark.integration
REPRESENTATIVE = "rappresentante-1"


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


@pytest.fixture
def stakeholder(reg):
    """An organisation admitted from an application the representative filed: the stakeholder's JSON."""
    call = reg.open_call()
    filed = reg.call("POST", "/applications", "stakeholder", subject=REPRESENTATIVE,
                     json=reg.application(call["id"]))
    assert filed.status_code == 201, filed.get_json()
    admitted = reg.call("POST", f"/applications/{filed.get_json()['id']}/admit")
    assert admitted.status_code == 200, admitted.get_json()
    return reg.call("GET", f"/stakeholders/{admitted.get_json()['stakeholder_id']}").get_json()


def ask(reg, stakeholder, changes, reason="Il nome è cambiato con l'assemblea del 2026", subject=REPRESENTATIVE):
    return reg.call("POST", "/corrections", "stakeholder", subject=subject,
                    json={"stakeholder_id": stakeholder["id"], "changes": changes, "reason": reason})


def db(reg, sql, *args):
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(reg.slug), "registry")) as conn:
        return conn.execute(sql, args).fetchall()


def fields_of(response) -> list[str]:
    return [e["field"] for e in response.get_json()["errors"]]


def test_a_representative_asks_and_the_office_accepts_with_history_version_and_event(reg, stakeholder):
    asked = ask(reg, stakeholder, {"name": "Cooperativa Sociale Il Sentiero Nuovo", "areas": ["3", "5", "3"]})
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    assert request["status"] == "pending" and request["stakeholder_version"] == stakeholder["version"]
    assert request["changes"] == {"name": "Cooperativa Sociale Il Sentiero Nuovo", "areas": ["3", "5"]}
    assert request["current"] == {"name": stakeholder["name"], "areas": ["3"]}
    waiting = reg.call("GET", "/corrections?status=pending").get_json()["items"]
    assert [c["id"] for c in waiting] == [request["id"]]
    events_before = db(reg, "SELECT count(*) FROM outbox")[0][0]

    accepted = reg.call("POST", f"/corrections/{request['id']}/accept",
                        json={"stakeholder_version": stakeholder["version"]})
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "accepted"
    after = reg.call("GET", f"/stakeholders/{stakeholder['id']}").get_json()
    assert after["name"] == "Cooperativa Sociale Il Sentiero Nuovo" and after["areas"] == ["3", "5"]
    assert after["version"] == stakeholder["version"] + 1 == accepted.get_json()["applied_version"]
    history = reg.call("GET", f"/stakeholders/{stakeholder['id']}/history").get_json()["items"]
    assert history[-1]["change"] == "updated" and history[-1]["changed_by"] == "operatore-1"
    assert history[-1]["changes"]["name"] == {"from": stakeholder["name"], "to": after["name"]}
    events = db(reg, "SELECT type, data FROM outbox ORDER BY id")
    assert len(events) == events_before + 1 and events[-1][0] == "it.pdz.registry.stakeholder.updated.v1"
    assert events[-1][1]["changed"] == ["areas", "name"]
    assert_valid_event(events[-1][0], events[-1][1])
    mine = reg.call("GET", f"/corrections/{request['id']}", "stakeholder", subject=REPRESENTATIVE)
    assert mine.status_code == 200 and mine.get_json()["status"] == "accepted"


def test_deciding_twice_is_a_409_and_changes_nothing_more(reg, stakeholder):
    request = ask(reg, stakeholder, {"runts_number": "12345"}).get_json()
    rejected = reg.call("POST", f"/corrections/{request['id']}/reject", json={"reason": "Numero non verificabile"})
    assert rejected.status_code == 200 and rejected.get_json()["rejection_reason"] == "Numero non verificabile"
    again = reg.call("POST", f"/corrections/{request['id']}/accept",
                     json={"stakeholder_version": stakeholder["version"]})
    assert again.status_code == 409 and again.get_json()["type"].endswith("already-decided")
    assert reg.call("GET", f"/stakeholders/{stakeholder['id']}").get_json()["runts_number"] is None
    mine = reg.call("GET", f"/corrections/{request['id']}", "stakeholder", subject=REPRESENTATIVE).get_json()
    assert mine["status"] == "rejected" and mine["rejection_reason"] == "Numero non verificabile"


def test_a_record_changed_since_the_office_read_it_is_a_409_not_a_lost_update(reg, stakeholder):
    request = ask(reg, stakeholder, {"name": "Il Sentiero Cooperativa Sociale"}).get_json()
    patched = reg.call("PATCH", f"/stakeholders/{stakeholder['id']}", json={"runts_number": "999"},
                       headers={"If-Match": f'"{stakeholder["version"]}"'})
    assert patched.status_code == 200, patched.get_json()
    stale = reg.call("POST", f"/corrections/{request['id']}/accept",
                     json={"stakeholder_version": stakeholder["version"]})
    assert stale.status_code == 409, stale.get_json()
    assert stale.get_json()["type"].endswith("stakeholder-changed")
    assert stale.get_json()["current_version"] == stakeholder["version"] + 1
    now = reg.call("GET", f"/stakeholders/{stakeholder['id']}").get_json()
    assert now["runts_number"] == "999" and now["name"] == stakeholder["name"]   # the other change stands
    assert reg.call("GET", f"/corrections/{request['id']}").get_json()["status"] == "pending"
    fresh = reg.call("POST", f"/corrections/{request['id']}/accept", json={"stakeholder_version": now["version"]})
    assert fresh.status_code == 200
    final = reg.call("GET", f"/stakeholders/{stakeholder['id']}").get_json()
    assert final["runts_number"] == "999" and final["name"] == "Il Sentiero Cooperativa Sociale"


def test_two_offices_deciding_at_once_get_one_success_and_one_409(reg, stakeholder):
    request = ask(reg, stakeholder, {"seat_istat": "076063"}).get_json()
    answers: list[int] = []
    start = threading.Barrier(2)

    def decide(path, body):
        start.wait()
        answers.append(reg.call("POST", f"/corrections/{request['id']}/{path}", json=body).status_code)

    threads = [threading.Thread(target=decide, args=("accept", {"stakeholder_version": stakeholder["version"]})),
               threading.Thread(target=decide, args=("reject", {"reason": "Sede non documentata"}))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409]
    status = reg.call("GET", f"/corrections/{request['id']}").get_json()["status"]
    seat = reg.call("GET", f"/stakeholders/{stakeholder['id']}").get_json()["seat_istat"]
    assert (status, seat) in {("accepted", "076063"), ("rejected", stakeholder["seat_istat"])}


def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(reg, stakeholder):
    cases = [({"type": "banca"}, "changes.type"), ({"status": "withdrawn"}, "changes.status"),
             ({"seat_istat": "999999"}, "changes.seat_istat"), ({"areas": ["nope"]}, "changes.areas.0"),
             ({"name": stakeholder["name"]}, "changes"), ({"type": "ets"}, "changes.runts_section")]
    for changes, field in cases:
        refused = ask(reg, stakeholder, changes)
        assert refused.status_code == 422, (changes, refused.get_json())
        assert field in fields_of(refused), (changes, refused.get_json())
    assert "reason" in fields_of(ask(reg, stakeholder, {"runts_number": "1"}, reason="no"))
    assert db(reg, "SELECT count(*) FROM correction_requests") == [(0,)]


def test_only_its_own_organisations_and_requests_and_one_waiting_at_a_time(reg, stakeholder):
    other = ask(reg, stakeholder, {"runts_number": "1"}, subject="qualcun-altro")
    assert other.status_code == 422 and fields_of(other) == ["stakeholder_id"]
    unknown = ask(reg, {"id": str(uuid.uuid4())}, {"runts_number": "1"})
    assert unknown.status_code == 422 and fields_of(unknown) == ["stakeholder_id"]
    first = ask(reg, stakeholder, {"runts_number": "1"})
    assert first.status_code == 201
    second = ask(reg, stakeholder, {"runts_number": "2"})
    assert second.status_code == 409 and second.get_json()["correction_id"] == first.get_json()["id"]
    path = f"/corrections/{first.get_json()['id']}"
    assert reg.call("GET", path, "stakeholder", subject="qualcun-altro").status_code == 403
    assert reg.call("GET", "/corrections", "stakeholder", subject="qualcun-altro").get_json()["items"] == []
    for role in ("auditor", "operator"):
        assert reg.call("GET", path, role).status_code == 200
    assert reg.call("POST", "/corrections", "operator", json={
        "stakeholder_id": stakeholder["id"], "changes": {"runts_number": "3"}, "reason": "Per conto loro"}
    ).status_code == 403
    for role in ("stakeholder", "auditor", "coordinator"):
        assert reg.call("POST", f"{path}/accept", role, subject=REPRESENTATIVE,
                        json={"stakeholder_version": 1}).status_code == 403
        assert reg.call("POST", f"{path}/reject", role, json={"reason": "Non è così"}).status_code == 403
    assert reg.call("GET", "/corrections?status=pending").get_json()["items"][0]["status"] == "pending"
