"""A database that cannot serve is answered with 503 + Retry-After at once, never a 500 or a hang."""
import time

import psycopg
import pytest
import yaml

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.registry.app import create_app
from tests.conftest import random_slug
from tests.integration.conftest import refusing_connections

KEY = "backpressure-key-" + "b" * 32


@pytest.fixture
def app_for(tenants, settings, tmp_path):
    def make(**overrides):
        return create_app(settings=Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                                            database_url=settings.database_url,
                                            kafka_bootstrap=settings.kafka_bootstrap, **overrides)).test_client()
    return make


def auth(slug):
    return {"Authorization": "Bearer " + mint_dev_token(key=KEY, subject="op", roles=["operator"],
                                                         tenants=[slug])}


def assert_503(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["type"].endswith("/database-unavailable")
    assert int(response.headers["Retry-After"]) >= 1


def test_a_tenant_on_an_unreachable_server_gets_503_with_retry_after(tenants, settings, tmp_path, app_for):
    # A third tenant whose registry database lives on a server that refuses connections.
    path = tmp_path / "tenants.yaml"
    document = yaml.safe_load(path.read_text())
    dead = random_slug("dead")
    document["tenants"].append({"slug": dead, "name": "Ambito irraggiungibile", "region": "basilicata",
                                "databases": {"registry": "postgresql://pdz@127.0.0.1:1/postgres"}})
    path.write_text(yaml.safe_dump(document))
    client = app_for(pool_timeout_seconds=30.0)  # the answer must not wait for this
    for _ in range(3):
        assert_503(client.get(f"/v1/{dead}/stakeholders", headers=auth(dead)))
        assert_503(client.post(f"/v1/{dead}/stakeholders", headers=auth(dead),
                               json={"name": "APS", "type": "ets", "runts_section": "b",
                                     "tax_code": "01114601006"}))
    live = tenants.slugs()[0]
    assert client.get(f"/v1/{live}/stakeholders", headers=auth(live)).status_code == 200


def test_a_database_that_goes_away_gets_503_and_recovers_by_itself(tenants, app_for):
    client = app_for()
    slug = tenants.slugs()[0]
    url = tenants.url_for(tenants.get(slug), "registry")
    assert client.get(f"/v1/{slug}/stakeholders", headers=auth(slug)).status_code == 200
    with refusing_connections(url):
        for _ in range(3):
            assert_503(client.get(f"/v1/{slug}/stakeholders", headers=auth(slug)))
    deadline = time.monotonic() + 30
    while (status := client.get(f"/v1/{slug}/stakeholders", headers=auth(slug)).status_code) != 200:
        assert status == 503
        assert time.monotonic() < deadline, "the API did not recover by itself"
        time.sleep(0.1)


def test_a_statement_past_the_timeout_is_a_503_not_a_hang(tenants, app_for):
    client = app_for(statement_timeout_ms=300)
    slug = tenants.slugs()[0]
    url = tenants.url_for(tenants.get(slug), "registry")
    # Hold a lock the create needs (the stakeholders table), longer than the statement timeout.
    with psycopg.connect(url) as blocker:
        blocker.execute("LOCK TABLE stakeholders IN ACCESS EXCLUSIVE MODE")
        response = client.post(f"/v1/{slug}/stakeholders", headers=auth(slug),
                               json={"name": "APS Attesa", "type": "ets", "runts_section": "b",
                                     "tax_code": "01114601006"})
        blocker.rollback()
    assert_503(response)
    assert "too long" in response.json["detail"]
