"""Roles hold only in their own Ambito, on the real PostgreSQL: nothing is written elsewhere."""
import psycopg
import pytest

from shared.http.auth import mint_dev_token
from shared.cli.demo import demo_tax_code
from tests.integration.registry_client import KEY, Registry


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def bearer(**claims) -> dict:
    return {"Authorization": "Bearer " + mint_dev_token(key=KEY, subject="mixed", **claims)}


def stakeholders_in(reg, slug) -> int:
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(slug), "registry")) as conn:
        return conn.execute("SELECT count(*) FROM stakeholders").fetchone()[0]


def new_stakeholder(name):
    return {"name": name, "type": "school", "tax_code": demo_tax_code(name, "076")}


def test_regional_admin_and_operator_elsewhere_cannot_write_here(reg):
    # Finding 1: this token created, changed and erased data in the other Ambito (201/200/201).
    home, other = reg.tenants.slugs()
    headers = bearer(roles=["regional-admin", "operator"], tenants=[home])
    written = reg.client.post(f"/v1/{other}/stakeholders", json=new_stakeholder("APS Altrove"), headers=headers)
    assert written.status_code == 403 and written.mimetype == "application/problem+json"
    erased = reg.client.post(f"/v1/{other}/privacy/erasures", json={"tax_code": "RSSMRA85T10A562S"},
                             headers=headers)
    assert erased.status_code == 403
    assert stakeholders_in(reg, other) == 0
    # It still reads there (regional admin) and writes at home (operator).
    assert reg.client.get(f"/v1/{other}/stakeholders", headers=headers).status_code == 200
    assert reg.client.post(f"/v1/{home}/stakeholders", json=new_stakeholder("APS A Casa"),
                           headers=headers).status_code == 201
    assert stakeholders_in(reg, home) == 1


def test_operator_in_one_ambito_and_representative_in_another_is_no_operator_there(reg):
    home, other = reg.tenants.slugs()
    headers = bearer(grants={home: ["operator"], other: ["stakeholder"]})
    refused = reg.client.post(f"/v1/{other}/stakeholders", json=new_stakeholder("APS Squatter"), headers=headers)
    assert refused.status_code == 403
    assert stakeholders_in(reg, other) == 0
    # As a representative there it sees only its own applications (none), not everyone's.
    assert reg.client.get(f"/v1/{other}/stakeholders", headers=headers).status_code == 403
