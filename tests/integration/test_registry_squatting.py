"""Finding 4 of issue 7: one representative must not lock another organisation out of a call for good.

Applying with someone else's tax code keeps the real organisation out only while that application
stands: once the Ufficio di Piano rejects it, the real organisation can apply (real PostgreSQL)."""
import pytest

from tests.integration.registry_client import Registry


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def apply(reg, body, subject):
    return reg.call("POST", "/applications", "stakeholder", subject=subject, json=body)


def test_a_rejected_squatter_no_longer_locks_the_real_organisation_out(reg):
    call = reg.open_call()
    real = reg.application(call["id"], name="Cooperativa Sociale Il Sentiero")
    tax_code = real["organisation"]["tax_code"]
    squat = apply(reg, reg.application(call["id"], name="Sentiero Falso", tax_code=tax_code), "squatter")
    assert squat.status_code == 201, squat.get_json()
    squat = squat.get_json()

    # While the squatter's application stands, the real organisation is refused, and told which one stands.
    refused = apply(reg, real, "coop-sentiero")
    problem = refused.get_json()
    assert refused.status_code == 409 and problem["type"].endswith("duplicate-application"), problem
    assert problem["standing_protocol_number"] == squat["protocol_number"]
    assert squat["protocol_number"] in problem["detail"]

    # The operator finds it by tax code and rejects it ...
    found = reg.call("GET", "/applications", query_string={"call_id": call["id"], "tax_code": tax_code.lower()})
    assert [a["id"] for a in found.get_json()["items"]] == [squat["id"]]
    rejected = reg.call("POST", f"/applications/{squat['id']}/reject",
                        json={"reason": "Il codice fiscale non appartiene all'organizzazione richiedente."})
    assert rejected.status_code == 200, rejected.get_json()

    # ... and the real organisation can apply now: the rejected application no longer counts.
    again = apply(reg, real, "coop-sentiero")
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["organisation"]["tax_code"] == tax_code

    # One standing application per organisation and call still holds: the squatter cannot come back ...
    assert apply(reg, reg.application(call["id"], name="Sentiero Falso", tax_code=tax_code),
                 "squatter").status_code == 409
    # ... and neither can it once the real one is admitted.
    assert reg.call("POST", f"/applications/{again.get_json()['id']}/admit").status_code == 200
    assert apply(reg, reg.application(call["id"], name="Sentiero Falso", tax_code=tax_code),
                 "squatter").status_code == 409
    statuses = sorted(a["status"] for a in reg.call("GET", "/applications", query_string={
        "call_id": call["id"], "tax_code": tax_code}).get_json()["items"])
    assert statuses == ["admitted", "rejected"]


def test_an_operator_lists_what_one_account_submitted(reg):
    call = reg.open_call()
    for name in ("Associazione Uno", "Associazione Due"):
        assert apply(reg, reg.application(call["id"], name=name), "squatter").status_code == 201
    assert apply(reg, reg.application(call["id"], name="Associazione Tre"), "honest").status_code == 201
    listed = reg.call("GET", "/applications", query_string={"submitted_by": "squatter"}).get_json()["items"]
    assert sorted(a["organisation"]["name"] for a in listed) == ["Associazione Due", "Associazione Uno"]
    assert {a["submitted_by"] for a in listed} == {"squatter"}
    # A representative's own filter cannot be widened to someone else's applications.
    own = reg.call("GET", "/applications", "stakeholder", subject="honest",
                   query_string={"submitted_by": "squatter"}).get_json()["items"]
    assert own == []
