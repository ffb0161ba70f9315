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
