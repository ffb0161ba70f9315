"""Roles, personal data, erasure, the access log and public exports (real PostgreSQL)."""
import csv
import io

import pytest

from tests.integration.registry_client import Registry
from tests.integration.test_registry_flow import db


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


@pytest.fixture
def filed(reg):
    """An open call and one application filed by the representative 'coop-sentiero'."""
    call = reg.open_call()
    application = reg.call("POST", "/applications", "stakeholder", subject="coop-sentiero",
                           json=reg.application(call["id"])).get_json()
    return call, application


def test_a_representative_reads_only_its_own_applications(reg, filed):
    call, mine = filed
    other = reg.call("POST", "/applications", "stakeholder", subject="aps-pollino",
                     json=reg.application(call["id"], name="APS Pollino Solidale")).get_json()
    listed = reg.call("GET", "/applications", "stakeholder", subject="coop-sentiero").get_json()["items"]
    assert [a["id"] for a in listed] == [mine["id"]]
    assert reg.call("GET", f"/applications/{mine['id']}", "stakeholder", subject="coop-sentiero").status_code == 200
    refused = reg.call("GET", f"/applications/{other['id']}", "stakeholder", subject="coop-sentiero")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    everyone = reg.call("GET", "/applications", "operator").get_json()["items"]
    assert len(everyone) == 2


@pytest.mark.parametrize("method, path, roles", [
    ("POST", "/applications/{app}/admit", ("stakeholder",)),          # representatives do not review
    ("POST", "/applications/{app}/admit", ("auditor",)),              # auditors only read
    ("POST", "/applications/{app}/admit", ("regional-admin",)),       # the region reads, the Ambito decides
    ("POST", "/calls", ("stakeholder",)),
    ("POST", "/calls", ("auditor",)),
    ("POST", "/stakeholders", ("regional-admin",)),
    ("GET", "/stakeholders", ("stakeholder",)),                       # the register's tax codes are for the office
    ("POST", "/applications", ("auditor",)),
    ("POST", "/privacy/erasures", ("auditor",)),
    ("GET", "/privacy/access-log", ("stakeholder",)),
])
def test_each_role_is_refused_what_it_may_not_do(reg, filed, method, path, roles):
    _call, application = filed
    response = reg.call(method, path.format(app=application["id"]), *roles, json={})
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["type"].endswith("forbidden")


def test_auditor_and_regional_admin_read(reg, filed, tenants):
    _call, application = filed
    for roles in (("auditor",), ("regional-admin",)):
        assert reg.call("GET", f"/applications/{application['id']}", *roles).status_code == 200
        assert reg.call("GET", "/stakeholders", *roles).status_code == 200
    # A regional admin reads every Ambito, even one its token does not list.
    other = tenants.slugs()[1]
    assert reg.call("GET", "/calls", "regional-admin", tenant=other).status_code == 200
    assert reg.call("GET", "/calls", "operator", tenant=other).status_code == 200  # token lists `other`
    assert reg.client.get(f"/v1/{other}/calls", headers=reg.headers("operator")).status_code == 403


def test_reading_personal_data_is_logged_and_erasure_says_what_it_removed(reg, filed):
    _call, application = filed
    detail = reg.call("GET", f"/applications/{application['id']}", "auditor", subject="revisore-1").get_json()
    assert {p["role"] for p in detail["people"]} == {"legal_representative", "contact_person"}
    log = reg.call("GET", "/privacy/access-log", "auditor").get_json()["items"]
    assert [(e["subject"], e["action"]) for e in log] == [("coop-sentiero", "create")] * 2 + [("revisore-1", "read")] * 2
    assert "Mario Rossi" not in str(log)

    bad = reg.call("POST", "/privacy/erasures", json={"tax_code": "RSSMRA85T10A562S", "email": "x@example.org"})
    assert bad.status_code == 422
    erased = reg.call("POST", "/privacy/erasures", json={"tax_code": "rssmra85t10a562s"})
    assert erased.status_code == 201, erased.get_json()
    body = erased.get_json()
    assert body["people_removed"] == 1 and body["matched_by"] == "tax_code"
    assert body["removed"][0]["role"] == "legal_representative"
    assert body["removed"][0]["application_protocol"] == application["protocol_number"]
    assert db(reg, "SELECT count(*) FROM people WHERE tax_code = 'RSSMRA85T10A562S'")[0][0] == 0
    by_email = reg.call("POST", "/privacy/erasures", json={"email": "ANNA.BIANCHI@example.org"}).get_json()
    assert by_email["people_removed"] == 1
    after = reg.call("GET", f"/applications/{application['id']}", "operator").get_json()
    assert after["people"] == [] and after["protocol_number"] == application["protocol_number"]
    actions = [e["action"] for e in reg.call("GET", "/privacy/access-log", "auditor").get_json()["items"]]
    assert actions.count("erase") == 2
    nothing = reg.call("POST", "/privacy/erasures", json={"email": "nobody@example.org"}).get_json()
    assert nothing["people_removed"] == 0 and nothing["removed"] == []


def test_public_exports_need_no_token_and_hold_organisations_only(reg, filed):
    _call, application = filed
    reg.call("POST", f"/applications/{application['id']}/admit")
    reg.call("POST", "/stakeholders", json={"name": "Impresa individuale Verdi", "type": "enterprise",
                                            "tax_code": "RSSMRA85T10A562S"})
    response = reg.client.get(f"/v1/{reg.slug}/public/stakeholders.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["Denominazione"] for r in rows} == {"Cooperativa Sociale Il Sentiero", "Impresa individuale Verdi"}
    assert {r["Denominazione"]: r["Comune sede"] for r in rows} == {"Cooperativa Sociale Il Sentiero": "Lauria",
                                                                    "Impresa individuale Verdi": ""}
    for personal in ("Mario Rossi", "Anna Bianchi", "anna.bianchi@example.org", "RSSMRA85T10A562S"):
        assert personal not in text
    xlsx = reg.client.get(f"/v1/{reg.slug}/public/stakeholders.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert reg.client.get("/v1/no-such-ambito/public/stakeholders.csv").status_code == 404
