"""Outbox relay: idle cost, wake-up latency, sweep duration, throughput and connections, with many tenants.

Run against the local stack (`make stack` first):

    .venv/bin/python bench/relay.py --tenants 600 --idle-seconds 60 --latency-samples 200 --events 30000

It provisions `--tenants` registry databases named registry__bench_NNNN (kept
between runs: only the first run creates them), uses its own topics (prefix
`bench`), then:

1. idle cost: starts the real `pdz-registry-relay` process on that catalogue,
   waits for its first full sweep (its duration is the relay's own
   pdz_relay_sweep_duration_seconds), lets it settle, then over
   `--idle-seconds` with nothing written counts the connections opened to the
   bench databases (delta of sum(pg_stat_database.sessions), per minute) and
   the process's CPU (/proc/<pid>/stat utime+stime). `--relay-pythonpath DIR`
   runs the relay of another checkout instead (e.g. the code before a change,
   `git archive <rev> | tar -x -C DIR`), for a comparison in the same run;
2. wake-up latency: the real Relay in a thread, listeners looking for lost
   wake-ups only once an hour (so only the NOTIFY can explain a fast delivery),
   commits one event at a time in a random tenant the way the API does and
   times commit -> record received by a Kafka consumer;
3. throughput: a backlog spread over every tenant, published by one relay.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from shared.config import Settings
from shared.db.pools import PoolRegistry
from shared.events.envelope import from_kafka, new_event
from shared.events.topics import all_topics, service_topic
from shared.kafka.clients import ensure_topics, idempotent_producer
from shared.outbox import store
from shared.outbox.relay import Relay
from shared.outbox.wake import wake_relay
from shared.tenants import Catalogue, Tenant

REPO = Path(__file__).resolve().parent.parent


def provision_registry(catalogue: Catalogue) -> None:
    from shared.cli.provision import ensure_database, migrate
    for tenant in catalogue:
        url = catalogue.url_for(tenant, "registry")
        ensure_database(url)
        migrate(url, "registry")


class Receiver(threading.Thread):
    """Reads the registry topic from the end and notes when each event id arrives."""

    def __init__(self, bootstrap: str):
        super().__init__(daemon=True)
        from kafka import KafkaConsumer, TopicPartition
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                      fetch_max_wait_ms=10)
        topic = service_topic("registry")
        parts = [TopicPartition(topic, p) for p in self.consumer.partitions_for_topic(topic)]
        self.consumer.assign(parts)
        self.consumer.seek_to_end(*parts)
        for p in parts:
            self.consumer.position(p)
        self.arrived: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for batch in self.consumer.poll(timeout_ms=50).values():
                now = time.perf_counter()
                for record in batch:
                    self.arrived[from_kafka(record.value, record.headers).id] = now

    def wait_for(self, ids, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(i in self.arrived for i in ids):
                return True
            time.sleep(0.005)
        return False


def event_for(slug: str):
    return new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=slug,
                     aggregate_id=str(random.randint(1, 10**9)), data={"bench": True})


def connections(server: str) -> dict:
    with psycopg.connect(server, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname LIKE 'registry__bench%%', application_name = 'pdz-relay-listen', count(*)"
            " FROM pg_stat_activity"
            " WHERE application_name <> 'psql' AND pid <> pg_backend_pid() AND datname IS NOT NULL"
            " GROUP BY 1, 2").fetchall()
    out = {"tenant_db": 0, "listen": 0}
    for is_tenant, is_listen, count in rows:
        if is_listen:
            out["listen"] += count
        elif is_tenant:
            out["tenant_db"] += count
    return out


def bench_sessions(server: str) -> int:
    """sum(pg_stat_database.sessions) of the bench registry databases: connections ever opened to them."""
    with psycopg.connect(server, autocommit=True) as conn:
        return int(conn.execute("SELECT coalesce(sum(sessions), 0) FROM pg_stat_database"
                                " WHERE datname LIKE 'registry\\_\\_bench\\_%%'").fetchone()[0])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def metric(text: str, name: str) -> float | None:
    match = re.search(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+-]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def idle_cost(catalogue: Catalogue, settings: Settings, *, idle_seconds: float, settle_seconds: float,
              pythonpath: str | None) -> dict:
    """Start the relay process, wait for its first full sweep, then measure it idle."""
    from bench.common import BENCH_HOME, KEPT_REPORTING_DB, write_catalogue
    BENCH_HOME.mkdir(parents=True, exist_ok=True)
    path = write_catalogue(BENCH_HOME / f"relay-tenants-{len(catalogue)}.yaml",
                           [t.slug for t in catalogue], KEPT_REPORTING_DB)
    port = free_port()
    env = dict(os.environ, PDZ_TENANTS_FILE=str(path), PDZ_TOPIC_PREFIX="bench", PDZ_METRICS_PORT=str(port),
               PDZ_METRICS_ADDR="127.0.0.1", PDZ_LOG_LEVEL="WARNING",
               PYTHONPATH=pythonpath or str(REPO))
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", "from shared.processes import run_relay; run_relay('registry')"],
                               env=env, cwd=pythonpath or str(REPO))
    try:
        while True:
            if process.poll() is not None or time.monotonic() - started > 600:
                raise SystemExit("the relay process died or never finished its first sweep")
            time.sleep(0.5)
            try:
                text = scrape(port)
            except OSError:
                continue
            if metric(text, "pdz_relay_last_sweep_timestamp_seconds"):
                # (older relays had no duration metric: then only the wall time is known)
                sweep = metric(text, "pdz_relay_sweep_duration_seconds")
                break
        first_sweep_wall = time.monotonic() - started
        time.sleep(settle_seconds)
        drains0 = metric(scrape(port), "pdz_relay_drains_total") or 0
        sessions0, cpu0, t0 = bench_sessions(settings.database_url), cpu_seconds(process.pid), time.monotonic()
        time.sleep(idle_seconds)
        time.sleep(1.5)  # PostgreSQL publishes a backend's session count about a second after it connects
        sessions1, cpu1, t1 = bench_sessions(settings.database_url), cpu_seconds(process.pid), time.monotonic()
        text = scrape(port)
    finally:
        process.terminate()
        process.wait(30)
    return {"first_sweep_seconds": sweep, "first_sweep_wall_seconds": first_sweep_wall,
            "connections_per_minute": (sessions1 - sessions0) * 60 / (t1 - t0 - 1.5),
            "cpu_share": (cpu1 - cpu0) / (t1 - t0),
            "drains": (metric(text, "pdz_relay_drains_total") or 0) - drains0}


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--max-pools", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=60, help="idle measurement (0: skip)")
    parser.add_argument("--settle-seconds", type=float, default=15,
                        help="wait after the relay's first sweep before the idle measurement")
    parser.add_argument("--relay-pythonpath", default=None,
                        help="run the relay process of another checkout (comparison in the same run)")
    args = parser.parse_args()

    os.environ["PDZ_TOPIC_PREFIX"] = "bench"
    settings = Settings.from_env()
    catalogue = Catalogue([Tenant(slug=f"bench-{i:04d}", name=f"Bench {i}", region="bench")
                           for i in range(args.tenants)], settings.database_url)
    t0 = time.perf_counter()
    provision_registry(catalogue)
    print(f"provisioned {args.tenants} registry databases in {time.perf_counter() - t0:.1f}s")
    ensure_topics(settings.kafka_bootstrap, all_topics())

    idle = None
    if args.idle_seconds > 0:
        idle = idle_cost(catalogue, settings, idle_seconds=args.idle_seconds, settle_seconds=args.settle_seconds,
                         pythonpath=args.relay_pythonpath)
        print(f"relay process{' from ' + args.relay_pythonpath if args.relay_pythonpath else ''}:"
              f" first full sweep of {args.tenants} tenants"
              f" {idle['first_sweep_seconds'] or float('nan'):.1f} s"
              f" (start to end {idle['first_sweep_wall_seconds']:.1f} s);"
              f" idle over {args.idle_seconds:.0f} s: {idle['connections_per_minute']:.0f} connections opened a minute,"
              f" CPU {idle['cpu_share'] * 100:.2f}% of a core, {idle['drains']:.0f} tenant drains", flush=True)
    if args.latency_samples <= 0 and args.events <= 0:
        return

    relay_pools = PoolRegistry(max_per_pool=1, max_pools=args.max_pools)
    relay = Relay(service="registry", catalogue=catalogue, pools=relay_pools, sweep_seconds=3600,
                  producer=idempotent_producer(settings.kafka_bootstrap, client_id="bench-relay"))
    relay.sweep()  # drain leftovers of earlier runs before measuring
    t0 = time.perf_counter()
    relay.sweep()
    idle_sweep = time.perf_counter() - t0
    receiver = Receiver(settings.kafka_bootstrap)
    receiver.start()
    threading.Thread(target=relay.run, daemon=True).start()
    if not relay.ready.wait(600):  # listening, and its own first sweep done
        raise SystemExit("the relay never became ready")

    api_pools = PoolRegistry(max_per_pool=1, max_pools=args.max_pools)
    latencies = []
    for _ in range(args.latency_samples):
        tenant = catalogue.get(f"bench-{random.randrange(args.tenants):04d}")
        event = event_for(tenant.slug)
        with api_pools.connection(catalogue.url_for(tenant, "registry")) as conn:
            store.add_event(conn, event)
        committed = time.perf_counter()
        wake_relay(api_pools, server_url=settings.database_url, service="registry", tenant=tenant.slug)
        if not receiver.wait_for([event.id], timeout=10):
            raise SystemExit(f"event {event.id} not delivered within 10 s")
        latencies.append((receiver.arrived[event.id] - committed) * 1000)
    conns = connections(settings.database_url)

    # Throughput: a backlog spread over every tenant, published by one relay.
    ids = []
    per_tenant = max(1, args.events // args.tenants)
    for tenant in catalogue:
        with psycopg.connect(catalogue.url_for(tenant, "registry")) as conn:
            for _ in range(per_tenant):
                event = event_for(tenant.slug)
                store.add_event(conn, event)
                ids.append(event.id)
    t0 = time.perf_counter()
    relay.request_sweep()
    if not receiver.wait_for(ids, timeout=600):
        raise SystemExit("backlog not published within 600 s")
    elapsed = time.perf_counter() - t0
    relay.stop()
    receiver.stop.set()

    print(f"tenants={args.tenants} max_pools={args.max_pools}")
    print(f"full sweep of all tenants with nothing pending (Relay.sweep in-process): {idle_sweep * 1000:.0f} ms")
    print(f"wake-up latency commit->on Kafka, n={len(latencies)}: p50={statistics.median(latencies):.1f} ms"
          f" p95={pct(latencies, 0.95):.1f} ms max={max(latencies):.1f} ms")
    print(f"connections during the latency run: LISTEN={conns['listen']} tenant-db={conns['tenant_db']}")
    print(f"throughput: {len(ids)} events over {args.tenants} tenants in {elapsed:.2f}s"
          f" = {len(ids) / elapsed:.0f} events/s")


if __name__ == "__main__":
    main()
