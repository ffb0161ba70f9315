"""A merged Ambito in the app factory, without a database: 401 -> 404 -> 403 -> 409 before any view, the
409's documentation on every write, and GET /v1/{tenant}/sharing (the database is unreachable here:
whatever reaches a view that needs it ends in 503, so a 409 proves the refusal came first)."""
from __future__ import annotations

import re
import uuid

import pytest

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.budget.app import create_app as budget_app
from services.consultation.app import create_app as consultation_app
from services.registry.app import create_app as registry_app
from services.reporting.app import create_app as reporting_app

KEY = "merged-ambito-key-" + "m" * 32
CATALOGUE = """\
tenants:
  - slug: old
    name: Ambito vecchio
    region: basilicata
    status: merged
    merged_into: new
    merged_on: 2023-01-01
    merger_reason: "DGR Basilicata (esempio)"
  - slug: other
    name: Altro Ambito
    region: basilicata
    shares:
      - {to: new, data: [consultation.needs], since: 2999-01-01}
  - slug: new
    name: Ambito nuovo
    region: basilicata
    merged_from: [old, other]
"""
FACTORIES = {"registry": registry_app, "consultation": consultation_app, "budget": budget_app,
             "reporting": reporting_app}


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    path = tmp_path_factory.mktemp("merged") / "tenants.yaml"
    path.write_text(CATALOGUE)
    settings = Settings(tenants_file=path, jwt_dev_key=KEY, database_url="postgresql://nobody@127.0.0.1:1/none",
                        pool_timeout_seconds=0.2)
    return {name: factory(settings=settings).test_client() for name, factory in FACTORIES.items()}


def auth(tenant, *roles):
    return {"Authorization": "Bearer " + mint_dev_token(key=KEY, subject="u", roles=list(roles), tenants=[tenant])}


def test_a_write_at_a_merged_ambito_is_409_after_401_404_403(clients):
    registry = clients["registry"]
    body = {"name": "Comune di Lauria", "type": "comune", "tax_code": "01114601006"}
    assert registry.post("/v1/old/stakeholders", json=body).status_code == 401
    assert registry.post("/v1/gone/stakeholders", json=body, headers=auth("gone", "operator")).status_code == 404
    assert registry.post("/v1/old/stakeholders", json=body, headers=auth("new", "operator")).status_code == 403
    # an auditor may not write anywhere: the view's role check answers first
    assert registry.post("/v1/old/stakeholders", json=body, headers=auth("old", "auditor")).status_code == 403
    refused = registry.post("/v1/old/stakeholders", json=body, headers=auth("old", "operator"))
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["type"].endswith("/tenant-merged")
    assert (problem["merged_into"], problem["merged_on"]) == ("new", "2023-01-01")
    assert "'new'" in problem["detail"] and "2023-01-01" in problem["detail"]
    # the same write at the successor reaches the view (503: no database here)
    assert registry.post("/v1/new/stakeholders", json=body, headers=auth("new", "operator")).status_code == 503
    # reads at the merged Ambito reach the view too
    assert registry.get("/v1/old/stakeholders", headers=auth("old", "auditor")).status_code == 503


def concrete(parameter: re.Match) -> str:
    """A value the route's converter takes: integers for numbers and years, a fresh UUID otherwise."""
    return {"{number}": "1", "{year}": "2024", "{fund}": "FNPS"}.get(parameter.group(0), str(uuid.uuid4()))


def test_every_write_of_every_service_is_refused_and_documented_except_erasures(clients):
    for name, client in clients.items():
        spec = client.get("/openapi.json").get_json()
        for path, item in spec["paths"].items():
            for method in ("post", "put", "patch", "delete"):
                if method not in item or "{tenant}" not in path:
                    continue
                documented = "`tenant-merged`" in item[method]["responses"].get("409", {}).get("description", "")
                url = re.sub(r"\{[a-z_]+\}", concrete, path.replace("{tenant}", "old"))
                answer = client.open(url, method=method.upper(), json={},
                                     headers=auth("old", "operator", "coordinator", "stakeholder", "regional-reviewer"))
                if path.endswith("/privacy/erasures"):
                    assert not documented and answer.status_code != 409, (name, path)
                else:
                    assert documented, (name, method, path)
                    assert answer.status_code == 409, (name, method, path, answer.get_json())


def test_the_sharing_endpoint_says_what_each_ambito_gives_and_receives(clients):
    for client in clients.values():
        old = client.get("/v1/old/sharing", headers=auth("old", "stakeholder"))
        assert old.status_code == 200, old.get_json()
        body = old.get_json()
        assert (body["status"], body["merged_into"], body["merged_on"]) == ("merged", "new", "2023-01-01")
        assert body["merger_reason"] == "DGR Basilicata (esempio)"
        [gives] = body["gives"]
        assert gives["tenant"] == "new" and gives["implied"] and gives["since"] == "2023-01-01"
        assert "registry.stakeholders" in gives["data"] and body["receives"] == []
        new = client.get("/v1/new/sharing", headers=auth("new", "auditor")).get_json()
        assert new["merged_from"] == ["old", "other"] and new["merged_into"] is None
        received = {r["tenant"]: r for r in new["receives"]}
        assert received["other"] == {"tenant": "other", "data": ["consultation.needs"], "since": "2999-01-01",
                                     "implied": False, "in_force": False}
        assert received["old"]["in_force"] and received["old"]["implied"]
        assert client.get("/v1/new/sharing", headers=auth("old", "operator")).status_code == 403
        assert client.get("/v1/new/sharing").status_code == 401
        assert client.get("/v1/gone/sharing", headers=auth("gone", "operator")).status_code == 404
