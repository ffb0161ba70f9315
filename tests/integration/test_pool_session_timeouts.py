"""The pools bound statements with session SETs, which hold through the Kubernetes Pooler (PgBouncer).

PgBouncer drops startup options (`options=-c statement_timeout=...`; CloudNativePG's Pooler lists
`options` in ignore_startup_parameters) and cannot track statement_timeout, which PostgreSQL does not
report: a timeout given that way never reached the server there (docs/deployment.md, PostgreSQL
(CloudNativePG)). A SET in the session does, in session mode. pg_settings.source tells which was used:
'session' for a SET, 'client' for a startup option.
"""

from shared.db.pools import PoolRegistry


def test_the_statement_timeouts_are_session_settings_not_startup_options(tenants):
    url = next(tenants.url_for(tenant, "registry") for tenant in tenants)
    pools = PoolRegistry(max_per_pool=1, max_pools=2, statement_timeout_ms=1234)
    try:
        with pools.connection(url) as conn:
            rows = dict(conn.execute(
                "SELECT name, setting || ':' || source FROM pg_settings"
                " WHERE name IN ('statement_timeout', 'idle_in_transaction_session_timeout')").fetchall())
            assert not conn.autocommit  # the request transactions stay transactions
        assert rows == {"statement_timeout": "1234:session", "idle_in_transaction_session_timeout": "2468:session"}
    finally:
        pools.close()
