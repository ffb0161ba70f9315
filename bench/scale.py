"""P4 scale: 600 Ambiti in one catalogue, one set of processes, vs one Ambito in the same run.

    .venv/bin/python bench/scale.py --tenants 600 --seconds 30 --idle-seconds 60

On the local stack, with wrk (`apt-get install wrk`):

1. provisions the kept bench catalogue bench-0000 ... bench-NNNN (3 databases an
   Ambito, the same names bench/relay.py uses) with the real `provision`, timed:
   minutes the first time, a check afterwards (bench/provision600.py does only this);
2. spawns pdz-registry-api (2 workers x 4 threads), pdz-registry-relay and
   pdz-reporting-consumer with that catalogue and the default pool settings;
3. with wrk, 16 keep-alive clients: POST then GET ?limit=5 on one Ambito, then
   POST then GET spread at random over all of them (a warm-up before each);
4. samples pg_stat_activity every 0.5 s: the peak number of connections those
   processes hold (matched by their client ports), against the budget documented in
   docs/deployment.md: (API workers + relay) x min(PDZ_POOL_MAX_CONNECTIONS, Ambiti)
   + the consumer's one + a few;
5. leaves the processes idle, then measures over --idle-seconds the connections
   opened to the bench databases (delta of sum(pg_stat_database.sessions): anyone's),
   the relay's own connections seen in pg_stat_activity every 0.2 s (a lower
   bound) and the relay's CPU (/proc/<pid>/stat).

Goals (issue 6): spread p99 <= 2x the one-Ambito p99; no 500; connections within the budget;
the relay's idle sweep does not open hundreds of connections every few seconds.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench.common import (Suite, cpu_seconds, delete_topics, describe_wrk, ensure_wrk,  # noqa: E402
                          fresh_run_id, print_machine, provision_catalogue, run_wrk, token, verdict,
                          web_workers, write_json, wrk_config)
from bench.provision600 import kept_catalogue  # noqa: E402
from shared.config import Settings  # noqa: E402
from shared.events.topics import all_topics  # noqa: E402
from shared.kafka.clients import ensure_topics  # noqa: E402

BENCH_DATABASES = r"datname LIKE '%\_\_bench\_%' OR datname = 'reporting__bench'"


def bench_database_count(conn) -> int:
    return conn.execute(f"SELECT count(*) FROM pg_database WHERE {BENCH_DATABASES}").fetchone()[0]


def local_ports(pids: list[int]) -> set[int]:
    """Local TCP ports of the sockets these processes hold (from /proc, no privileges needed for ours)."""
    inodes = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            for fd in fd_dir.iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


class ConnectionSampler(threading.Thread):
    """Peak PostgreSQL connections held by the suite's processes, sampled every 0.5 s."""

    def __init__(self, server_url: str, suite: Suite):
        super().__init__(daemon=True)
        self.server_url, self.suite = server_url, suite
        self.peak = 0
        self.peak_by_process: dict[str, int] = {}
        self.peak_server = 0
        self.stop_flag = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            while not self.stop_flag.wait(0.5):
                rows = conn.execute("SELECT client_port FROM pg_stat_activity"
                                    " WHERE backend_type = 'client backend' AND client_port IS NOT NULL").fetchall()
                ports = {r[0] for r in rows}
                self.peak_server = max(self.peak_server, len(ports))
                total = 0
                for name in list(self.suite.processes):
                    count = len(ports & local_ports(self.suite.pids(name)))
                    self.peak_by_process[name] = max(self.peak_by_process.get(name, 0), count)
                    total += count
                self.peak = max(self.peak, total)


def sessions(conn) -> int:
    """sum(pg_stat_database.sessions) of the kept bench databases.

    Not of the whole server: other users' databases come and go (a dropped
    database takes its count with it), so a server-wide delta means nothing.
    """
    conn.execute("SELECT pg_stat_clear_snapshot()")
    return int(conn.execute(f"SELECT coalesce(sum(sessions), 0) FROM pg_stat_database"
                            f" WHERE {BENCH_DATABASES}").fetchone()[0])


def idle_window(conn, suite: Suite, seconds: float) -> dict:
    """Over `seconds` of idleness: sessions opened to the bench databases, the relay's CPU, and the
    relay's connections seen in pg_stat_activity every 0.2 s (a lower bound: shorter ones slip through)."""
    relay_pid = suite.processes["registry-relay"].pid
    seen: set[tuple[int, object]] = set()
    window_start = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    sessions0, cpu0, t0 = sessions(conn), cpu_seconds(relay_pid), time.monotonic()
    while time.monotonic() - t0 < seconds:
        ports = local_ports(suite.pids("registry-relay"))
        for pid, port, started in conn.execute("SELECT pid, client_port, backend_start FROM pg_stat_activity"
                                               " WHERE client_port IS NOT NULL").fetchall():
            if port in ports and started > window_start:  # opened during the window, not a warm one
                seen.add((pid, started))
        time.sleep(0.2)  # sampling period
    sessions1, cpu1, t1 = sessions(conn), cpu_seconds(relay_pid), time.monotonic()
    minutes = (t1 - t0) / 60
    return {"seconds": t1 - t0, "bench_sessions_per_min": (sessions1 - sessions0) / minutes,
            "relay_connections_seen_per_min": len(seen) / minutes,
            "relay_cpu_share": (cpu1 - cpu0) / (t1 - t0)}


def connection_budget(settings: Settings, *, workers: int, tenants: int) -> tuple[int, str]:
    """The ceiling docs/deployment.md documents (and the pools enforce): each process holds at most
    PDZ_POOL_MAX_CONNECTIONS, and no more than PDZ_POOL_MAX_PER_TENANT a database; plus a few
    listeners and probes. The typical figure (one warm connection per database used) is printed too."""
    cap = getattr(settings, "pool_max_connections", None) or tenants
    few = 5  # the relay's LISTEN connection, readiness probes, one spare
    typical = (workers + 1) * min(cap, tenants) + 1 + few
    ceiling = (workers + 1) * min(cap, tenants * settings.pool_max_per_tenant) + 1 + few
    return ceiling, (f"(API workers {workers} + relay 1) x min(PDZ_POOL_MAX_CONNECTIONS {cap}, {tenants} Ambiti"
                     f" x PDZ_POOL_MAX_PER_TENANT {settings.pool_max_per_tenant}) + consumer 1 + {few} = {ceiling}"
                     f" (docs/deployment.md; typically one a database: {typical})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=30, help="measured duration of each wrk run")
    parser.add_argument("--warmup", type=float, default=5, help="warm-up before each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--settle-seconds", type=float, default=15,
                        help="pause after the load before the idle measurement")
    parser.add_argument("--no-provision", action="store_true",
                        help="skip the provisioning check (about 90 s for 600 Ambiti once they exist)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    ensure_wrk()
    settings = Settings.from_env()
    machine = print_machine(settings)
    figures: dict = {"machine": machine, "args": {k: str(v) for k, v in vars(args).items()}}
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        before = bench_database_count(conn)
    catalogue = kept_catalogue(args.tenants)
    seconds = 0.0 if args.no_provision else provision_catalogue(catalogue, settings)
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        created = bench_database_count(conn) - before
        max_connections = int(conn.execute("SHOW max_connections").fetchone()[0])
    figures["provision"] = {"tenants": args.tenants, "seconds": seconds, "databases_created": created}
    print(f"provision {args.tenants} Ambiti: {seconds:.1f} s ({created} databases created)", flush=True)

    run = fresh_run_id("benchp4")
    folder = Path(tempfile.mkdtemp(prefix=f"{run}-"))
    os.environ["PDZ_TOPIC_PREFIX"] = run
    ensure_topics(settings.kafka_bootstrap, all_topics())
    slugs = [f"bench-{i:04d}" for i in range(args.tenants)]
    suite = Suite(folder, catalogue, run)
    names = ("registry-api", "registry-relay", "reporting-consumer")
    workers = int(web_workers())
    budget, budget_text = connection_budget(settings, workers=workers, tenants=args.tenants)
    sampler = None
    try:
        suite.start(*names)
        sampler = ConnectionSampler(settings.database_url, suite)
        sampler.start()
        api = suite.url("registry-api")
        bearer = token(roles=("operator", "regional-admin"))
        loads = {}
        for scope, tenants in (("one", slugs[:1]), ("all", slugs)):
            for op, path in (("post", "/v1/{tenant}/stakeholders"), ("get", "/v1/{tenant}/stakeholders?limit=5")):
                name = f"{op}-{scope}"
                if args.warmup > 0:
                    run_wrk(api, wrk_config(folder, name + "-warmup", mode=op, path=path, tenants=tenants,
                                            bearer=bearer), seconds=args.warmup, connections=args.connections)
                loads[name] = run_wrk(api, wrk_config(folder, name, mode=op, path=path, tenants=tenants,
                                                      bearer=bearer),
                                      seconds=args.seconds, connections=args.connections)
                print(describe_wrk(f"{op.upper()} {'one Ambito' if scope == 'one' else f'{args.tenants} Ambiti'}",
                                   loads[name]), flush=True)
        sampler.stop_flag.set()
        sampler.join()
        figures["load"] = loads
        figures["connections"] = {"peak": sampler.peak, "by_process": sampler.peak_by_process,
                                  "server_peak": sampler.peak_server, "budget": budget,
                                  "max_connections": max_connections}

        time.sleep(args.settle_seconds)  # let the relay and consumer finish the load's backlog
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            idle = idle_window(conn, suite, args.idle_seconds)
        figures["idle"] = idle

        errors_500 = sum(r["s5xx"] for r in loads.values())
        print()
        print(f"| measure | one Ambito | {args.tenants} Ambiti | ratio |")
        print("| --- | --- | --- | --- |")
        ratios = {}
        for op in ("post", "get"):
            one, spread = loads[f"{op}-one"], loads[f"{op}-all"]
            ratios[op] = spread["p99"] / one["p99"] if one["p99"] else float("inf")
            print(f"| {op.upper()} req/s (2xx) | {one['ok_rps']:.0f} | {spread['ok_rps']:.0f} |"
                  f" {spread['ok_rps'] / one['ok_rps'] if one['ok_rps'] else 0:.2f}x |")
            print(f"| {op.upper()} p99 | {one['p99']:.1f} ms | {spread['p99']:.1f} ms | {ratios[op]:.2f}x |")
        figures["ratios"] = ratios
        print(f"provision of {args.tenants} Ambiti: {seconds:.1f} s ({created} databases created in this run)")
        print(f"peak PostgreSQL connections of the processes: {sampler.peak} "
              f"({', '.join(f'{k} {v}' for k, v in sampler.peak_by_process.items())}); budget "
              f"{budget_text}; "
              f"whole server peak {sampler.peak_server} (max_connections {max_connections})")
        print(f"5xx answers: {errors_500}")
        print(f"idle {idle['seconds']:.0f} s: {idle['bench_sessions_per_min']:.0f} connections opened per minute "
              f"to the bench databases (anyone's: run nothing else on bench-NNNN meanwhile); relay connections "
              f"opened {idle['relay_connections_seen_per_min']:.0f}/min (seen by sampling, a lower bound); "
              f"relay CPU {idle['relay_cpu_share'] * 100:.1f}% of a core")
        print(f"goals: p99 POST {ratios['post']:.2f}x / GET {ratios['get']:.2f}x <= 2x: "
              f"{verdict(max(ratios.values()) <= 2)}; no 5xx: {verdict(errors_500 == 0)}; "
              f"connections within budget: {verdict(sampler.peak <= budget)}"
              + ("" if budget <= max_connections else
                 f" (but the budget itself exceeds max_connections {max_connections})"))
        write_json(args.json, figures)
    finally:
        if sampler is not None:
            sampler.stop_flag.set()
        suite.stop()
        delete_topics(settings, run)


if __name__ == "__main__":
    main()
