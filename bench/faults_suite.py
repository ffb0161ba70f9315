"""The real processes of one fault scenario, the HTTP writers, and the reconciliation.

Everything is loopback: gunicorn APIs, the registry relay and the reporting
consumer are the console scripts, spawned with an environment that points at
the scenario's PostgreSQL, Kafka, tenants (random slugs), reporting database
and topic prefix, so a run never sees another run's data.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import yaml
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.cli.provision import provision
from shared.cli.run import placement, spawn, terminate, wait_http
from shared.config import development_env
from shared.db.roles import database_role
from shared.http.auth import mint_dev_token
from shared.tenants import load_catalogue

# A local tool: development mode, so provisioning gives the database roles the development
# secrets the processes it spawns use (PDZ_DB_ROLE_SECRET_<SERVICE> win if set).
os.environ.update(development_env(os.environ))

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
                for name in self.databases:  # and the login role provisioning gave each
                    conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(database_role(name))))
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
        env.update(placement(name, port=port, prometheus_root=self.folder / "prometheus"))
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

    def published_twice(self) -> int:
        """Events on the registry topic more than once (same ce_id): redeliveries the consumer must dedupe."""
        from kafka import KafkaConsumer, TopicPartition
        from shared.events.topics import service_topic
        with topic_prefix(self.prefix):
            topic = service_topic("registry")
        consumer = KafkaConsumer(bootstrap_servers=self.kafka_bootstrap, enable_auto_commit=False, group_id=None)
        try:
            partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or [])]
            consumer.assign(partitions)
            consumer.seek_to_beginning(*partitions)
            ends = consumer.end_offsets(partitions)
            seen: dict[bytes, int] = {}
            while any(consumer.position(tp) < ends[tp] for tp in partitions):
                for batch in consumer.poll(timeout_ms=1000).values():
                    for record in batch:
                        event_id = dict(record.headers).get("ce_id", b"")
                        seen[event_id] = seen.get(event_id, 0) + 1
        finally:
            consumer.close()
        return sum(n - 1 for n in seen.values() if n > 1)

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
