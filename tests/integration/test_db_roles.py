"""Login roles per database, against the real PostgreSQL: each role reaches its own database only."""
from __future__ import annotations

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from shared.cli.provision import TENANT_SERVICES, ensure_database, migrate, provision
from shared.config import Settings
from shared.db.credentials import role_secrets, service_login
from shared.db.roles import ForeignDatabase, database_role, dbname_of, role_password, service_role
from shared.events.envelope import new_event
from shared.http.platform import Platform
from shared.outbox import store
from tests.conftest import random_slug, write_catalogue

DEV = Settings()  # development: the secrets the local stack's provisioning uses


def as_service(catalogue, service):
    """The catalogue as that service's processes see it: URLs with its roles' logins."""
    return catalogue.with_login(service_login(DEV, service))


def refused(url: str) -> str:
    """The server's reason for refusing a connection (the test fails if it is accepted)."""
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(url, connect_timeout=5).close()
    return str(caught.value)


def other_database(url: str, dbname: str) -> str:
    """The same login (user and password) aimed at another database."""
    return make_conninfo(url, dbname=dbname)


def test_each_role_connects_to_its_own_database_and_to_no_other(tenants):
    a, b = (tenants.get(slug) for slug in tenants.slugs())
    reporting = tenants.regional_url("reporting")
    for service in TENANT_SERVICES:
        mine = as_service(tenants, service).url_for(a, service)
        with psycopg.connect(mine) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == database_role(a.database_name(service))
            assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        # Another Ambito's database of the same service, another service's database of the same Ambito,
        # the regional database: the role is refused by the server, whatever the code asked for.
        for foreign in [b.database_name(service), dbname_of(reporting)] + [
                a.database_name(other) for other in TENANT_SERVICES if other != service]:
            assert "permission denied for database" in refused(other_database(mine, foreign))
    regional = as_service(tenants, "reporting").regional_url("reporting")
    with psycopg.connect(regional) as conn:
        assert conn.execute("SELECT count(*) FROM stakeholder_facts").fetchone()[0] == 0
    assert "permission denied for database" in refused(other_database(regional, a.database_name("registry")))


def test_a_process_cannot_even_build_a_login_for_another_service(tenants):
    registry = as_service(tenants, "registry")
    tenant = tenants.get(tenants.slugs()[0])
    with pytest.raises(ForeignDatabase):
        registry.url_for(tenant, "budget")
    with pytest.raises(ForeignDatabase):
        registry.regional_url("reporting")
    # And a password derived with the wrong service's secret is refused by the server.
    budget_db = tenants.url_for(tenant, "budget")
    role = database_role(dbname_of(budget_db))
    forged = make_conninfo(budget_db, user=role, password=role_password(role_secrets(DEV, ["registry"])["registry"], role))
    assert "password authentication failed" in refused(forged)


def test_the_local_server_checks_the_roles_passwords(tenants):
    mine = as_service(tenants, "registry").url_for(tenants.get(tenants.slugs()[0]), "registry")
    assert "password authentication failed" in refused(make_conninfo(mine, password="not-the-password"))


def test_the_service_role_reaches_the_maintenance_database_only(tenants):
    server = as_service(tenants, "registry").server_for(tenants.get(tenants.slugs()[0]), "registry")
    with psycopg.connect(server, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == service_role("registry")
        conn.execute("SELECT pg_notify('pdz_outbox_registry', 'x')")  # the relay wake-up
        assert conn.execute("SELECT count(*) FROM pg_stat_database").fetchone()[0] > 0  # lost wake-ups
    for tenant in tenants:
        for service in TENANT_SERVICES:
            assert "permission denied for database" in refused(other_database(server, tenant.database_name(service)))


def test_the_role_uses_rows_and_never_changes_the_schema(tenants):
    tenant = tenants.get(tenants.slugs()[0])
    with psycopg.connect(as_service(tenants, "registry").url_for(tenant, "registry"), autocommit=True) as conn:
        store.add_event(conn, new_event(type="it.pdz.registry.stakeholder.updated.v1", service="registry",
                                        tenant=tenant.slug, aggregate_id="x", data={}))
        assert store.backlog(conn) == 1
        conn.execute("SELECT version FROM schema_migrations").fetchall()
        for statement in ("DROP TABLE outbox", "TRUNCATE outbox", "ALTER TABLE outbox ADD COLUMN x int",
                          "CREATE TABLE mine (x int)", "DELETE FROM schema_migrations",
                          "CREATE TEMP TABLE scratch (x int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_tables_of_later_migrations_are_usable_by_the_role(tenants):
    tenant = tenants.get(tenants.slugs()[0])
    with psycopg.connect(tenants.url_for(tenant, "registry"), autocommit=True) as admin:  # as a migration would
        admin.execute("CREATE TABLE later_table (id bigserial PRIMARY KEY, note text)")
    with psycopg.connect(as_service(tenants, "registry").url_for(tenant, "registry")) as conn:
        conn.execute("INSERT INTO later_table (note) VALUES ('x')")
        assert conn.execute("SELECT count(*) FROM later_table").fetchone()[0] == 1


def test_provisioning_again_changes_nothing_and_keeps_every_login_working(tenants):
    assert all(done == [] for done in provision(tenants, report=lambda *_: None).values())
    tenant = tenants.get(tenants.slugs()[1])
    for service in TENANT_SERVICES:
        with psycopg.connect(as_service(tenants, service).url_for(tenant, service)) as conn:
            conn.execute("SELECT 1")


def test_a_database_provisioned_before_roles_existed_is_upgraded(tmp_path, settings):
    from shared.tenants import load_catalogue

    catalogue = load_catalogue(write_catalogue(tmp_path, [random_slug("old")]), settings.database_url)
    tenant = next(iter(catalogue))
    for service in TENANT_SERVICES:  # what provisioning did until now: database and migrations only
        ensure_database(catalogue.url_for(tenant, service))
        migrate(catalogue.url_for(tenant, service), service)
    ensure_database(catalogue.regional_url("reporting"))
    migrate(catalogue.regional_url("reporting"), "reporting")
    server = as_service(catalogue, "registry").server_for(tenant, "registry")
    provision(catalogue, report=lambda *_: None)  # creates the service roles, so `server` logs in
    # Before the upgrade every role could connect (PUBLIC had CONNECT): shown on a database provisioned
    # the old way after provision() made the service role exist.
    legacy = random_slug("old")
    legacy_catalogue = load_catalogue(write_catalogue(tmp_path, [legacy]), settings.database_url)
    legacy_url = legacy_catalogue.url_for(legacy_catalogue.get(legacy), "registry")
    ensure_database(legacy_url)
    psycopg.connect(other_database(server, dbname_of(legacy_url)), connect_timeout=5).close()
    provision(legacy_catalogue, report=lambda *_: None)
    assert "permission denied for database" in refused(other_database(server, dbname_of(legacy_url)))
    # The upgraded databases: reached by their roles, with the tables the old migrations made.
    for service in TENANT_SERVICES:
        with psycopg.connect(as_service(catalogue, service).url_for(tenant, service)) as conn:
            assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        assert "permission denied for database" in refused(other_database(server, tenant.database_name(service)))


def test_the_api_platform_connects_as_the_database_role(tenants, settings):
    platform = Platform.from_settings("registry", Settings(
        tenants_file=write_catalogue_for(tenants), database_url=settings.database_url,
        kafka_bootstrap=settings.kafka_bootstrap))
    tenant = platform.catalogue.get(tenants.slugs()[0])
    try:
        with platform.read(tenant) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == database_role(tenant.database_name("registry"))
    finally:
        platform.pools.close()


def write_catalogue_for(catalogue):
    """The file a catalogue fixture was loaded from (the fixture keeps no path): written again beside it."""
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="pdz-roles-"))
    return write_catalogue(folder, catalogue.slugs(), reporting_db=dbname_of(catalogue.regional_url("reporting")))


def test_a_long_slug_gets_a_role_name_within_63_bytes(tmp_path, settings):
    from shared.tenants import load_catalogue

    slug = random_slug("l" * 38)  # registry__lll…: a role name of 64 bytes and more before hashing
    catalogue = load_catalogue(write_catalogue(tmp_path, [slug]), settings.database_url)
    provision(catalogue, report=lambda *_: None)
    url = as_service(catalogue, "consultation").url_for(catalogue.get(slug), "consultation")
    with psycopg.connect(url) as conn:
        role = conn.execute("SELECT current_user").fetchone()[0]
    assert len(role.encode()) <= 63 and role == database_role(catalogue.get(slug).database_name("consultation"))


def test_a_role_given_administrative_attributes_is_refused(tenants):
    tenant = tenants.get(tenants.slugs()[0])
    role = database_role(tenant.database_name("budget"))
    with psycopg.connect(tenants.default_server, autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER ROLE {} CREATEDB").format(sql.Identifier(role)))
    from shared.db.grants import RoleError
    with pytest.raises(RoleError):
        provision(tenants, report=lambda *_: None)


def test_the_scram_secret_computed_here_is_the_one_libpq_computes(settings):
    import base64

    from shared.db.roles import scram_verifier

    with psycopg.connect(settings.database_url) as conn:
        libpq = conn.pgconn.encrypt_password(b"a-password", b"a-role", b"scram-sha-256").decode()
    iterations, salt = libpq.split("$")[1].split(":")
    assert scram_verifier("a-password", iterations=int(iterations), salt=base64.b64decode(salt)) == libpq


def test_an_admin_with_createdb_and_createrole_only_can_provision(tmp_path, settings):
    """What CloudNativePG gives: the provisioner is no superuser."""
    import uuid

    from shared.tenants import load_catalogue

    admin_role, password = f"pdz_test_admin_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    with psycopg.connect(settings.database_url, autocommit=True) as su:
        su.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {}").format(
            sql.Identifier(admin_role), sql.Literal(password)))
    server = make_conninfo(settings.database_url, user=admin_role, password=password)
    catalogue = load_catalogue(write_catalogue(tmp_path, [random_slug("nsu")]), server)
    databases = [t.database_name(s) for t in catalogue for s in TENANT_SERVICES]
    databases.append(dbname_of(catalogue.regional_url("reporting")))
    try:
        provision(catalogue, report=lambda *_: None)
        provision(catalogue, report=lambda *_: None)  # again: passwords set again, nothing else
        tenant = next(iter(catalogue))
        for service in TENANT_SERVICES:
            with psycopg.connect(as_service(catalogue, service).url_for(tenant, service)) as conn:
                assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        with psycopg.connect(as_service(catalogue, "reporting").regional_url("reporting")) as conn:
            conn.execute("SELECT count(*) FROM stakeholder_facts")
    finally:  # the databases it owns go first, then the roles (the session cleanup does not know this admin)
        with psycopg.connect(settings.database_url, autocommit=True) as su:
            for name in databases:
                su.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                su.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(database_role(name))))
            su.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(admin_role)))
