"""Answering 404 again and again must not grow memory (real app, real PostgreSQL).

A module-level exception object raised on every request keeps each raise's
traceback (and the frames it holds) chained to the previous ones, so memory
grew with every 404. Here 10,000 404s run in-process and both the traced
memory and the number of live traceback objects must stay flat.
"""
from __future__ import annotations

import gc
import tracemalloc
import types
import uuid

import pytest

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.registry.app import create_app

KEY = "memory-key-" + "m" * 32
REQUESTS = 10_000
# Far below what the leak cost (several hundred bytes per 404), far above the
# noise of caches that fill once (a few KiB).
MAX_GROWTH_BYTES = 256 * 1024


@pytest.fixture
def client(tenants, settings, tmp_path):
    app_settings = Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                            database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap)
    return create_app(settings=app_settings).test_client()


def live_tracebacks() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, types.TracebackType))


@pytest.mark.parametrize("resource", ["stakeholders", "applications"])
def test_ten_thousand_404s_do_not_grow_memory(client, tenants, resource):
    slug = tenants.slugs()[0]
    token = mint_dev_token(key=KEY, subject="op", roles=["operator"], tenants=[slug])
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/v1/{slug}/{resource}/{uuid.uuid4()}"

    def miss(times: int) -> None:
        for _ in range(times):
            response = client.get(url, headers=headers)
            assert response.status_code == 404, response.get_json()

    miss(200)  # warm up: pools, caches, lazy imports
    tracebacks_before = live_tracebacks()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        miss(REQUESTS)
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    more_tracebacks = live_tracebacks() - tracebacks_before
    assert (more_tracebacks < 10 and growth < MAX_GROWTH_BYTES), \
        f"after {REQUESTS} 404s: {growth} bytes and {more_tracebacks} traceback objects more"
