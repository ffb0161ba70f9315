"""A stakeholder's history: a page like every other list, and an admitted organisation's history names
the application and protocol number it came from (issue 7, real PostgreSQL)."""
import pytest

from tests.contract.catalogue import assert_valid_event
from tests.integration.registry_client import Registry
from tests.integration.test_registry_flow import outbox


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def history(reg, stakeholder_id, **query):
    response = reg.call("GET", f"/stakeholders/{stakeholder_id}/history", "auditor", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_admitted_organisations_history_starts_from_its_application(reg):
    first_call, second_call = reg.open_call(areas=("3", "5")), reg.open_call(areas=("5", "6"))
    one = reg.call("POST", "/applications", "stakeholder", json=reg.application(first_call["id"], areas=("3",)))
    one = one.get_json()
    sid = reg.call("POST", f"/applications/{one['id']}/admit").get_json()["stakeholder_id"]
    two = reg.call("POST", "/applications", "stakeholder", json=reg.application(second_call["id"], areas=("6",)))
    two = two.get_json()
    assert reg.call("POST", f"/applications/{two['id']}/admit").status_code == 200

    entries = history(reg, sid)["items"]
    assert [(e["version"], e["change"]) for e in entries] == [(1, "admitted_from_application"),
                                                              (2, "admitted_from_application")]
    assert [(e["application_id"], e["protocol_number"]) for e in entries] == [
        (one["id"], one["protocol_number"]), (two["id"], two["protocol_number"])]
    # One shape per kind: an admission's changes are always from/to; from null where there was no record.
    assert entries[0]["changes"]["name"] == {"from": None, "to": "Cooperativa Sociale Il Sentiero"}
    assert entries[0]["changes"]["areas"] == {"from": None, "to": ["3"]}
    assert entries[1]["changes"]["areas"] == {"from": ["3"], "to": ["3", "6"]}

    # The events say so too (optional fields, so older consumers are unaffected).
    stakeholder_events = [(t, d) for t, d in outbox(reg) if ".stakeholder." in t]
    assert [(t, d.get("application_id"), d.get("protocol_number")) for t, d in stakeholder_events] == [
        ("it.pdz.registry.stakeholder.registered.v1", one["id"], one["protocol_number"]),
        ("it.pdz.registry.stakeholder.updated.v1", two["id"], two["protocol_number"])]
    for type_, data in stakeholder_events:
        assert_valid_event(type_, data)


def test_a_directly_registered_organisation_names_no_application(reg):
    made = reg.call("POST", "/stakeholders", json={"name": "Comune di Lauria", "type": "comune",
                                                   "tax_code": "01114601006"})
    entries = history(reg, made.get_json()["id"])["items"]
    assert [(e["change"], e["application_id"], e["protocol_number"]) for e in entries] == [
        ("registered", None, None)]
    assert entries[0]["changes"]["name"] == "Comune di Lauria"
    data = [d for t, d in outbox(reg) if t.endswith("stakeholder.registered.v1")][0]
    assert "application_id" not in data and "protocol_number" not in data


def test_history_is_a_page_with_a_cursor(reg):
    made = reg.call("POST", "/stakeholders", json={"name": "Coop Aurora", "type": "social_cooperative",
                                                   "tax_code": "01114601006"})
    sid, tag = made.get_json()["id"], made.headers["ETag"]
    for status in ("suspended", "active", "withdrawn"):
        changed = reg.call("PATCH", f"/stakeholders/{sid}", json={"status": status}, headers={"If-Match": tag})
        assert changed.status_code == 200, changed.get_json()
        tag = changed.headers["ETag"]
    whole = history(reg, sid)
    assert set(whole) == {"items", "next_cursor"} and whole["next_cursor"] is None
    assert [e["version"] for e in whole["items"]] == [1, 2, 3, 4]
    seen, cursor = [], None
    while True:
        page = history(reg, sid, limit=3, **({"after": cursor} if cursor else {}))
        seen += [e["version"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [1, 2, 3, 4]
    assert reg.call("GET", f"/stakeholders/{sid}/history", query_string={"limit": 0}).status_code == 422
    assert reg.call("GET", f"/stakeholders/{sid}/history", query_string={"after": "nope"}).status_code == 422
