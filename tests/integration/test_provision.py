import psycopg

from shared.cli.provision import REGIONAL_SERVICES, TENANT_SERVICES, provision


def test_provision_creates_every_database_and_is_idempotent(tenants):
    second = provision(tenants, report=lambda *_: None)
    labels = ([f"{s}/{t.slug}" for t in tenants for s in TENANT_SERVICES]
              + [f"{s}/(regional)" for s in REGIONAL_SERVICES])
    assert second == {label: [] for label in labels}  # every database visited, nothing applied twice
    for tenant in tenants:
        for service in TENANT_SERVICES:
            with psycopg.connect(tenants.url_for(tenant, service)) as conn:
                tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
            assert {"outbox", "processed_events", "schema_migrations"} <= tables
    with psycopg.connect(tenants.regional_url("reporting")) as conn:
        assert conn.execute("SELECT count(*) FROM stakeholder_facts").fetchone()[0] == 0


def test_no_database_is_left_open_to_every_role(tenants):
    from shared.db.roles import database_role, dbname_of

    names = [t.database_name(s) for t in tenants for s in TENANT_SERVICES] + [dbname_of(tenants.regional_url("reporting"))]
    with psycopg.connect(tenants.default_server) as conn:
        rows = conn.execute("SELECT datname, has_database_privilege('public', datname, 'CONNECT'),"
                            " array(SELECT r.rolname FROM pg_roles r WHERE NOT r.rolsuper"
                            "       AND r.rolname LIKE 'pdz\\_%%' AND has_database_privilege(r.oid, d.oid, 'CONNECT'))"
                            " FROM pg_database d WHERE datname = ANY(%s)", (names,)).fetchall()
    assert len(rows) == len(names)
    for name, public, roles in rows:
        assert not public, name
        assert roles == [database_role(name)], name  # its own role, and no other pdz_ role
