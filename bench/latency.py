"""P2 event latency: registry commit -> visible in reporting, vs raw Kafka produce -> consume.

    .venv/bin/python bench/latency.py --samples 300 --p1-seconds 20
    .venv/bin/python bench/latency.py --samples 300 --rate 120     # half of a P1 maximum measured before

On the local stack, with the real processes (registry API, registry relay,
reporting consumer, reporting API) on a fresh topic prefix and fresh tenants:

- project: POST /v1/<a>/stakeholders, then GET /v1/<a>/statistics/stakeholders on
  reporting back to back until the total moved; latency = 201 received ->
  first answer showing it (an upper bound: it includes one statistics GET);
- baseline: kafka-python producer (acks=all) -> a consumer in another process on
  the same broker, one record at a time, time of send() -> time received;
- both idle, then both again while a background load POSTs to tenant <b> at half
  of P1's sustained maximum: measured first with wrk (16 clients, --p1-seconds)
  unless --rate gives that maximum; the background generator is an open-loop,
  paced Python process whose CPU use is printed.

Goals (issue 6): idle project p50 <= 2x raw p50; project p99 <= 250 ms under the half load.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (KeepAlive, Suite, cpu_seconds, delete_topics, describe_wrk,  # noqa: E402
                          drop_databases, ensure_wrk, fresh_run_id, partita_iva, pct, print_machine,
                          provision_catalogue, run_wrk, stakeholder_body, token, verdict, write_catalogue,
                          write_json, wrk_config)
from shared.config import Settings  # noqa: E402
from shared.events.topics import TopicSpec, all_topics  # noqa: E402
from shared.kafka.clients import ensure_topics  # noqa: E402


# --- raw Kafka baseline -----------------------------------------------------

def _raw_consumer(bootstrap: str, topic: str, pipe, ready) -> None:
    """Child process: read `topic` from its end and send (value, monotonic time) per record."""
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    consumer.seek_to_end(partition)
    consumer.position(partition)
    ready.set()
    while True:
        for batch in consumer.poll(timeout_ms=100).values():
            for record in batch:
                now = time.monotonic()
                if record.value == b"stop":
                    consumer.close()
                    return
                pipe.send((record.value, now))


class RawKafka:
    """kafka-python produce (acks=all) -> consume in another process, one record at a time."""

    def __init__(self, bootstrap: str, topic: str):
        from kafka import KafkaProducer
        ensure_topics(bootstrap, [TopicSpec(topic, 1, 3_600_000)])
        self.topic = topic
        self.receive, child_end = multiprocessing.Pipe(duplex=False)
        ready = multiprocessing.Event()
        self.child = multiprocessing.Process(target=_raw_consumer, args=(bootstrap, topic, child_end, ready),
                                             daemon=True)
        self.child.start()
        if not ready.wait(60):
            raise SystemExit("raw consumer did not start")
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self.seq = 0

    def sample(self) -> float:
        self.seq += 1
        value = str(self.seq).encode()
        started = time.monotonic()
        self.producer.send(self.topic, value=value)
        while True:
            if not self.receive.poll(10):
                raise SystemExit("raw Kafka: a record was not received within 10 s")
            got, at = self.receive.recv()
            if got == value:
                return (at - started) * 1000

    def close(self) -> None:
        self.producer.send(self.topic, value=b"stop")
        self.producer.flush()
        self.producer.close()
        self.child.join(10)


# --- project ----------------------------------------------------------------

class Visibility:
    """POST a stakeholder, then poll reporting's statistics until its total moved."""

    def __init__(self, registry: str, reporting: str, slug: str):
        self.slug = slug
        self.bearer = token(slug, roles=("operator",))
        self.writer, self.reader = KeepAlive(registry), KeepAlive(reporting)
        self.serial = 0
        self.poll_ms: list[float] = []
        self.total = self.read_total()

    def read_total(self) -> int:
        started = time.perf_counter()
        status, raw = self.reader.request("GET", f"/v1/{self.slug}/statistics/stakeholders", self.bearer)
        self.poll_ms.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"reporting statistics: HTTP {status}: {raw[:300]!r}")
        return json.loads(raw)["total"]

    def sample(self) -> float:
        self.serial += 1
        body = stakeholder_body(partita_iva(9_000_000 + self.serial, "120"))
        status, raw = self.writer.request("POST", f"/v1/{self.slug}/stakeholders", self.bearer, body)
        committed = time.perf_counter()
        if status != 201:
            raise SystemExit(f"POST: HTTP {status}: {raw[:300]!r}")
        deadline = committed + 10
        while True:
            total = self.read_total()
            now = time.perf_counter()
            if total > self.total:
                self.total = total
                return (now - committed) * 1000
            if now > deadline:
                raise SystemExit("a stakeholder did not reach reporting within 10 s")

    def close(self) -> None:
        self.writer.close()
        self.reader.close()


# --- background load ----------------------------------------------------------

def _paced_writer(url: str, slug: str, bearer: str, rate: float, threads: int, stop, results) -> None:
    """Child process: POST at `rate` per second over `threads` keep-alive connections, open loop."""
    counts = {"sent": 0, "2xx": 0, "other": 0}
    lock = threading.Lock()
    office_serial = [0]

    def worker(index: int) -> None:
        conn = KeepAlive(url)
        interval = threads / rate
        next_at = time.monotonic() + index * interval / threads
        while not stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at += interval
            with lock:
                office_serial[0] += 1
                serial = office_serial[0]
            body = stakeholder_body(partita_iva(1 + index * 1_000_000 + serial, "121"))
            try:
                status, _raw = conn.request("POST", f"/v1/{slug}/stakeholders", bearer, body)
            except OSError:
                status = 0
                conn.close()
                conn = KeepAlive(url)
            with lock:
                counts["sent"] += 1
                counts["2xx" if 200 <= status < 300 else "other"] += 1
        conn.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    counts["seconds"] = time.monotonic() - started
    results.put(counts)


class BackgroundLoad:
    def __init__(self, url: str, slug: str, rate: float, threads: int = 8):
        self.stop_flag = multiprocessing.Event()
        self.results = multiprocessing.Queue()
        self.process = multiprocessing.Process(
            target=_paced_writer,
            args=(url, slug, token(slug, roles=("operator",)), rate, threads, self.stop_flag, self.results),
            daemon=True)
        self.rate = rate

    def start(self) -> None:
        self.process.start()
        self.cpu0 = cpu_seconds(self.process.pid)

    def stop(self) -> dict:
        cpu = cpu_seconds(self.process.pid) - self.cpu0
        self.stop_flag.set()
        counts = self.results.get(timeout=60)
        self.process.join(10)
        counts["achieved_rate"] = counts["sent"] / counts["seconds"]
        counts["cpu_share"] = cpu / counts["seconds"]
        return counts


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": pct(values, 0.5), "p95": pct(values, 0.95), "p99": pct(values, 0.99),
            "max": max(values)}


def line(label: str, s: dict) -> str:
    return (f"  {label:34} n={s['n']:4d}  p50 {s['p50']:6.1f} ms  p95 {s['p95']:6.1f} ms"
            f"  p99 {s['p99']:6.1f} ms  max {s['max']:6.1f} ms")


def measure(probe, samples: int, warmup: int) -> dict:
    for _ in range(warmup):
        probe.sample()
    return summary([probe.sample() for _ in range(samples)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=300, help="sequential samples per measurement")
    parser.add_argument("--warmup", type=int, default=20, help="samples discarded before each measurement")
    parser.add_argument("--rate", type=float, help="P1's sustained maximum (req/s); measured here if absent")
    parser.add_argument("--p1-seconds", type=float, default=20, help="duration of the P1 measurement")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the run's databases")
    args = parser.parse_args()

    settings = Settings.from_env()
    machine = print_machine(settings)
    run = fresh_run_id("benchp2")
    folder = Path(tempfile.mkdtemp(prefix=f"{run}-"))
    measured, loaded = f"bench-p2a-{run[-8:]}", f"bench-p2b-{run[-8:]}"
    reporting_db = f"reporting_{run}"
    catalogue = write_catalogue(folder / "tenants.yaml", [measured, loaded], reporting_db)
    provision_catalogue(catalogue, settings)
    os.environ["PDZ_TOPIC_PREFIX"] = run
    ensure_topics(settings.kafka_bootstrap, all_topics())
    figures: dict = {"machine": machine}
    suite = Suite(folder, catalogue, run)
    raw = probe = None
    try:
        suite.start("registry-api", "registry-relay", "reporting-consumer", "reporting-api")
        raw = RawKafka(settings.kafka_bootstrap, f"{run}.rawlatency")
        probe = Visibility(suite.url("registry-api"), suite.url("reporting-api"), measured)
        figures["idle"] = {"raw": measure(raw, args.samples, args.warmup),
                           "project": measure(probe, args.samples, args.warmup)}
        print("idle:")
        print(line("raw Kafka produce -> consume", figures["idle"]["raw"]))
        print(line("commit -> visible in reporting", figures["idle"]["project"]), flush=True)

        rate = args.rate
        if rate is None:
            ensure_wrk()
            config = wrk_config(folder, "p1-warmup", mode="post", path="/v1/{tenant}/stakeholders",
                                tenants=[loaded], bearer=token(loaded, roles=("operator",)))
            run_wrk(suite.url("registry-api"), config, seconds=5)
            config = wrk_config(folder, "p1", mode="post", path="/v1/{tenant}/stakeholders",
                                tenants=[loaded], bearer=token(loaded, roles=("operator",)))
            p1 = run_wrk(suite.url("registry-api"), config, seconds=args.p1_seconds)
            print(describe_wrk("P1 sustained maximum (16 clients)", p1))
            rate = p1["ok_rps"]
            figures["p1"] = p1
        half = rate / 2
        load = BackgroundLoad(suite.url("registry-api"), loaded, half)
        load.start()
        time.sleep(3)  # let the load settle: this is a warm-up, not a synchronisation
        figures["loaded"] = {"project": measure(probe, args.samples, 0),
                             "raw": measure(raw, args.samples, 0)}
        background = load.stop()
        figures["background"] = background
        print(f"under a background load of {half:.0f} POST/s (half of {rate:.0f}): achieved "
              f"{background['achieved_rate']:.0f}/s, {background['other']} non-2xx, "
              f"generator {background['cpu_share'] * 100:.0f}% of a core")
        print(line("raw Kafka produce -> consume", figures["loaded"]["raw"]))
        print(line("commit -> visible in reporting", figures["loaded"]["project"]))
        print(f"reporting poll round trip: p50 {pct(probe.poll_ms, 0.5):.1f} ms (resolution of the project figure)")
        idle_ratio = figures["idle"]["project"]["p50"] / figures["idle"]["raw"]["p50"]
        loaded_p99 = figures["loaded"]["project"]["p99"]
        print()
        print("| measure | project | raw Kafka | ratio |")
        print("| --- | --- | --- | --- |")
        for phase in ("idle", "loaded"):
            p, r = figures[phase]["project"], figures[phase]["raw"]
            print(f"| {phase} p50 | {p['p50']:.1f} ms | {r['p50']:.1f} ms | {p['p50'] / r['p50']:.1f}x |")
            print(f"| {phase} p95 | {p['p95']:.1f} ms | {r['p95']:.1f} ms | |")
            print(f"| {phase} p99 | {p['p99']:.1f} ms | {r['p99']:.1f} ms | |")
        print(f"idle p50 {idle_ratio:.1f}x raw (goal <= 2x: {verdict(idle_ratio <= 2)}); "
              f"p99 under half load {loaded_p99:.0f} ms (goal <= 250 ms: {verdict(loaded_p99 <= 250)})")
        write_json(args.json, figures)
    finally:
        if probe is not None:
            probe.close()
        if raw is not None:
            raw.close()
        suite.stop()
        if not args.keep:
            drop_databases(settings, [f"{s}__{t.replace('-', '_')}" for t in (measured, loaded)
                                      for s in ("registry", "consultation", "budget")] + [reporting_db])
            delete_topics(settings, run)


if __name__ == "__main__":
    main()
