"""Helpers of the end-to-end flows over the real processes: a time bound, HTTP calls with their headers,
polling with deadlines, and a reader of a Kafka topic that waits for what it expects.

Nothing here sleeps to synchronise: every wait polls a condition until a deadline.
"""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

from kafka import KafkaConsumer, TopicPartition

from shared.cli.provision import provision
from shared.events.envelope import EnvelopeError, from_kafka
from shared.events.topics import all_topics
from shared.http.auth import mint_dev_token
from shared.kafka.clients import ensure_topics
from tests.e2e.conftest import KEY, Suite, free_port

POLL_SECONDS = 0.3


class TimeBoundExceeded(AssertionError):
    """The flow took longer than its bound: the stack is stuck or far too slow."""


@contextmanager
def time_bound(seconds: int, what: str):
    """Fail (raise in the main thread) if the block runs longer than `seconds`; pytest has no timeout plugin here."""
    def expired(_signum, _frame):
        raise TimeBoundExceeded(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def running(folder, settings, processes: tuple[str, ...]):
    """A Suite (fresh tenants, topic prefix, reporting database) with `processes` started on private ports."""
    suite = Suite(folder, settings)
    suite.ports.update({name: free_port() for name in processes if name not in suite.ports})
    provision(suite.catalogue, report=lambda *_: None)
    os.environ["PDZ_TOPIC_PREFIX"] = suite.prefix  # for this process's own Kafka helpers
    ensure_topics(settings.kafka_bootstrap, all_topics(partitions=3))
    try:
        for name in processes:
            suite.start(name)
        yield suite
    finally:
        suite.stop_all()
        os.environ.pop("PDZ_TOPIC_PREFIX", None)


def token(subject: str, slug: str, *roles: str) -> str:
    """A development token for `subject` holding `roles` in the Ambito `slug` (signed with the suite's key)."""
    return mint_dev_token(key=KEY, subject=subject, roles=list(roles), tenants=[slug])


def call(suite, method: str, service: str, path: str, bearer: str, body=None, headers=None):
    """(status, JSON body, response headers) of one request to `service`'s API."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{suite.ports[service + '-api']}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null"), exc.headers


def expect(status_wanted: int, answer) -> dict:
    """The body of an answer with the status wanted (the assertion shows the problem otherwise)."""
    status, body, _headers = answer
    assert status == status_wanted, f"{status} instead of {status_wanted}: {body}"
    return body


def refused(answer, status_wanted: int, slug: str) -> dict:
    """A problem+json answer with that status and problem type."""
    status, body, _headers = answer
    assert status == status_wanted and body["type"].endswith("/" + slug), f"{status}: {body}"
    return body


def eventually(probe, done, *, timeout: float = 60.0):
    """Call probe() until done(result) holds or the deadline passes; the last result."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(POLL_SECONDS)  # between polls of a condition, not a synchronisation by itself


class TopicReader:
    """Every record of a topic from its beginning, read on demand; waits until a condition holds."""

    def __init__(self, bootstrap: str, topic: str):
        self.records: list = []
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        partitions = [TopicPartition(topic, p) for p in self._consumer.partitions_for_topic(topic) or []]
        assert partitions, f"topic {topic} has no partitions"
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)

    def events(self, tenant: str) -> list:
        """The well-formed CloudEvents read so far for `tenant`, in partition order per key."""
        found = []
        for record in self.records:
            try:
                event = from_kafka(record.value, record.headers)
            except EnvelopeError:
                continue
            if event.tenantid == tenant:
                found.append(event)
        return found

    def until(self, done, *, tenant: str, timeout: float = 60.0) -> list:
        """Read on until done(events of `tenant`) holds or the deadline passes; those events."""
        deadline = time.monotonic() + timeout
        while True:
            for batch in self._consumer.poll(timeout_ms=500).values():
                self.records.extend(batch)
            events = self.events(tenant)
            if done(events) or time.monotonic() > deadline:
                return events

    def close(self) -> None:
        self._consumer.close()
