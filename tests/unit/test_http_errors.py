"""Errors answered before any database is touched: problem+json, in the right order."""
import pytest

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.registry.app import create_app
from tests.conftest import write_catalogue

KEY = "unit-test-key-" + "z" * 32


@pytest.fixture
def client(tmp_path):
    settings = Settings(tenants_file=write_catalogue(tmp_path, ["alpha", "beta"]), jwt_dev_key=KEY,
                        database_url="postgresql://nobody@127.0.0.1:1/none")
    return create_app(settings=settings).test_client()


def token(*roles, tenants=("alpha",)):
    return {"Authorization": "Bearer " + mint_dev_token(key=KEY, subject="u", roles=list(roles),
                                                         tenants=list(tenants))}


def assert_problem(response, status, slug):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["type"].endswith(slug) and body["title"]
    return body


def test_no_token_is_401_even_for_an_unknown_tenant(client):
    assert_problem(client.get("/v1/alpha/stakeholders"), 401, "unauthorized")
    response = client.get("/v1/nowhere/stakeholders")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_is_401(client):
    response = client.get("/v1/alpha/stakeholders", headers={"Authorization": "Bearer abc.def.ghi"})
    assert_problem(response, 401, "unauthorized")


def test_unknown_tenant_is_404(client):
    assert_problem(client.get("/v1/nowhere/stakeholders", headers=token("operator")), 404, "unknown-tenant")


def test_token_for_another_tenant_is_403(client):
    assert_problem(client.get("/v1/beta/stakeholders", headers=token("operator")), 403, "forbidden")


def test_role_without_write_permission_is_403(client):
    response = client.post("/v1/alpha/stakeholders", headers=token("auditor"), json={"name": "X"})
    assert_problem(response, 403, "forbidden")


def test_malformed_json_is_400(client):
    response = client.post("/v1/alpha/stakeholders", headers={**token("operator"),
                           "Content-Type": "application/json"}, data='{"name": ')
    assert_problem(response, 400, "malformed-request")


def test_invalid_tax_code_is_422_naming_the_field(client):
    response = client.post("/v1/alpha/stakeholders", headers=token("operator"),
                           json={"name": "Coop Sociale Aurora", "type": "social_cooperative",
                                 "tax_code": "01114601007"})
    body = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["tax_code"]


def test_missing_field_and_unknown_type_are_422(client):
    response = client.post("/v1/alpha/stakeholders", headers=token("operator"),
                           json={"name": "Coop", "type": "spaceship"})
    body = assert_problem(response, 422, "validation-error")
    assert {e["field"] for e in body["errors"]} == {"type", "tax_code"}


def test_ets_needs_its_runts_section(client):
    response = client.post("/v1/alpha/stakeholders", headers=token("operator"),
                           json={"name": "ODV", "type": "ets", "tax_code": "01114601006"})
    body = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["runts_section"]


def test_unknown_route_is_problem_json(client):
    assert_problem(client.get("/nothing-here"), 404, "not-found")


def test_openapi_document_is_served_and_declares_bearer_auth(client):
    spec = client.get("/openapi.json").get_json()
    assert "/v1/{tenant}/stakeholders" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_livez_needs_nothing(client):
    assert client.get("/livez").status_code == 200


def test_readyz_reports_an_unreachable_database(client):
    assert_problem(client.get("/readyz"), 503, "service-unavailable")


def test_every_request_logs_one_json_line_with_request_id_and_tenant(client):
    import io
    import json
    import logging

    from shared.http.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("pdz.access")
    logger.addHandler(handler)
    logger.setLevel("INFO")
    try:
        response = client.get("/v1/beta/stakeholders", headers={**token("operator"), "X-Request-ID": "req-42"})
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert response.headers["X-Request-ID"] == "req-42"
    assert entry["request_id"] == "req-42" and entry["tenant"] == "beta" and entry["status"] == 403
