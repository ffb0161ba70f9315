"""The real processes of one fault scenario, the HTTP writers, and the reconciliation.

Everything is loopback: gunicorn APIs, the registry relay and the reporting
consumer are the console scripts, spawned with an environment that points at
the scenario's PostgreSQL, Kafka, tenants (random slugs), reporting database
and topic prefix, so a run never sees another run's data.
"""
from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import yaml
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.cli.demo import numbered_tax_code
from shared.cli.provision import provision
from shared.cli.run import spawn, terminate, wait_http
from shared.http.auth import mint_dev_token
from shared.tenants import load_catalogue

JWT_KEY = "faults-key-" + "f" * 32
PROCESSES = ("registry-api", "registry-relay", "reporting-consumer", "reporting-api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Suite:
    """Tenants, databases, topics and processes of one scenario on one PostgreSQL and one Kafka."""

    def __init__(self, folder: Path, *, database_url: str, kafka_bootstrap: str, tenants: int = 2):
        self.folder = folder
        self.database_url = database_url
        self.kafka_bootstrap = kafka_bootstrap
        run = uuid.uuid4().hex[:10]
        self.slugs = [f"faults-{run}-{i}" for i in range(tenants)]
        self.prefix = f"faults{run}"
        self.reporting_db = f"reporting_faults_{run}"
        folder.mkdir(parents=True, exist_ok=True)
        self.catalogue_path = folder / "tenants.yaml"
        self.catalogue_path.write_text(yaml.safe_dump({
            "tenants": [{"slug": s, "name": f"Ambito fault test {s}", "region": "basilicata"} for s in self.slugs],
            "regional_databases": {"reporting": self.reporting_db}}))
        self.catalogue = load_catalogue(self.catalogue_path, database_url)
        self.ports = {name: free_port() for name in PROCESSES}
        self.processes: dict[str, subprocess.Popen] = {}
        self.databases: list[str] = []

    # -- set-up and tear-down ------------------------------------------------------------
    def provision(self) -> None:
        """Create and migrate the scenario's databases, and its topics."""
        from shared.cli.provision import REGIONAL_SERVICES, TENANT_SERVICES
        from shared.events.topics import all_topics
        from shared.kafka.clients import ensure_topics
        # Named from the catalogue (never "what appeared meanwhile": others create databases too).
        urls = [self.catalogue.url_for(t, s) for t in self.catalogue for s in TENANT_SERVICES]
        urls += [self.catalogue.regional_url(s) for s in REGIONAL_SERVICES]
        self.databases = sorted({conninfo_to_dict(u)["dbname"] for u in urls})
        assert all(self.prefix.replace("faults", "") in name for name in self.databases), self.databases
        provision(self.catalogue, report=lambda *_: None)
        with topic_prefix(self.prefix):
            ensure_topics(self.kafka_bootstrap, all_topics(partitions=3))

    def drop_databases(self) -> None:
        """Drop what provision() created (a private PostgreSQL is thrown away anyway)."""
        try:
            with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
                for name in self.databases:
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            print(f"warning: could not drop the scenario's databases: {exc}")

    def drop_topics(self) -> None:
        from kafka import KafkaAdminClient
        from shared.events.topics import all_topics
        try:
            admin = KafkaAdminClient(bootstrap_servers=self.kafka_bootstrap, request_timeout_ms=10_000)
            try:
                with topic_prefix(self.prefix):
                    admin.delete_topics([t.name for t in all_topics()])
            finally:
                admin.close()
        except Exception as exc:  # noqa: BLE001 - clean-up is best effort, said aloud
            print(f"warning: could not delete the scenario's topics: {exc}")

    # -- processes -------------------------------------------------------------------------
    def env(self, name: str) -> dict:
        env = dict(os.environ, PDZ_DATABASE_URL=self.database_url, PDZ_KAFKA_BOOTSTRAP=self.kafka_bootstrap,
                   PDZ_TENANTS_FILE=str(self.catalogue_path), PDZ_TOPIC_PREFIX=self.prefix,
                   PDZ_JWT_DEV_KEY=JWT_KEY, PDZ_RELAY_SWEEP_SECONDS="1", PDZ_WEB_WORKERS="2",
                   PDZ_WEB_THREADS="4", PDZ_LOG_LEVEL="WARNING")
        port = self.ports[name]
        if name.endswith("-api"):
            env["PDZ_BIND"] = f"127.0.0.1:{port}"
            prom = self.folder / "prometheus" / name
            prom.mkdir(parents=True, exist_ok=True)
            for stale in prom.glob("*.db"):  # a killed run's workers left their samples
                stale.unlink()
            env["PROMETHEUS_MULTIPROC_DIR"] = str(prom)
        else:
            env["PDZ_METRICS_PORT"] = str(port)
            env["PDZ_METRICS_ADDR"] = "127.0.0.1"
        return env

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, *names: str) -> None:
        for name in names:
            self.processes[name] = spawn(name, env=self.env(name), log_dir=self.folder / "logs")
        for name in names:
            # /metrics answers on today's relay/consumer and on the ops port alike.
            path = "livez" if name.endswith("-api") else "metrics"
            if not wait_http(f"{self.url(name)}/{path}", timeout=90):
                raise RuntimeError(f"{name} did not start:\n{self.log_tail(name)}")

    def log_tail(self, name: str, chars: int = 3000) -> str:
        try:
            return (self.folder / "logs" / f"{name}.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def kill(self, name: str) -> None:
        """SIGKILL the process group (gunicorn's master and workers alike): no goodbye, no flush."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)

    def alive(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def stop_all(self) -> None:
        terminate({n: p.pid for n, p in self.processes.items() if p.poll() is None})
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                pass
        self.processes.clear()

    def token(self) -> str:
        return mint_dev_token(key=JWT_KEY, subject="faults", roles=["operator"], tenants=list(self.slugs))

    def probe(self, name: str, path: str = "/readyz", timeout: float = 5) -> tuple[int | None, str, dict]:
        """(status, content type, JSON body) of a GET (with a token); status None when nothing answered."""
        request = urllib.request.Request(f"{self.url(name)}{path}", headers={"Authorization": f"Bearer {self.token()}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), _json(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), _json(exc.read())
        except OSError:
            return None, "", {}

    # -- what the databases and the reporting API say ------------------------------------
    def registry_rows(self) -> dict[str, str]:
        """Every stakeholder the registry committed: id -> name, over the scenario's tenants."""
        rows = {}
        for slug in self.slugs:
            url = self.catalogue.url_for(self.catalogue.get(slug), "registry")
            with psycopg.connect(url, connect_timeout=5) as conn:
                rows.update({str(i): n for i, n in conn.execute("SELECT id, name FROM stakeholders")})
        return rows

    def outbox_marks(self) -> dict[str, int]:
        """The last outbox row of each tenant now (to ask later whether the rows up to it are published)."""
        marks = {}
        for slug in self.slugs:
            url = self.catalogue.url_for(self.catalogue.get(slug), "registry")
            with psycopg.connect(url, connect_timeout=5) as conn:
                marks[slug] = conn.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]
        return marks

    def unpublished(self, upto: dict[str, int]) -> int:
        """Outbox rows up to the marks that the relay has not published yet."""
        total = 0
        for slug in self.slugs:
            url = self.catalogue.url_for(self.catalogue.get(slug), "registry")
            with psycopg.connect(url, connect_timeout=5) as conn:
                total += conn.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL AND id <= %s",
                                      (upto[slug],)).fetchone()[0]
        return total

    def counted_ids(self) -> set[str]:
        """The stakeholders reporting counts (its read model), over the scenario's tenants."""
        with psycopg.connect(self.catalogue.regional_url("reporting"), connect_timeout=5) as conn:
            return {str(r[0]) for r in conn.execute(
                "SELECT stakeholder_id FROM stakeholder_facts WHERE tenant = ANY(%s)", (self.slugs,))}

    def reported_total(self) -> int | None:
        """The sum of GET /v1/<tenant>/statistics/stakeholders totals (None if the API did not answer)."""
        total = 0
        for slug in self.slugs:
            status, body = http_json("GET", f"{self.url('reporting-api')}/v1/{slug}/statistics/stakeholders",
                                     self.token())
            if status != 200:
                return None
            total += sum(body["by_status"].values())
        return total


class topic_prefix:
    """Point this process's topic helpers at a scenario's topics for a block."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __enter__(self):
        self.saved = os.environ.get("PDZ_TOPIC_PREFIX")
        os.environ["PDZ_TOPIC_PREFIX"] = self.prefix

    def __exit__(self, *_exc):
        if self.saved is None:
            os.environ.pop("PDZ_TOPIC_PREFIX", None)
        else:
            os.environ["PDZ_TOPIC_PREFIX"] = self.saved


def _json(raw: bytes):
    try:
        return json.loads(raw or b"null") or {}
    except ValueError:
        return {}


def http_json(method: str, url: str, token: str, body=None, timeout: float = 10) -> tuple[int | None, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _json(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read())
    except OSError:
        return None, {}


# -- writers ---------------------------------------------------------------------------------
@dataclass
class Attempt:
    """One POST /stakeholders and what came back."""

    index: int
    tenant: str
    name: str
    started: float = 0.0
    elapsed: float = 0.0
    status: int | None = None  # None: no answer (the connection broke or timed out)
    content_type: str = ""
    retry_after: str | None = None
    id: str | None = None
    error: str = ""


@dataclass
class Writes:
    """`total` POSTs from `clients` keep-alive connections, optionally paced at `rate` per second."""

    suite: Suite
    total: int
    clients: int = 16
    rate: float | None = None
    timeout: float = 30.0
    attempts: list[Attempt] = field(default_factory=list)

    def __post_init__(self):
        self.run = uuid.uuid4().hex[:6]
        self._next = itertools.count()
        self._lock = threading.Condition()
        self._answered = 0
        self._threads: list[threading.Thread] = []
        self.stopping = threading.Event()
        self.t0 = 0.0

    def start(self) -> "Writes":
        self.t0 = time.monotonic()
        token = self.suite.token()
        for _ in range(self.clients):
            thread = threading.Thread(target=self._client, args=(token,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wait_answered(self, count: int, timeout: float = 600) -> None:
        """Block until `count` attempts have finished (answered or not)."""
        with self._lock:
            self._lock.wait_for(lambda: self._answered >= min(count, self.total), timeout=timeout)

    def join(self, timeout: float = 1800) -> list[Attempt]:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.stopping.set()
        return sorted(self.attempts, key=lambda a: a.index)

    def _client(self, token: str) -> None:
        port = self.suite.ports["registry-api"]
        conn = None
        last_used = 0.0
        while not self.stopping.is_set():
            index = next(self._next)
            if index >= self.total:
                break
            if self.rate:
                # Pacing spreads the writes over the fault; it is not synchronisation.
                delay = self.t0 + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            slug = self.suite.slugs[index % len(self.suite.slugs)]
            attempt = Attempt(index=index, tenant=slug, name=f"Organizzazione prova guasti {self.run} {index:06d}")
            body = json.dumps({"name": attempt.name, "type": "other",
                               "tax_code": numbered_tax_code(index + 1, "076")}).encode()
            # A connection idle longer than gunicorn's keep-alive (2 s) may be closed under us.
            if conn is not None and time.monotonic() - last_used > 1.0:
                conn.close()
                conn = None
            conn = self._send(conn, port, slug, token, body, attempt)
            last_used = time.monotonic()
            with self._lock:
                self.attempts.append(attempt)
                self._answered += 1
                self._lock.notify_all()
        if conn is not None:
            conn.close()

    def _send(self, conn, port, slug, token, body, attempt: Attempt):
        # Until connected, nothing was sent: an API being restarted is waited for (up to 120 s).
        give_up = time.monotonic() + 120
        while conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
            try:
                conn.connect()
            except ConnectionRefusedError:
                conn = None
                if time.monotonic() > give_up or self.stopping.is_set():
                    attempt.error = "connection refused"
                    return None
                time.sleep(0.05)
        attempt.started = time.monotonic()
        try:
            conn.request("POST", f"/v1/{slug}/stakeholders", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            attempt.elapsed = time.monotonic() - attempt.started
            attempt.error = type(exc).__name__
            conn.close()
            return None
        attempt.elapsed = time.monotonic() - attempt.started
        attempt.status = response.status
        attempt.content_type = response.getheader("Content-Type", "")
        attempt.retry_after = response.getheader("Retry-After")
        if response.status == 201:
            attempt.id = str(_json(payload).get("id"))
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            return None
        return conn


@dataclass
class Outcome:
    """What a scenario measured, and which expectations failed (each a sentence)."""

    scenario: str
    figures: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def expect(self, ok: bool, sentence: str) -> None:
        if not ok:
            self.failures.append(sentence)


# -- reconciliation -------------------------------------------------------------------------
@dataclass
class Reconciliation:
    attempted: int
    created: int  # 201s
    statuses: dict  # status (or "no answer") -> count
    counted: int  # rows of reporting's read model for the scenario's tenants
    lost: list  # 201 ids reporting does not count
    duplicated: int
    unanswered_created: int  # no answer, yet the registry has it (and so should reporting)
    unanswered_absent: int
    refused_but_created: int  # answered with an error, yet the registry has it
    phantom: int  # counted by reporting, unknown to the registry
    uncounted_committed: int  # in the registry (e.g. an unanswered write), not in reporting
    drain_seconds: float | None


def drain(suite: Suite, *, since: float, timeout: float) -> tuple[set, dict, float | None]:
    """Wait until reporting counts everything the registry committed; seconds after `since`, or None."""
    deadline = time.monotonic() + timeout
    committed = suite.registry_rows()
    while True:
        counted = suite.counted_ids()
        if set(committed) <= counted:
            return counted, committed, max(0.0, time.monotonic() - since)
        if time.monotonic() > deadline:
            return counted, committed, None
        time.sleep(0.2)
        committed = suite.registry_rows()


def reconcile(suite: Suite, attempts: list[Attempt], *, since: float, timeout: float = 180) -> Reconciliation:
    """Every 201 counted once, nothing else counted; unanswered writes looked up in the registry."""
    counted, committed, drained = drain(suite, since=since, timeout=timeout)
    statuses: dict = {}
    for a in attempts:
        key = a.status if a.status is not None else "no answer"
        statuses[key] = statuses.get(key, 0) + 1
    created_ids = [a.id for a in attempts if a.status == 201]
    names = {}
    for id_, name in committed.items():
        names.setdefault(name, []).append(id_)
    unanswered = [a for a in attempts if a.status is None]
    refused = [a for a in attempts if a.status not in (None, 201)]
    total = suite.reported_total()
    duplicated = sum(len(ids) - 1 for ids in names.values() if len(ids) > 1)
    duplicated += len(created_ids) - len(set(created_ids))
    if total is not None:
        duplicated += max(0, total - len(counted))
    return Reconciliation(
        attempted=len(attempts), created=len(created_ids), statuses=statuses, counted=len(counted),
        lost=sorted(set(created_ids) - counted), duplicated=duplicated,
        unanswered_created=sum(1 for a in unanswered if a.name in names),
        unanswered_absent=sum(1 for a in unanswered if a.name not in names),
        refused_but_created=sum(1 for a in refused if a.name in names),
        phantom=len(counted - set(committed)), uncounted_committed=len(set(committed) - counted),
        drain_seconds=drained)
