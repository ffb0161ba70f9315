"""The suite's real processes (gunicorn APIs, relay, consumer) on the real PostgreSQL and Kafka.

Each run gets its own tenants, reporting database, topics and consumer group,
so it never sees another run's data.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from shared.cli.provision import provision
from shared.cli.run import placement, spawn, terminate, wait_http
from shared.events.topics import all_topics
from shared.http.auth import mint_dev_token
from shared.kafka.clients import ensure_topics
from shared.tenants import load_catalogue
from tests.conftest import random_slug, random_topic_prefix, write_catalogue

KEY = "e2e-key-" + "e" * 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Suite:
    """Handles on the running processes, with HTTP helpers."""

    def __init__(self, folder: Path, settings):
        self.folder = folder
        self.settings = settings
        self.slugs = [random_slug("e2ea"), random_slug("e2eb")]
        self.prefix = random_topic_prefix("e2e")
        self.catalogue_path = write_catalogue(folder, self.slugs)
        self.catalogue = load_catalogue(self.catalogue_path, settings.database_url)
        self.ports = {name: free_port() for name in ("registry-api", "reporting-api",
                                                     "registry-relay", "reporting-consumer")}
        self.processes: dict[str, object] = {}

    def env(self, name: str) -> dict:
        env = dict(os.environ, PDZ_TENANTS_FILE=str(self.catalogue_path), PDZ_TOPIC_PREFIX=self.prefix,
                   PDZ_JWT_DEV_KEY=KEY, PDZ_RELAY_SWEEP_SECONDS="1", PDZ_RELAY_BATCH_SIZE="50",
                   PDZ_WEB_WORKERS="2")
        port = self.ports[name]
        env.update(placement(name, port=port, prometheus_root=self.folder / "prometheus"))
        return env

    def start(self, name: str, **env) -> None:
        self.processes[name] = spawn(name, env={**self.env(name), **env}, log_dir=self.folder / "logs")
        path = "livez" if name.endswith("-api") else "metrics"
        if not wait_http(f"http://127.0.0.1:{self.ports[name]}/{path}", timeout=60):
            log = (self.folder / "logs" / f"{name}.log").read_text()[-3000:]
            raise AssertionError(f"{name} did not start:\n{log}")

    def kill(self, name: str) -> None:
        """SIGKILL: no goodbye, no flush, no cleanup."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        terminate({n: p.pid for n, p in self.processes.items()})
        for process in self.processes.values():
            process.wait(30)

    def token(self, *tenants: str, roles=("operator",)) -> str:
        return mint_dev_token(key=KEY, subject="e2e", roles=list(roles), tenants=list(tenants))

    def call(self, method: str, service: str, path: str, token: str | None, body=None):
        url = f"http://127.0.0.1:{self.ports[service + '-api']}{path}"
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def stats(self, slug: str) -> dict:
        status, body = self.call("GET", "reporting", f"/v1/{slug}/statistics/stakeholders", self.token(slug))
        assert status == 200, body
        return body

    def wait_for_total(self, slug: str, total: int, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            stats = self.stats(slug)
            if stats["total"] == total or time.monotonic() > deadline:
                return stats
            time.sleep(0.3)


@pytest.fixture(scope="module")
def suite(tmp_path_factory, settings):
    folder = tmp_path_factory.mktemp("suite")
    s = Suite(folder, settings)
    provision(s.catalogue, report=lambda *_: None)
    os.environ["PDZ_TOPIC_PREFIX"] = s.prefix  # for this process's own Kafka helpers
    ensure_topics(settings.kafka_bootstrap, all_topics(partitions=3))
    try:
        for name in ("registry-api", "reporting-api", "registry-relay", "reporting-consumer"):
            s.start(name)
        yield s
    finally:
        s.stop_all()
        os.environ.pop("PDZ_TOPIC_PREFIX", None)
