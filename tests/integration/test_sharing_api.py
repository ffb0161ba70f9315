"""A merged Ambito on the real PostgreSQL, through the registry: its history stays readable, every write is
refused with 409 naming the successor and nothing is written; erasures are still honoured; the successor
writes; GET /v1/{tenant}/sharing says what the catalogue declares."""
from __future__ import annotations

import psycopg
import pytest
import yaml

from shared.cli.demo import demo_tax_code
from shared.cli.provision import provision
from shared.config import Settings
from shared.http.auth import mint_dev_token
from tests.conftest import random_slug

from services.registry.app import create_app

RIVELLO = demo_tax_code("Comune di Rivello", "076")
KEY = "sharing-api-key-" + "s" * 32


@pytest.fixture
def merger(catalogue_factory, settings, tmp_path):
    """(old, other, new): three fresh Ambiti; `old` has a stakeholder, then is merged into `new`."""
    old, other, new = random_slug("old"), random_slug("oth"), random_slug("new")
    catalogue = catalogue_factory([old, other, new])
    provision(catalogue, report=lambda *_: None)
    path = tmp_path / "tenants.yaml"
    before = app_for(path, settings)
    made = before.post(f"/v1/{old}/stakeholders", headers=auth(old),
                       json={"name": "Comune di Lauria", "type": "comune", "tax_code": "01114601006"})
    assert made.status_code == 201, made.get_json()
    # The Region merges `old` into `new` (and `other` shares its needs): the catalogue changes, processes restart.
    document = yaml.safe_load(path.read_text())
    entries = {entry["slug"]: entry for entry in document["tenants"]}
    entries[old].update(status="merged", merged_into=new, merged_on="2024-07-01",
                        merger_reason="DGR Basilicata n. 123/2024 (esempio di prova)")
    entries[other]["shares"] = [{"to": new, "data": ["consultation.needs"], "since": "2020-01-01"}]
    entries[new]["merged_from"] = [old, other]
    path.write_text(yaml.safe_dump(document))
    return old, other, new, made.get_json(), app_for(path, settings), catalogue


def app_for(path, settings):
    return create_app(settings=Settings(tenants_file=path, jwt_dev_key=KEY, database_url=settings.database_url,
                                        kafka_bootstrap=settings.kafka_bootstrap)).test_client()


def auth(slug, *roles):
    return {"Authorization": "Bearer " + mint_dev_token(key=KEY, subject="op", roles=list(roles or ["operator"]),
                                                         tenants=[slug])}


def counts(catalogue, slug):
    with psycopg.connect(catalogue.url_for(catalogue.get(slug), "registry")) as conn:
        return (conn.execute("SELECT count(*) FROM stakeholders").fetchone()[0],
                conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def test_a_merged_ambito_is_read_but_not_written(merger):
    old, _other, new, stakeholder, api, catalogue = merger
    listed = api.get(f"/v1/{old}/stakeholders", headers=auth(old, "auditor"))
    assert listed.status_code == 200 and [s["id"] for s in listed.get_json()["items"]] == [stakeholder["id"]]
    got = api.get(f"/v1/{old}/stakeholders/{stakeholder['id']}", headers=auth(old))
    assert got.status_code == 200
    before = counts(catalogue, old)
    writes = [
        api.post(f"/v1/{old}/stakeholders", headers=auth(old),
                 json={"name": "Comune di Rivello", "type": "comune", "tax_code": RIVELLO}),
        api.patch(f"/v1/{old}/stakeholders/{stakeholder['id']}", json={"name": "Comune di Lauria (PZ)"},
                  headers={**auth(old), "If-Match": got.headers["ETag"]}),
        api.put(f"/v1/{old}/profile", headers=auth(old), json={}),
        api.post(f"/v1/{old}/calls", headers=auth(old), json={}),
    ]
    for answer in writes:
        assert answer.status_code == 409 and answer.mimetype == "application/problem+json", answer.get_json()
        problem = answer.get_json()
        assert problem["type"].endswith("/tenant-merged") and problem["merged_into"] == new
        assert problem["merged_on"] == "2024-07-01" and new in problem["detail"] and "2024-07-01" in problem["detail"]
    assert counts(catalogue, old) == before   # nothing written, no event
    # a data subject's erasure request is still honoured at the merged Ambito
    erased = api.post(f"/v1/{old}/privacy/erasures", headers=auth(old), json={"email": "nessuno@example.org"})
    assert erased.status_code == 201, erased.get_json()
    # the successor writes as usual
    made = api.post(f"/v1/{new}/stakeholders", headers=auth(new),
                    json={"name": "Comune di Rivello", "type": "comune", "tax_code": RIVELLO})
    assert made.status_code == 201, made.get_json()


def test_the_sharing_endpoint_shows_the_declarations_in_force(merger):
    old, other, new, _stakeholder, api, _catalogue = merger
    merged = api.get(f"/v1/{old}/sharing", headers=auth(old, "auditor")).get_json()
    assert (merged["status"], merged["merged_into"], merged["merged_on"]) == ("merged", new, "2024-07-01")
    assert merged["merger_reason"].startswith("DGR Basilicata")
    assert [(g["tenant"], g["implied"], g["since"]) for g in merged["gives"]] == [(new, True, "2024-07-01")]
    successor = api.get(f"/v1/{new}/sharing", headers=auth(new, "stakeholder"))
    assert successor.status_code == 200
    body = successor.get_json()
    assert body["status"] == "active" and body["merged_from"] == [old, other] and body["gives"] == []
    received = {r["tenant"]: r for r in body["receives"]}
    assert received[other] == {"tenant": other, "data": ["consultation.needs"], "since": "2020-01-01",
                               "implied": False, "in_force": True}
    assert received[old]["implied"] and "budget.interventions" in received[old]["data"]
    assert api.get(f"/v1/{new}/sharing", headers=auth(other)).status_code == 403
