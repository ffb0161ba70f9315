"""The authorisation matrix, read from every service's OpenAPI document and tried on every operation.

Each operation documents who may call it (`x-pdz-roles`, from `requires`); a
public one has `security: []`. Hypothesis draws tokens with any roles in any
Ambiti (and regional roles), and every operation of every service is called
with each: the answer must be 401 without a token, 404 for an unknown Ambito,
403 unless the caller holds a documented role *in that Ambito*, and otherwise
anything but 401/403 (the database is unreachable here, so allowed calls end
in 503 or a validation error, never in a write). Writes are documented for
roles of an Ambito only, so no token writes outside its own Ambito.
"""
from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from shared.config import Settings
from shared.http.auth import (REGIONAL_ADMIN, REGIONAL_REVIEWER, REGIONAL_ROLES, TENANT_ROLES, AUDITOR,
                               mint_dev_token)
from tests.conftest import write_catalogue

from services.budget.app import create_app as budget_app
from services.consultation.app import create_app as consultation_app
from services.registry.app import create_app as registry_app
from services.reporting.app import create_app as reporting_app

KEY = "authorisation-matrix-key-" + "m" * 32
AMBITI = ("alpha", "beta")
UNKNOWN = "gamma"
WRITES = {"post", "put", "patch", "delete"}
FACTORIES = {"registry": registry_app, "consultation": consultation_app, "budget": budget_app,
             "reporting": reporting_app}
# The Region's review of a plan (return with remarks, accept): the only writes a regional role may make.
REVIEWS = re.compile(r"^/v1/\{tenant\}/plans/\{plan_id\}/versions/\{number\}/(return|accept)$")


def review(name: str, path: str) -> bool:
    return name == "budget" and bool(REVIEWS.match(path))


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """Every service's test client and its operations: (method, path template, roles or None if public)."""
    folder = tmp_path_factory.mktemp("matrix")
    app_settings = Settings(tenants_file=write_catalogue(folder, list(AMBITI)), jwt_dev_key=KEY,
                            database_url="postgresql://nobody@127.0.0.1:1/none", pool_timeout_seconds=0.2)
    found = {}
    for name, factory in FACTORIES.items():
        client = factory(settings=app_settings).test_client()
        spec = client.get("/openapi.json").get_json()
        operations = []
        for path, item in spec.get("paths", {}).items():
            for method, operation in item.items():
                if method not in {"get", "head", *WRITES}:
                    continue
                public = operation.get("security") == []
                roles = None if public else operation.get("x-pdz-roles")
                assert public or roles, f"{name} {method.upper()} {path} documents neither roles nor security: []"
                operations.append((method, path, None if roles is None else frozenset(roles)))
        found[name] = (client, operations)
    assert found["registry"][1], "the registry documents no operation"
    return found


def concrete(path: str, tenant: str) -> str:
    path = path.replace("{tenant}", tenant).replace("{region}", "basilicata").replace("{number}", "1")
    return re.sub(r"\{[a-z_]+\}", lambda _: str(uuid.uuid4()), path)


def test_writes_are_documented_for_roles_of_an_ambito_only(services):
    for name, (_client, operations) in services.items():
        for method, path, roles in operations:
            if method in WRITES:
                assert roles, f"{name} {method.upper()} {path}: a write must not be public"
                assert REGIONAL_ADMIN not in roles and AUDITOR not in roles, (
                    f"{name} {method.upper()} {path}: regional admins and auditors read only")
                assert REGIONAL_REVIEWER not in roles or review(name, path), (
                    f"{name} {method.upper()} {path}: the regional reviewer writes only the Region's review")


role_sets = st.frozensets(st.sampled_from(sorted(TENANT_ROLES)), min_size=1)
grants = st.dictionaries(st.sampled_from((*AMBITI, UNKNOWN)), role_sets, max_size=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grants=grants, regional=st.frozensets(st.sampled_from(sorted(REGIONAL_ROLES))),
       tenant=st.sampled_from((*AMBITI, UNKNOWN)), with_token=st.booleans())
def test_every_operation_answers_the_documented_matrix(services, grants, regional, tenant, with_token):
    headers = {}
    if with_token:
        token = mint_dev_token(key=KEY, subject="matrix", roles=sorted(regional),
                               grants={slug: sorted(roles) for slug, roles in grants.items()})
        headers["Authorization"] = f"Bearer {token}"
    for name, (client, operations) in services.items():
        for method, path, roles in operations:
            # A path without an Ambito (/v1/regions/{region}/…, /v1/indicators/…) counts regional roles only.
            regional_path = "{tenant}" not in path
            held = ((regional if regional_path else grants.get(tenant, frozenset()) | regional) if with_token
                    else set())
            response = client.open(concrete(path, tenant), method=method.upper(), headers=headers,
                                   json={} if method in WRITES else None)
            where = f"{name} {method.upper()} {path} as {sorted(held)} in {tenant}: {response.status_code}"
            if roles is not None and not with_token:
                assert response.status_code == 401, where
            elif tenant == UNKNOWN and not regional_path:
                assert response.status_code == 404, where
            elif roles is not None and not held & roles:
                assert response.status_code == 403, where
            else:
                assert response.status_code not in (401, 403), where
                if method in WRITES:
                    assert grants.get(tenant) or review(name, path), (
                        f"{where}: a write reached a caller with no role in the Ambito")


def test_the_reported_combination_cannot_write_in_another_ambito(services):
    # Finding 1: roles [regional-admin, operator] with tenants [alpha] created data in beta.
    token = mint_dev_token(key=KEY, subject="x", roles=[REGIONAL_ADMIN, "operator"], tenants=["alpha"])
    client, _ = services["registry"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/v1/beta/stakeholders", json={}, headers=headers).status_code == 403
    assert client.get("/v1/beta/stakeholders", headers=headers).status_code not in (401, 403)
