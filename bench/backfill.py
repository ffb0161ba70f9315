"""Backfill of 10,000 organisations: re-publication, relay, consumer, until the replica has them all.

Run against the local stack (`make stack` first):

    .venv/bin/python bench/backfill.py --records 10000

A fresh tenant (its databases dropped at the end unless --keep) gets `--records`
organisations inserted straight with SQL into its registry database, with no
outbox row: as if they had been registered years ago and their events had left
Kafka's retention. The real processes run on the run's own topics
(PDZ_TOPIC_PREFIX): `pdz-registry-relay` and `pdz-consultation-consumer` (its
replica of the tenant's own register is the replica a backfill builds). Then,
timed from one clock:

1. written: `pdz republish --service registry --tenant T --data registry.stakeholders`
   (a subprocess, as an officer runs it) returns: every snapshot is in the outbox;
2. published: the registry outbox has no pending row left (the relay, woken
   after each page, publishes while the command still writes);
3. replicated: the consultation database holds all the organisations.

At the end the replica is compared with the register (id, name, type, areas,
status, version of every row).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench.common import (Suite, delete_topics, drop_databases, fresh_run_id, print_machine,  # noqa: E402
                          provision_catalogue, write_catalogue, write_json)
from shared.config import Settings  # noqa: E402
from shared.events.topics import all_topics  # noqa: E402
from shared.kafka.clients import ensure_topics  # noqa: E402
from shared.tenants import load_catalogue  # noqa: E402

TYPES = ("ets", "social_cooperative", "comune", "trade_union", "school")
COLUMNS = "name, type, areas, status, version"


def insert_register(url: str, records: int) -> float:
    """`records` organisations in one statement (tax codes unique, not real ones); seconds taken."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO stakeholders (id, name, type, tax_code, runts_section, seat_istat, areas, status, version,"
            " created_at, updated_at)"
            " SELECT gen_random_uuid(), 'Organizzazione ' || n, (%s::text[])[1 + n %% 5],"
            " 'BENCH' || lpad(n::text, 11, '0'),"
            " NULL, '076042', ARRAY[(1 + n %% 7)::text], CASE WHEN n %% 50 = 0 THEN 'withdrawn' ELSE 'active' END,"
            " 1 + n %% 3, now() - interval '6 years', now() - interval '5 years'"
            " FROM generate_series(1, %s) AS n", (list(TYPES), records))
    return time.perf_counter() - started


def count(url: str, query: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchone()[0]


def wait_for(condition, *, timeout: float, what: str) -> float:
    """Poll `condition` every 0.1 s; the monotonic time it first held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500, help="records per outbox transaction")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the run's databases and topics")
    args = parser.parse_args()

    settings = Settings.from_env()
    machine = print_machine(settings)
    run = fresh_run_id("benchbf")
    folder = Path(tempfile.mkdtemp(prefix=f"{run}-"))
    slug = f"bench-bf-{run[-8:]}"
    reporting_db = f"reporting_{run}"
    catalogue_path = write_catalogue(folder / "tenants.yaml", [slug], reporting_db)
    provision_catalogue(catalogue_path, settings)
    catalogue = load_catalogue(catalogue_path, settings.database_url)
    tenant = catalogue.get(slug)
    registry, replica = catalogue.url_for(tenant, "registry"), catalogue.url_for(tenant, "consultation")
    os.environ["PDZ_TOPIC_PREFIX"] = run
    ensure_topics(settings.kafka_bootstrap, all_topics())
    suite = Suite(folder, catalogue_path, run)
    figures: dict = {"machine": machine, "args": {k: str(v) for k, v in vars(args).items()}}
    try:
        inserted = insert_register(registry, args.records)
        print(f"{args.records} organisations inserted with SQL in {inserted:.1f} s (no outbox row: "
              "their events are long gone)", flush=True)
        suite.start("registry-relay", "consultation-consumer")

        started = time.monotonic()
        command = [sys.executable, "-m", "shared.cli.main", "republish", "--service", "registry", "--tenant", slug,
                   "--data", "registry.stakeholders", "--batch-size", str(args.batch_size)]
        result = subprocess.run(command, env=suite.env("republish"), capture_output=True, text=True)
        written = time.monotonic()
        if result.returncode != 0:
            raise SystemExit(f"pdz republish failed:\n{result.stdout}{result.stderr}")
        print(result.stdout.strip(), flush=True)
        published = wait_for(lambda: count(registry, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0,
                             timeout=args.timeout, what="the relay")
        replicated = wait_for(lambda: count(replica, "SELECT count(*) FROM organisations") >= args.records,
                              timeout=args.timeout, what="the consumer")
        with psycopg.connect(registry) as conn:
            owner = conn.execute(f"SELECT id, {COLUMNS} FROM stakeholders ORDER BY id").fetchall()
        with psycopg.connect(replica) as conn:
            copy = conn.execute(f"SELECT organisation_id, {COLUMNS} FROM organisations WHERE origin = %s"
                                " ORDER BY organisation_id", (slug,)).fetchall()
        equal = owner == copy
        stages = {"written_s": written - started, "published_s": published - started,
                  "replicated_s": replicated - started}
        figures.update(stages, records=args.records, replica_equals_owner=equal)
        print()
        print(f"| {args.records:,} organisations | seconds from the command's start | records/s |")
        print("| --- | --- | --- |")
        for label, key in (("written to the outbox (pdz republish returned)", "written_s"),
                           ("published by pdz-registry-relay (outbox empty)", "published_s"),
                           ("in the replica (pdz-consultation-consumer)", "replicated_s")):
            print(f"| {label} | {stages[key]:.1f} | {args.records / stages[key]:,.0f} |")
        print(f"replica equals the register field by field: {'yes' if equal else 'NO'}", flush=True)
        write_json(args.json, figures)
        if not equal:
            raise SystemExit(1)
    finally:
        suite.stop()
        if not args.keep:
            drop_databases(settings, [tenant.database_name(s) for s in ("registry", "consultation", "budget")]
                           + [reporting_db])
            delete_topics(settings, run)


if __name__ == "__main__":
    main()
