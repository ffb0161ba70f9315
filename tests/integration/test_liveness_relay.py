"""A relay loop stuck in a Kafka flush fails /livez on its real operations port (real PostgreSQL and Kafka).

The producer is the real idempotent one, wrapped so that flush() can be made
to block on an Event (a broker call that never returns). The bound is made
small through PDZ_LIVENESS_STALL_SECONDS, read as shared/processes.py reads
it. /livez is polled until it answers 503, within a deadline: no sleeps.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import psycopg

from shared.db.pools import PoolRegistry
from shared.events.envelope import new_event
from shared.kafka.clients import idempotent_producer
from shared.ops import liveness_stall_seconds, serve_ops
from shared.outbox import store
from shared.outbox.relay import Relay


class StuckFlush:
    """The real producer; flush() blocks while `stuck` is set, until `release`."""

    def __init__(self, producer):
        self.producer = producer
        self.stuck = threading.Event()
        self.release = threading.Event()
        self.blocked = threading.Event()

    def flush(self, *args, **kwargs):
        if self.stuck.is_set():
            self.blocked.set()
            self.release.wait()
        return self.producer.flush(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.producer, name)


def _livez(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _until(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        threading.Event().wait(0.05)
    raise AssertionError("not within the deadline")


def test_a_relay_stuck_in_a_flush_fails_livez(tenants, settings, topic_prefix, monkeypatch):
    monkeypatch.setenv("PDZ_LIVENESS_STALL_SECONDS", "1")
    producer = StuckFlush(idempotent_producer(settings.kafka_bootstrap, client_id="test-liveness-relay"))
    pools = PoolRegistry(max_per_pool=1)
    relay = Relay(service="registry", catalogue=tenants, pools=pools, producer=producer,
                  loop_stale_seconds=liveness_stall_seconds(), sweep_seconds=0.2)
    server = serve_ops(port=0, addr="127.0.0.1", live={"loop": relay.heartbeat.check}, ready={})
    port = server.server_address[1]
    loop = threading.Thread(target=relay.run, daemon=True)
    loop.start()
    try:
        assert relay.ready.wait(30), "the relay never became ready"
        seen = []
        _until(lambda: seen.append(_livez(port)[0]) or len(seen) >= 40)  # idle for twice the bound
        assert set(seen) == {200}, seen
        producer.stuck.set()
        slug = tenants.slugs()[0]
        with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
            store.add_event(conn, new_event(type="it.pdz.registry.stakeholder.updated.v1", service="registry",
                                            tenant=slug, aggregate_id="stuck", data={}))
        assert producer.blocked.wait(30), "the relay never flushed the new row"
        status, body = _until(lambda: (lambda answer: answer if answer[0] == 503 else None)(_livez(port)))
        assert "has not progressed" in body["checks"]["loop"]
        producer.stuck.clear()
        producer.release.set()
        _until(lambda: _livez(port)[0] == 200)
    finally:
        relay.stop()
        producer.release.set()
        loop.join(15)
        server.shutdown()
        server.server_close()
        pools.close()
