"""Outbox relay: wake-up latency, idle sweep cost, throughput and connections, with many tenants.

Run against the local stack (`make stack` first):

    .venv/bin/python bench/relay.py --tenants 100 --latency-samples 200 --events 20000

It provisions `--tenants` registry databases named registry__bench_NNNN (kept
between runs), uses its own topics (prefix `bench`), runs the real Relay in a
thread with a long sweep interval (so only the wake-up can explain a fast
delivery) and a Kafka consumer that timestamps every record.
"""
from __future__ import annotations

import argparse
import random
import statistics
import threading
import time

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
            "SELECT datname LIKE 'registry__bench%%', query LIKE 'LISTEN%%', count(*) FROM pg_stat_activity"
            " WHERE application_name <> 'psql' AND pid <> pg_backend_pid() AND datname IS NOT NULL"
            " GROUP BY 1, 2").fetchall()
    out = {"tenant_db": 0, "listen": 0}
    for is_tenant, is_listen, count in rows:
        if is_listen:
            out["listen"] += count
        elif is_tenant:
            out["tenant_db"] += count
    return out


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--max-pools", type=int, default=50)
    args = parser.parse_args()

    import os
    os.environ["PDZ_TOPIC_PREFIX"] = "bench"
    settings = Settings.from_env()
    catalogue = Catalogue([Tenant(slug=f"bench-{i:04d}", name=f"Bench {i}", region="bench")
                           for i in range(args.tenants)], settings.database_url)
    t0 = time.perf_counter()
    provision_registry(catalogue)
    print(f"provisioned {args.tenants} registry databases in {time.perf_counter() - t0:.1f}s")
    ensure_topics(settings.kafka_bootstrap, all_topics())

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
    time.sleep(1.0)  # listeners connected

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
    relay.wakeups.put("*")
    if not receiver.wait_for(ids, timeout=600):
        raise SystemExit("backlog not published within 600 s")
    elapsed = time.perf_counter() - t0
    relay.stop()
    receiver.stop.set()

    print(f"tenants={args.tenants} max_pools={args.max_pools}")
    print(f"idle sweep of all tenants: {idle_sweep * 1000:.0f} ms")
    print(f"wake-up latency commit->on Kafka, n={len(latencies)}: p50={statistics.median(latencies):.1f} ms"
          f" p95={pct(latencies, 0.95):.1f} ms max={max(latencies):.1f} ms")
    print(f"connections during the latency run: LISTEN={conns['listen']} tenant-db={conns['tenant_db']}")
    print(f"throughput: {len(ids)} events over {args.tenants} tenants in {elapsed:.2f}s"
          f" = {len(ids) / elapsed:.0f} events/s")


if __name__ == "__main__":
    main()
