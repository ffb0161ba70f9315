"""The personal-data access log: filters by subject, action, resource, record and time, with cursor
pagination, and its action/resource values as enums in the OpenAPI document (issue 7, real PostgreSQL)."""
import pytest

import psycopg

from tests.integration.registry_client import Registry


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def stamp(reg, action, at):
    """Move every log entry of one action to a fixed instant (a time range to filter on, without waiting)."""
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(reg.slug), "registry")) as conn:
        conn.execute("UPDATE personal_data_access_log SET at = %s WHERE action = %s", (at, action))


def log(reg, **query):
    response = reg.call("GET", "/privacy/access-log", "auditor", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def logged(reg):
    """Two people created by 'coop-sentiero', read by 'revisore-1', one erased by 'operatore-1'."""
    call = reg.open_call()
    application = reg.call("POST", "/applications", "stakeholder", subject="coop-sentiero",
                           json=reg.application(call["id"])).get_json()
    people = reg.call("GET", f"/applications/{application['id']}", "auditor", subject="revisore-1").get_json()
    erased = reg.call("POST", "/privacy/erasures", json={"email": "anna.bianchi@example.org"})
    assert erased.status_code == 201, erased.get_json()
    return {p["role"]: p["id"] for p in people["people"]}


def test_filters_by_subject_action_and_record(reg, logged):
    assert [(e["subject"], e["action"]) for e in log(reg)["items"]] == (
        [("coop-sentiero", "create")] * 2 + [("revisore-1", "read")] * 2 + [("operatore-1", "erase")])
    assert {e["action"] for e in log(reg, subject="revisore-1")["items"]} == {"read"}
    assert len(log(reg, subject="revisore-1")["items"]) == 2
    assert [e["subject"] for e in log(reg, action="erase")["items"]] == ["operatore-1"]
    contact = logged["contact_person"]
    assert [e["action"] for e in log(reg, resource_id=contact)["items"]] == ["create", "read", "erase"]
    assert [e["action"] for e in log(reg, resource_id=contact, action="read", subject="revisore-1",
                                     resource="person")["items"]] == ["read"]
    assert log(reg, subject="nobody")["items"] == []


def test_filtered_pages_follow_the_cursor(reg, logged):
    seen, cursor = [], None
    while True:
        page = log(reg, subject="coop-sentiero", limit=1, **({"after": cursor} if cursor else {}))
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [(e["subject"], e["action"]) for e in seen] == [("coop-sentiero", "create")] * 2
    assert {e["resource_id"] for e in seen} == set(logged.values())


def test_filters_by_a_time_range_with_time_zones(reg, logged):
    stamp(reg, "create", "2026-03-01T09:00:00+00:00")
    stamp(reg, "read", "2026-03-01T11:00:00+00:00")
    stamp(reg, "erase", "2026-03-01T13:00:00+00:00")
    # 'from' is included, 'to' is not; an offset is honoured (12:00+01:00 is 11:00 UTC).
    assert {e["action"] for e in log(reg, **{"from": "2026-03-01T12:00:00+01:00"})["items"]} == {"read", "erase"}
    assert {e["action"] for e in log(reg, to="2026-03-01T12:00:00+01:00")["items"]} == {"create"}
    between = log(reg, **{"from": "2026-03-01T10:00:00Z", "to": "2026-03-01T12:00:00Z"})["items"]
    assert [e["action"] for e in between] == ["read", "read"]


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-03-01T10:00:00"}, "from"),                  # no time zone: ambiguous
    ({"to": "yesterday"}, "to"),
    ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "to"),
    ({"action": "delete"}, "action"),
    ({"resource": "stakeholder"}, "resource"),
])
def test_bad_filters_are_a_422_naming_the_parameter(reg, query, field):
    response = reg.call("GET", "/privacy/access-log", "auditor", query_string=query)
    assert response.status_code == 422, response.get_json()
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_the_openapi_document_lists_the_actions_and_resources(reg):
    spec = reg.client.get("/openapi.json", headers=reg.headers("auditor")).get_json()
    entry = spec["components"]["schemas"]["LogEntry"]["properties"]
    assert entry["action"]["enum"] == ["read", "create", "update", "erase"]
    assert entry["resource"]["enum"] == ["person"]
    parameters = {p["name"]: p for p in spec["paths"]["/v1/{tenant}/privacy/access-log"]["get"]["parameters"]}
    assert {"subject", "action", "resource", "resource_id", "from", "to", "limit", "after"} <= set(parameters)
    assert parameters["action"]["schema"]["enum"] == ["read", "create", "update", "erase"]


def test_each_entry_names_the_request_that_wrote_it(reg):
    call = reg.open_call()
    made = reg.call("POST", "/applications", "stakeholder", json=reg.application(call["id"]),
                    headers={"X-Request-ID": "req-submit-1"})
    assert made.status_code == 201, made.get_json()
    reg.call("GET", f"/applications/{made.get_json()['id']}", "auditor", headers={"X-Request-ID": "req-read-1"})
    reg.call("POST", "/privacy/erasures", json={"email": "anna.bianchi@example.org"},
             headers={"X-Request-ID": "req-erase-1"})
    entries = [(e["action"], e["request_id"]) for e in log(reg)["items"]]
    assert entries == [("create", "req-submit-1")] * 2 + [("read", "req-read-1")] * 2 + [("erase", "req-erase-1")]
    # Without the header the request still has an id (the one the answer's X-Request-ID carries).
    unnamed = reg.call("GET", f"/applications/{made.get_json()['id']}", "auditor")
    assert log(reg, action="read")["items"][-1]["request_id"] == unnamed.headers["X-Request-ID"]
