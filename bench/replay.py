"""R1 replay: `pdz reporting replay` on a backlog of registry and budget events vs raw kafka-python.

    .venv/bin/python bench/replay.py --events 1000000 --tenants 4

On the local stack, with a fresh topic prefix, fresh Ambiti and a fresh reporting database:

1. produces `--events` records over pdz.registry.v1 and pdz.budget.v1, round-robin over every registry
   and budget event type of the catalogue (its example with fresh UUIDs, the first of each checked
   against events/<type>/schema.json), spread over `--tenants` Ambiti, in CloudEvents binary mode;
2. baseline: a raw kafka-python consumer (own group, default settings) subscribed to the topics
   reporting reads, json.loads-ing every value (as bench/ingest.py, P3);
3. replay: `python -m services.reporting.replay --no-swap` into a fresh database; the script watches the
   replay's own group's committed offsets reach the end offsets (bench/ingest.py watch_group); then
   `--resume` swaps it in (timed on its own);
4. checks the swapped-in model's processed_events: one row per distinct event a projector reads.

Both rates run from the first records processed to the last (start-up excluded); wall times too.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (delete_topics, drop_databases, fresh_run_id, print_machine,  # noqa: E402
                          provision_catalogue, verdict, write_catalogue, write_json)
from bench.ingest import watch_group  # noqa: E402
from shared.config import REPO_ROOT, Settings  # noqa: E402
from shared.events.envelope import new_event, to_kafka  # noqa: E402
from shared.events.topics import all_topics, service_topic  # noqa: E402
from shared.kafka.clients import ensure_topics  # noqa: E402

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EVENTS = REPO_ROOT / "events"


def _fresh(value, ids: dict):
    if isinstance(value, str) and UUID_RE.match(value):
        return ids.setdefault(value, str(uuid.uuid4()))
    if isinstance(value, dict):
        return {k: _fresh(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v, ids) for v in value]
    return value


def examples() -> list[tuple[str, dict]]:
    """(type, example data) of every registry and budget type, each checked against its schema."""
    from shared.consumer.event_catalogue import EventCatalogue
    catalogue = EventCatalogue.load()
    found = []
    for folder in sorted(EVENTS.iterdir()):
        if folder.name.startswith(("it.pdz.registry.", "it.pdz.budget.")) and (folder / "example.json").exists():
            data = json.loads((folder / "example.json").read_text())
            problem = catalogue.problem(folder.name, _fresh(data, {}))
            if problem:
                raise SystemExit(f"{folder.name}: the example with fresh ids is not valid: {problem}")
            found.append((folder.name, data))
    return found


def produce(bootstrap: str, slugs: list[str], events: int) -> dict[str, int]:
    """The backlog; returns the number of events per type."""
    from kafka import KafkaProducer
    kinds = examples()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=262_144)
    per_type: dict[str, int] = {}
    started = time.perf_counter()
    for number in range(events):
        type_, example = kinds[number % len(kinds)]
        slug = slugs[(number // len(kinds)) % len(slugs)]
        data = _fresh(copy.deepcopy(example), {})
        aggregate = next((v for v in data.values() if isinstance(v, str) and UUID_RE.match(v)), slug)
        service = type_.split(".")[2]
        key, value, headers = to_kafka(new_event(type=type_, service=service, tenant=slug,
                                                 aggregate_id=aggregate, data=data))
        producer.send(service_topic(service), key=key, value=value, headers=headers)
        per_type[type_] = per_type.get(type_, 0) + 1
        if number and number % 100_000 == 0:
            print(f"  produced {number:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    producer.flush()
    producer.close()
    print(f"produced {events:,} events of {len(kinds)} types over {len(slugs)} Ambiti "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return per_type


def end_offsets(bootstrap: str, topics: list[str]) -> dict:
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t)]
        return consumer.end_offsets(parts)
    finally:
        consumer.close()


def raw_consume(bootstrap: str, topics: list[str], total: int, group: str) -> dict:
    """kafka-python with its defaults: subscribe, poll, json.loads every value (P3's baseline, three topics)."""
    from kafka import KafkaConsumer
    consumer = KafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest")
    started = time.perf_counter()
    seen = first_batch = 0
    first_at = None
    while seen < total:
        batches = consumer.poll(timeout_ms=1000)
        for records in batches.values():
            for record in records:
                json.loads(record.value)
            seen += len(records)
        if batches and first_at is None:
            first_at, first_batch = time.perf_counter(), seen
        if time.perf_counter() - started > 3600:
            raise SystemExit(f"raw consumer: only {seen} of {total} records in 60 min")
    last_at = time.perf_counter()
    consumer.close()
    return {"records": seen, "wall_s": last_at - started, "steady_s": last_at - first_at,
            "rate": (seen - first_batch) / (last_at - first_at) if last_at > first_at else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--tenants", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=7200, help="seconds the replay may take")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the run's databases and topics")
    args = parser.parse_args()

    settings = Settings.from_env()
    machine = print_machine(settings)
    run = fresh_run_id("benchr1")
    folder = Path(tempfile.mkdtemp(prefix=f"{run}-"))
    slugs = [f"bench-r1{chr(97 + i)}-{run[-8:]}" for i in range(args.tenants)]
    reporting_db, rebuild, previous = f"reporting_{run}", f"reporting_{run}_rebuild", f"reporting_{run}_previous"
    catalogue = write_catalogue(folder / "tenants.yaml", slugs, reporting_db)
    provision_catalogue(catalogue, settings)
    os.environ["PDZ_TOPIC_PREFIX"] = run
    ensure_topics(settings.kafka_bootstrap, all_topics())
    from services.reporting.projector import PROJECTORS
    from services.reporting.replay import replay_group, replay_topics
    topics = replay_topics()
    env = {**os.environ, "PDZ_TENANTS_FILE": str(catalogue), "PDZ_TOPIC_PREFIX": run}
    figures: dict = {"machine": machine, "args": {k: str(v) for k, v in vars(args).items()}}
    try:
        per_type = produce(settings.kafka_bootstrap, slugs, args.events)
        ends = end_offsets(settings.kafka_bootstrap, topics)
        assert sum(ends.values()) == args.events, ends

        raw = raw_consume(settings.kafka_bootstrap, topics, args.events, f"{run}.raw")
        print(f"raw kafka-python consume + json.loads: {raw['rate']:.0f} events/s "
              f"(all {raw['records']:,} in {raw['wall_s']:.1f} s from subscribe)", flush=True)

        log = folder / "replay.stderr"
        started = time.perf_counter()
        with open(log, "w") as err:
            process = subprocess.Popen([sys.executable, "-m", "services.reporting.replay", "--no-swap",
                                        "--rebuild-database", rebuild], env=env, stderr=err)
            replay = watch_group(settings.kafka_bootstrap, replay_group(rebuild), ends, process.pid, started,
                                 args.timeout)
            if process.wait(timeout=600) != 0:
                raise SystemExit(f"replay failed: {log.read_text()[-2000:]}")
        replay["wall_s"] = time.perf_counter() - started
        progress = [line for line in log.read_text().splitlines() if line.startswith("replay [")]
        print(f"pdz reporting replay: {replay['rate']:.0f} events/s (all {replay['records']:,} applied in "
              f"{replay['wall_s']:.1f} s from spawn; {replay['cpu_s']:.1f} s of CPU while applying)", flush=True)
        print(f"  its own last line: {progress[-1] if progress else '(none)'}", flush=True)

        started = time.perf_counter()
        swap = subprocess.run([sys.executable, "-m", "services.reporting.replay", "--resume",
                               "--rebuild-database", rebuild, "--previous-database", previous],
                              env=env, capture_output=True, text=True, timeout=600)
        swap_s = time.perf_counter() - started
        if swap.returncode != 0:
            raise SystemExit(f"swap failed: {swap.stderr[-2000:]}")
        import psycopg
        with psycopg.connect(settings.database_url, dbname=reporting_db) as conn:
            applied = conn.execute("SELECT count(*) FROM processed_events").fetchone()[0]
        expected = sum(n for t, n in per_type.items() if t in PROJECTORS)
        exact = applied == expected
        print(f"swap (catch-up, rename, offsets) took {swap_s:.1f} s; processed_events {applied:,} "
              f"(expected {expected:,}: {verdict(exact)})", flush=True)
        ratio = replay["rate"] / raw["rate"]
        load_after = round(os.getloadavg()[0], 2)
        figures.update(raw=raw, replay=replay, ratio=ratio, swap_s=swap_s, exact=exact, load_after=load_after)
        print()
        print("| reader | events/s | all in (from start) |")
        print("| --- | --- | --- |")
        print(f"| pdz reporting replay | {replay['rate']:.0f} | {replay['wall_s']:.1f} s |")
        print(f"| raw kafka-python + json.loads | {raw['rate']:.0f} | {raw['wall_s']:.1f} s |")
        print(f"ratio {ratio:.2f}x; load {machine['load_1m']} before, {load_after} after; ledger exact: "
              f"{verdict(exact)}")
        write_json(args.json, figures)
    finally:
        if not args.keep:
            drop_databases(settings, [f"{s}__{t.replace('-', '_')}" for t in slugs
                                      for s in ("registry", "consultation", "budget")]
                           + [reporting_db, rebuild, previous])
            delete_topics(settings, run)


if __name__ == "__main__":
    main()
