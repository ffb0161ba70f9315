"""/readyz waits for the tenant databases to be migrated to this release, cheaply (real PostgreSQL).

- an API whose catalogue has a tenant database lacking the newest migration
  answers 503 naming that tenant (and only it), then 200 once provisioning
  applied it; so does a relay's or consumer's operations port;
- a migrated database is not asked again (the answer is kept), and a
  catalogue of 600 Ambiti costs a probe at most PDZ_READYZ_DATABASES_PER_PROBE
  connections, never one per Ambito.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import psycopg
import pytest

import shared.cli.provision as provision_module
from services.registry.app import create_app
from shared.cli.provision import provision
from shared.config import Settings
from shared.db.credentials import service_login
from shared.db.pools import PoolRegistry
from shared.db.readiness import MigrationReadiness, expected_versions
from shared.ops import serve_ops
from shared.tenants import load_catalogue
from tests.conftest import random_slug, write_catalogue

KEY = "readiness-test-key-" + "k" * 32


def _newest_registry_version() -> str:
    return max(v for v in expected_versions("registry") if v.startswith("registry/"))


def _app(settings, path):
    return create_app(settings=Settings(tenants_file=path, jwt_dev_key=KEY, database_url=settings.database_url,
                                        kafka_bootstrap=settings.kafka_bootstrap)).test_client()


@pytest.fixture
def withheld(monkeypatch):
    """Provisioning that leaves out the registry's newest migration (a database of the previous release)."""
    real = provision_module.service_migrations

    def older(service, folder):
        found = real(service, folder)
        return found[:-1] if service == "registry" else found
    monkeypatch.setattr(provision_module, "service_migrations", older)
    yield
    monkeypatch.setattr(provision_module, "service_migrations", real)


def test_a_tenant_database_without_the_newest_migration_is_named_until_migrated(tmp_path, settings, withheld,
                                                                                  monkeypatch):
    a, b = random_slug("ready"), random_slug("behind")
    path = write_catalogue(tmp_path, [a, b])
    admin = load_catalogue(path, settings.database_url)
    provision(admin, report=lambda *_: None)  # both without the newest registry migration
    newest = _newest_registry_version()
    monkeypatch.undo()  # provisioning knows every migration again, for tenant a now and b later
    provision_module.migrate_and_grant(admin.url_for(admin.get(a), "registry"), "registry",
                                       role=_role(admin, a))  # a is migrated, b is not
    client = _app(settings, path)

    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert list(body["not_ready"]) == [b], body
    assert newest in body["not_ready"][b]
    assert "password" not in response.get_data(as_text=True) and "postgresql://" not in response.get_data(as_text=True)

    # A relay's / consumer's operations port, with the same check on the process's own pools.
    pools = PoolRegistry(max_per_pool=1, max_pools=4)
    own = load_catalogue(path, settings.database_url, login=service_login(Settings.from_env(), "registry"))
    check = MigrationReadiness.for_service("registry", own, pools).check
    server = serve_ops(port=0, addr="127.0.0.1", live={}, ready={"migrations": check})
    try:
        status, problem = _get(f"http://127.0.0.1:{server.server_address[1]}/readyz")
        assert status == 503 and b in problem["checks"]["migrations"] and a not in problem["checks"]["migrations"]

        provision(admin, report=lambda *_: None)  # the rollout's provisioning Job: b gets the newest migration
        assert client.get("/readyz").status_code == 200
        assert _get(f"http://127.0.0.1:{server.server_address[1]}/readyz")[0] == 200
    finally:
        server.shutdown()
        server.server_close()
        pools.close()


def test_a_migrated_database_is_not_asked_again(tenants, settings):
    pools = CountingPools(max_per_pool=1, max_pools=4)
    readiness = MigrationReadiness.for_service("budget", tenants, pools)
    try:
        assert readiness.check() is None
        assert pools.checkouts == 2  # one per tenant database, once
        for _ in range(5):
            assert readiness.check() is None
        assert pools.checkouts == 2, "a migrated database was asked again"
    finally:
        pools.close()


def test_600_ambiti_cost_a_probe_at_most_the_per_probe_connections(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("PDZ_READYZ_DATABASES_PER_PROBE", "25")
    slugs = [random_slug("many") for _ in range(600)]  # no database exists for them
    path = write_catalogue(tmp_path, slugs)
    client = _app(settings, path)
    opened = []
    real_connect = psycopg.connect

    def counting(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():  # the probe's, not the breaker's thread
            opened.append(args[0] if args else kwargs.get("conninfo"))
        return real_connect(*args, **kwargs)
    monkeypatch.setattr(psycopg, "connect", counting)

    names = set()
    for probe in range(3):
        before = len(opened)
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.get_json(force=True)
        assert len(body["not_ready"]) == 600
        # 1 for the maintenance database's SELECT 1, at most 25 for tenant databases.
        assert len(opened) - before <= 26, f"probe {probe} opened {len(opened) - before} connections"
        names |= {slug for slug, why in body["not_ready"].items() if why != "not checked yet"}
    assert len(names) == 75, "each probe goes on where the last one stopped"


class CountingPools(PoolRegistry):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.checkouts = 0

    def connection(self, url):
        self.checkouts += 1
        return super().connection(url)


def _role(catalogue, slug):
    from shared.db.roles import database_role
    return database_role(catalogue.get(slug).database_name("registry"))


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_reporting_waits_for_its_regional_database(tenants, settings):
    """Reporting has one regional database: it is what /readyz names, as `(regional)`."""
    newest = max(v for v in expected_versions("reporting") if v.startswith("reporting/"))
    with psycopg.connect(tenants.regional_url("reporting"), autocommit=True) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = %s", (newest,))  # as before that release
    pools = PoolRegistry(max_per_pool=1, max_pools=2)
    try:
        problem = MigrationReadiness.for_service("reporting", tenants, pools).check()
        assert problem is not None and "(regional)" in problem and newest in problem
        assert not any(slug in problem for slug in tenants.slugs()), "reporting has no per-Ambito database"
        with psycopg.connect(tenants.regional_url("reporting"), autocommit=True) as conn:
            conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, 'x', 'x')", (newest,))
        assert MigrationReadiness.for_service("reporting", tenants, pools).check() is None
    finally:
        pools.close()
