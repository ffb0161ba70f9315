"""P3 ingest: the real reporting consumer on a backlog of stakeholder events vs raw kafka-python.

    .venv/bin/python bench/ingest.py --events 100000 --tenants 4 --duplicates 1000

On the local stack, with a fresh topic prefix, fresh tenants and a fresh
reporting database:

1. produces a backlog of `--events` it.pdz.registry.stakeholder.registered.v1
   records in CloudEvents binary mode (shared.events.envelope.to_kafka; data
   from the catalogue's example, checked against events/<type>/schema.json),
   spread over `--tenants` Ambiti; `--duplicates` of them are the same event
   sent again (same ce_id), which the consumer's dedupe must drop;
2. baseline: a raw kafka-python consumer (own group, default settings) reads
   the same records and parses each value as JSON;
3. project: spawns pdz-reporting-consumer (PDZ_TOPIC_PREFIX of the run) and
   watches its consumer group's committed offsets reach the end of the topic;
4. checks with pdz-reporting-api that each Ambito's stakeholder total is its
   number of distinct events (nothing lost, duplicates counted once).

Rates are measured from the first records processed to the last (startup and
group join excluded on both sides); the wall time from start is printed too.
Goal (issue 6): project events/s >= 0.5x the raw consumer's.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (Suite, call, cpu_seconds, delete_topics, drop_databases,  # noqa: E402
                          fresh_run_id, print_machine, provision_catalogue, token, verdict,
                          write_catalogue, write_json)
from shared.config import REPO_ROOT, Settings  # noqa: E402
from shared.events.envelope import new_event, to_kafka  # noqa: E402
from shared.events.topics import all_topics, service_topic  # noqa: E402
from shared.kafka.clients import ensure_topics  # noqa: E402

TYPE = "it.pdz.registry.stakeholder.registered.v1"


def event_data(example: dict, number: int) -> dict:
    data = copy.deepcopy(example)
    data.update(stakeholder_id=str(uuid.uuid4()), name=f"Organizzazione bench {number}",
                version=1, registered_at=datetime.now(timezone.utc).isoformat())
    return data


def produce_backlog(bootstrap: str, slugs: list[str], events: int, duplicates: int) -> dict[str, int]:
    """Produce the backlog; returns each tenant's number of distinct events."""
    import jsonschema
    from kafka import KafkaProducer
    folder = REPO_ROOT / "events" / TYPE
    example = json.loads((folder / "example.json").read_text())
    validator = jsonschema.Draft202012Validator(json.loads((folder / "schema.json").read_text()),
                                                format_checker=jsonschema.FormatChecker())
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=262_144)
    topic = service_topic("registry")
    distinct: dict[str, int] = {s: 0 for s in slugs}
    sent = []
    started = time.perf_counter()
    for number in range(events):
        if number >= events - duplicates:
            event = random.choice(sent)  # the same CloudEvent again: same ce_id
        else:
            slug = slugs[number % len(slugs)]
            data = event_data(example, number)
            if number < 10:
                validator.validate(data)
            event = new_event(type=TYPE, service="registry", tenant=slug, aggregate_id=data["stakeholder_id"],
                              data=data)
            distinct[slug] += 1
            if len(sent) < 10_000:
                sent.append(event)
        key, value, headers = to_kafka(event)
        producer.send(topic, key=key, value=value, headers=headers)
    producer.flush()
    producer.close()
    print(f"produced {events} events ({duplicates} of them duplicates) over {len(slugs)} Ambiti "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return distinct


def end_offsets(bootstrap: str, topic: str) -> dict:
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return consumer.end_offsets(parts)
    finally:
        consumer.close()


def raw_consume(bootstrap: str, topic: str, total: int, group: str) -> dict:
    """kafka-python with its defaults: subscribe, poll, json.loads every value."""
    from kafka import KafkaConsumer
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest")
    started = time.perf_counter()
    seen = first_batch = 0
    first_at = last_at = None
    parsed = 0
    while seen < total:
        batches = consumer.poll(timeout_ms=1000)
        for records in batches.values():
            for record in records:
                parsed += len(json.loads(record.value))
            seen += len(records)
        if batches and first_at is None:
            first_at, first_batch = time.perf_counter(), seen
        if time.perf_counter() - started > 1800:
            raise SystemExit(f"raw consumer: only {seen} of {total} records in 30 min")
    last_at = time.perf_counter()
    consumer.close()
    return {"records": seen, "wall_s": last_at - started, "steady_s": last_at - first_at,
            "rate": (seen - first_batch) / (last_at - first_at) if last_at > first_at else float("nan")}


def watch_group(bootstrap: str, group: str, ends: dict, pid: int, started: float, timeout: float) -> dict:
    """Poll the group's committed offsets until they reach `ends`; rate from first commit to the end."""
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="pdz-bench-watch")
    target = sum(ends.values())
    first = None
    cpu0 = cpu_seconds(pid)
    try:
        while True:
            offsets = admin.list_consumer_group_offsets(group)
            done = sum(max(0, meta.offset) for tp, meta in offsets.items() if tp in ends)
            now = time.perf_counter()
            if done and first is None:
                first = (now, done)
            if done >= target:
                break
            if now - started > timeout:
                raise SystemExit(f"consumer: {done} of {target} committed after {timeout:.0f} s")
            time.sleep(0.25)  # a sampling period, not a synchronisation: the loop waits for the condition
        cpu = cpu_seconds(pid) - cpu0
    finally:
        admin.close()
    first_at, first_done = first
    return {"records": target, "wall_s": now - started, "steady_s": now - first_at,
            "rate": (target - first_done) / (now - first_at) if now > first_at else float("nan"),
            "cpu_s": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=4)
    parser.add_argument("--duplicates", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds the consumer may take")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the run's databases")
    args = parser.parse_args()

    settings = Settings.from_env()
    machine = print_machine(settings)
    run = fresh_run_id("benchp3")
    folder = Path(tempfile.mkdtemp(prefix=f"{run}-"))
    slugs = [f"bench-p3{chr(97 + i)}-{run[-8:]}" for i in range(args.tenants)]
    reporting_db = f"reporting_{run}"
    catalogue = write_catalogue(folder / "tenants.yaml", slugs, reporting_db)
    provision_catalogue(catalogue, settings)
    os.environ["PDZ_TOPIC_PREFIX"] = run
    ensure_topics(settings.kafka_bootstrap, all_topics())
    topic = service_topic("registry")
    suite = Suite(folder, catalogue, run)
    figures: dict = {"machine": machine, "args": {k: str(v) for k, v in vars(args).items()}}
    try:
        distinct = produce_backlog(settings.kafka_bootstrap, slugs, args.events, args.duplicates)
        ends = end_offsets(settings.kafka_bootstrap, topic)
        assert sum(ends.values()) == args.events, ends

        raw = raw_consume(settings.kafka_bootstrap, topic, args.events, f"{run}.raw")
        print(f"raw kafka-python consume + json.loads: {raw['rate']:.0f} events/s "
              f"(all {raw['records']} in {raw['wall_s']:.1f} s from subscribe)", flush=True)

        from services.reporting import consumer_group  # the group name is part of the contract
        started = time.perf_counter()
        suite.start("reporting-consumer")
        project = watch_group(settings.kafka_bootstrap, consumer_group(), ends,
                              suite.processes["reporting-consumer"].pid, started, args.timeout)
        print(f"pdz-reporting-consumer: {project['rate']:.0f} events/s (all {project['records']} committed "
              f"in {project['wall_s']:.1f} s from spawn; {project['cpu_s']:.1f} s of CPU while ingesting)", flush=True)

        suite.start("reporting-api")
        reader = token(*slugs, roles=("auditor",))
        totals = {}
        for slug in slugs:
            status, body = call("GET", f"{suite.url('reporting-api')}/v1/{slug}/statistics/stakeholders", reader)
            totals[slug] = body.get("total") if status == 200 else f"HTTP {status}"
        exact = totals == distinct
        print(f"reporting totals {'match' if exact else 'DO NOT match'} the distinct events per Ambito"
              f" ({sum(distinct.values())} distinct, {args.duplicates} duplicates dropped)"
              + ("" if exact else f": expected {distinct}, got {totals}"))
        r = project["rate"] / raw["rate"]
        figures.update(raw=raw, project=project, ratio=r, totals_exact=exact)
        print()
        print("| consumer | events/s | all consumed in (from start) |")
        print("| --- | --- | --- |")
        print(f"| pdz-reporting-consumer | {project['rate']:.0f} | {project['wall_s']:.1f} s |")
        print(f"| raw kafka-python + json.loads | {raw['rate']:.0f} | {raw['wall_s']:.1f} s |")
        print(f"ratio {r:.2f}x (goal >= 0.5x: {verdict(r >= 0.5)}); dedupe and totals: {verdict(exact)}")
        write_json(args.json, figures)
    finally:
        suite.stop()
        if not args.keep:
            drop_databases(settings, [f"{s}__{t.replace('-', '_')}" for t in slugs
                                      for s in ("registry", "consultation", "budget")] + [reporting_db])
            delete_topics(settings, run)


if __name__ == "__main__":
    main()
