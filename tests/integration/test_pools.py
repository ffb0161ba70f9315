import multiprocessing
import time

import pytest

from shared.db.pools import PoolRegistry, PoolsExhausted


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
