import multiprocessing
import threading
import time

import psycopg
import pytest

from shared.db.pools import DatabaseUnavailable, PoolRegistry, PoolsExhausted
from tests.integration.conftest import refusing_connections


def _urls(tenants, service="registry"):
    return [tenants.url_for(t, service) for t in tenants]


def test_pools_open_lazily_and_respect_the_global_cap(tenants):
    urls = _urls(tenants) + _urls(tenants, "budget")  # four databases
    pools = PoolRegistry(max_per_pool=2, max_pools=2, idle_seconds=60)
    try:
        assert pools.open_count() == 0
        for url in urls:
            with pools.connection(url) as conn:
                assert conn.execute("SELECT current_database()").fetchone()[0] in url
            assert pools.open_count() <= 2
    finally:
        pools.close()


def test_a_busy_pool_is_never_evicted_and_the_cap_is_reported(tenants):
    a, b = _urls(tenants)
    pools = PoolRegistry(max_per_pool=1, max_pools=1, idle_seconds=60)
    try:
        with pools.connection(a):
            with pytest.raises(PoolsExhausted):
                with pools.connection(b):
                    pass
        with pools.connection(b) as conn:  # a is idle now: evicted to make room
            conn.execute("SELECT 1")
        assert pools.open_count() == 1
    finally:
        pools.close()


def test_idle_pools_are_closed(tenants):
    pools = PoolRegistry(max_per_pool=1, max_pools=10, idle_seconds=0.2)
    try:
        for url in _urls(tenants):
            with pools.connection(url) as conn:
                conn.execute("SELECT 1")
        assert pools.open_count() == 2
        time.sleep(0.3)
        assert pools.evict_idle() == 2
        assert pools.open_count() == 0
    finally:
        pools.close()


def _child_query(pools, url, queue):
    with pools.connection(url) as conn:
        queue.put(conn.execute("SELECT pg_backend_pid()").fetchone()[0])


def test_a_forked_worker_opens_its_own_connections(tenants):
    url = _urls(tenants)[0]
    pools = PoolRegistry(max_per_pool=1, max_pools=4, idle_seconds=60)
    try:
        with pools.connection(url) as conn:
            parent_backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_child_query, args=(pools, url, queue))
        child.start()
        child_backend = queue.get(timeout=20)
        child.join(20)
        assert child.exitcode == 0
        assert child_backend != parent_backend
        with pools.connection(url) as conn:  # the parent's pool still works
            assert conn.execute("SELECT pg_backend_pid()").fetchone()[0] == parent_backend
    finally:
        pools.close()


def test_concurrent_first_requests_never_meet_a_closed_pool(tenants):
    # Regression: the pool was registered under the lock but opened after it, so a second
    # thread could check out of a pool that was not open yet (PoolClosed, a 500).
    url = _urls(tenants)[0]
    for _ in range(20):
        pools = PoolRegistry(max_per_pool=4, max_pools=4, idle_seconds=60)
        errors, barrier = [], threading.Barrier(8)

        def first_use():
            barrier.wait()
            try:
                with pools.connection(url) as conn:
                    conn.execute("SELECT 1")
            except Exception as exc:  # noqa: BLE001 - any error is the defect
                errors.append(exc)

        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        pools.close()
        assert errors == []


def _count_health_checks(monkeypatch) -> list:
    """Record the statements a checkout runs by itself (the health check is an empty query)."""
    checks = []
    original = psycopg.Connection.execute

    def spy(self, query, *args, **kwargs):
        if query == "":
            checks.append(self)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", spy)
    return checks


def test_no_health_query_on_a_busy_pool(tenants, monkeypatch):
    # Regression: every checkout ran psycopg_pool's check_connection (a round trip per checkout).
    url = _urls(tenants)[0]
    pools = PoolRegistry(max_per_pool=1, max_pools=2, idle_seconds=60, check_idle_seconds=60)
    try:
        with pools.connection(url) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        checks = _count_health_checks(monkeypatch)
        for _ in range(20):
            with pools.connection(url) as conn:
                assert conn.execute("SELECT pg_backend_pid()").fetchone()[0] == backend
        assert checks == []
    finally:
        pools.close()


def test_a_connection_idle_for_long_is_checked_before_use(tenants, monkeypatch):
    url = _urls(tenants)[0]
    pools = PoolRegistry(max_per_pool=1, max_pools=2, idle_seconds=60, check_idle_seconds=0.05)
    try:
        with pools.connection(url) as conn:
            conn.execute("SELECT 1")
        checks = _count_health_checks(monkeypatch)
        time.sleep(0.1)  # idle longer than check_idle_seconds
        with pools.connection(url) as conn:
            conn.execute("SELECT 1")
        assert len(checks) == 1
    finally:
        pools.close()


def test_a_connection_cut_while_idle_is_replaced_not_handed_out(tenants):
    url = _urls(tenants)[0]
    pools = PoolRegistry(max_per_pool=1, max_pools=2, idle_seconds=60, check_idle_seconds=0.05)
    try:
        with pools.connection(url) as conn:
            first = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        time.sleep(0.1)  # idle longer than check_idle_seconds
        with pools.connection(url) as conn:
            assert conn.execute("SELECT pg_backend_pid()").fetchone()[0] != first
    finally:
        pools.close()


def test_many_databases_cost_no_thread_each(catalogue_factory):
    # Regression: a psycopg_pool per database ran two threads each (hundreds per process).
    from shared.cli.provision import provision
    from tests.conftest import random_slug
    catalogue = catalogue_factory([random_slug("m") for _ in range(6)])
    provision(catalogue, report=lambda *_: None)
    pools = PoolRegistry(max_per_pool=2, max_pools=100, idle_seconds=60)
    before = threading.active_count()
    try:
        for tenant in catalogue:
            for service in ("registry", "consultation", "budget"):
                with pools.connection(catalogue.url_for(tenant, service)) as conn:
                    conn.execute("SELECT 1")
        assert pools.open_count() == 18
        assert pools.connection_count() == 18
        assert threading.active_count() == before
    finally:
        pools.close()


def test_an_unreachable_server_answers_at_once_and_recovers(tenants):
    # Port 1 refuses connections: the pool's attempt fails, the breaker opens, and the
    # request gets DatabaseUnavailable instead of waiting the whole pool timeout.
    dead = "postgresql://pdz@127.0.0.1:1/registry__nowhere"
    pools = PoolRegistry(max_per_pool=1, max_pools=4, idle_seconds=60, timeout=30, probe_seconds=0.2)
    try:
        with pytest.raises(DatabaseUnavailable):
            with pools.connection(dead):
                pass
        assert any(key.startswith("server:127.0.0.1:1") for key in pools.breaker.open_entries())
        with pytest.raises(DatabaseUnavailable):  # the breaker answers without trying
            with pools.connection(dead):
                pass
        with pools.connection(_urls(tenants)[0]) as conn:  # another server is not held back
            conn.execute("SELECT 1")
    finally:
        pools.close()


def test_a_database_that_refuses_is_held_back_alone_and_recovers_by_itself(tenants):
    a, b = _urls(tenants)
    pools = PoolRegistry(max_per_pool=2, max_pools=4, idle_seconds=60, timeout=30, probe_seconds=0.2)
    try:
        for url in (a, b):
            with pools.connection(url) as conn:
                conn.execute("SELECT 1")
        with refusing_connections(a):
            # Its idle connection was terminated: the first use fails and opens the breaker.
            with pytest.raises((DatabaseUnavailable, psycopg.OperationalError)):
                with pools.connection(a) as conn:
                    conn.execute("SELECT 1")
            deadline = time.monotonic() + 20
            # A terminated connection looks like a server going down; the probe finds the server
            # answering and narrows the hold to the one database.
            while [key.split(":", 1)[0] for key in pools.breaker.open_entries()] != ["db"]:
                assert time.monotonic() < deadline, pools.breaker.open_entries()
                time.sleep(0.05)
            with pytest.raises(DatabaseUnavailable):
                with pools.connection(a):
                    pass
            with pools.connection(b) as conn:  # the other tenant's database is served meanwhile
                conn.execute("SELECT 1")
        deadline = time.monotonic() + 20
        while True:
            try:
                with pools.connection(a) as conn:
                    assert conn.execute("SELECT 1").fetchone() == (1,)
                break
            except DatabaseUnavailable:
                assert time.monotonic() < deadline, "the pool did not recover by itself"
                time.sleep(0.05)
    finally:
        pools.close()


def test_a_statement_past_the_timeout_is_cancelled(tenants):
    pools = PoolRegistry(max_per_pool=1, max_pools=2, statement_timeout_ms=200)
    try:
        with pytest.raises(psycopg.errors.QueryCanceled):
            with pools.connection(_urls(tenants)[0]) as conn:
                conn.execute("SELECT pg_sleep(5)")
    finally:
        pools.close()


def test_the_process_never_holds_more_than_max_connections(catalogue_factory):
    from shared.cli.provision import provision
    from tests.conftest import random_slug
    catalogue = catalogue_factory([random_slug("c") for _ in range(3)])
    provision(catalogue, report=lambda *_: None)
    urls = [catalogue.url_for(t, s) for t in catalogue for s in ("registry", "consultation", "budget")]
    pools = PoolRegistry(max_per_pool=2, max_pools=100, idle_seconds=60, max_connections=4)
    try:
        for url in urls * 2:
            with pools.connection(url) as conn:
                conn.execute("SELECT 1")
            assert pools.connection_count() <= 4
        # The least recently used idle connections made room: the last four databases are warm.
        assert pools.connection_count() == 4
        with pools.connection(urls[-1]) as a, pools.connection(urls[-2]) as b:
            a.execute("SELECT 1")
            b.execute("SELECT 1")
            with pools.connection(urls[-3]) as c, pools.connection(urls[-4]) as d:
                c.execute("SELECT 1")
                d.execute("SELECT 1")
                # Every connection of the process is in use: a fifth waits, then gets "retry later".
                pools.timeout = 0.3
                with pytest.raises(DatabaseUnavailable):
                    with pools.connection(urls[0]):
                        pass
    finally:
        pools.close()
