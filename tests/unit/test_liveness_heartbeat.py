"""A consumer loop that stops turning fails /livez on the real operations port; a turning one passes.

The real ConsumerRunner loop runs with a fake Kafka consumer whose poll() can be
made to block on an Event (a call that never returns); the bound is made small
with PDZ_LIVENESS_STALL_SECONDS, as shared/processes.py reads it. Nothing here
sleeps to synchronise: /livez is polled until it answers, within a deadline.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

from shared.consumer.event_catalogue import EventCatalogue
from shared.consumer.runner import ConsumerRunner
from shared.consumer.settings import ConsumerSettings
from shared.db.pools import PoolRegistry
from shared.ops import DEFAULT_LIVENESS_STALL_SECONDS, liveness_stall_seconds, serve_ops


class BlockingConsumer:
    """Polls return nothing after `timeout_ms` (an idle topic) until `stuck` is set; then poll never returns."""

    def __init__(self):
        self.stuck = threading.Event()
        self.release = threading.Event()
        self.polls = 0

    def poll(self, timeout_ms=0, max_records=None):
        self.polls += 1
        if self.stuck.is_set():
            self.release.wait()  # the stuck call
        else:
            self.release.wait(timeout_ms / 1000)  # an idle poll: its timeout bounds the turn
        return {}

    def assignment(self):
        return set()

    def pause(self, *_):
        pass

    def resume(self, *_):
        pass

    def commit(self, *_a, **_k):
        pass

    def commit_async(self, *_a, **_k):
        pass

    def close(self, *_a, **_k):
        pass


class Producer:
    def flush(self, *_a, **_k):
        pass

    def close(self, *_a, **_k):
        pass


class Route:
    parks = False

    def always_checked(self):
        return []


def _livez(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _until(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        threading.Event().wait(0.05)  # a poll interval, not a timing assumption
    raise AssertionError("not within the deadline")


def test_the_bound_comes_from_the_setting(monkeypatch):
    monkeypatch.delenv("PDZ_LIVENESS_STALL_SECONDS", raising=False)
    assert liveness_stall_seconds() == DEFAULT_LIVENESS_STALL_SECONDS == 180.0
    monkeypatch.setenv("PDZ_LIVENESS_STALL_SECONDS", "0.5")
    assert liveness_stall_seconds() == 0.5


def test_a_stuck_consumer_loop_fails_livez_and_a_turning_one_passes(monkeypatch):
    monkeypatch.setenv("PDZ_LIVENESS_STALL_SECONDS", "0.5")
    kafka = BlockingConsumer()
    pools = PoolRegistry(max_per_pool=1, max_pools=2)
    runner = ConsumerRunner(name="liveness-test", consumer=kafka, producer=Producer(), pools=pools, route=Route(),
                            projectors={}, events=EventCatalogue.load(), settings=ConsumerSettings())
    runner.heartbeat.stale_after = liveness_stall_seconds()  # as shared/processes.py sets it
    # Each idle poll waits 200 ms, below the 0.5 s bound: an idle loop keeps beating.
    loop = threading.Thread(target=lambda: _run(runner), daemon=True)
    server = serve_ops(port=0, addr="127.0.0.1", live={"loop": runner.heartbeat.check}, ready={})
    port = server.server_address[1]
    loop.start()
    try:
        # Idle for several times the bound, polling /livez meanwhile: always 200.
        seen = []
        _until(lambda: seen.append(_livez(port)[0]) or kafka.polls >= 15)
        assert set(seen) == {200}, seen
        kafka.stuck.set()  # the next poll never returns
        status, body = _until(lambda: (lambda answer: answer if answer[0] == 503 else None)(_livez(port)))
        assert status == 503
        assert "has not progressed" in body["checks"]["loop"]
        kafka.stuck.clear()
        kafka.release.set()  # unstuck: the loop turns again and /livez recovers
        _until(lambda: _livez(port)[0] == 200)
    finally:
        runner.stop()
        kafka.release.set()
        loop.join(10)
        server.shutdown()
        server.server_close()
        pools.close()


def _run(runner: ConsumerRunner) -> None:
    original = runner.poll_once
    runner.poll_once = lambda timeout_ms=200: original(timeout_ms=200)
    runner.run()
