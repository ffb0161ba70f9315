"""P1 write path: POST /v1/<tenant>/stakeholders on the real registry API vs a bare Flask INSERT.

    .venv/bin/python bench/write_path.py --seconds 30 --warmup 10

One run, on the local stack (`make stack` first), with wrk as the load generator
(`apt-get install wrk`; installed automatically when run as root):

- a fresh tenant and reporting database (provisioned by the real `provision`,
  dropped at the end) and a fresh topic prefix;
- the real processes: pdz-registry-api (gunicorn, PDZ_WEB_WORKERS=2 x
  PDZ_WEB_THREADS=4), pdz-registry-relay and pdz-reporting-consumer, so every
  write pays auth, validation, row, history, outbox and the relay's wake-up;
- the baseline bench/baseline_app.py under gunicorn with the same settings,
  one INSERT of the same JSON into a fresh database of the same PostgreSQL;
- one request alone (sequential, keep-alive): POST, GET ?limit=5, /livez;
- then for each side a warm-up and a fixed-duration wrk run, 16 keep-alive
  connections on 2 threads; every POST carries a new valid partita IVA.

Goal (issue 6): project req/s >= 0.75x the baseline's, project p99 <= 2x the baseline's.
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

from bench.common import (KeepAlive, Suite, describe_wrk, drop_databases, fresh_run_id,  # noqa: E402
                          partita_iva, pct, print_machine, provision_catalogue, run_wrk,
                          stakeholder_body, token, verdict, web_threads, web_workers, write_catalogue,
                          write_json, ensure_wrk)
from shared.cli.run import terminate, wait_http  # noqa: E402
from shared.config import REPO_ROOT, Settings  # noqa: E402
from shared.events.topics import all_topics  # noqa: E402
from shared.kafka.clients import ensure_topics  # noqa: E402
from shared.tenants import database_url  # noqa: E402

BASELINE_TABLE = """CREATE TABLE IF NOT EXISTS items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())"""


def start_baseline(settings: Settings, folder: Path, dbname: str, port: int) -> subprocess.Popen:
    """bench/baseline_app.py under gunicorn with the settings shared/http/serve.py uses."""
    from shared.cli.provision import ensure_database
    url = database_url(settings.database_url, dbname)
    ensure_database(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(BASELINE_TABLE)
    env = dict(os.environ, BENCH_BASELINE_URL=url, PYTHONPATH=str(REPO_ROOT))
    workers, threads = web_workers(), web_threads()
    log = open(folder / "baseline.log", "ab")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-k", "gthread", "-w", workers, "--threads", threads,
         "--timeout", "30", "--graceful-timeout", "20", "-b", f"127.0.0.1:{port}", "bench.baseline_app:app"],
        env=env, cwd=str(REPO_ROOT), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    if not wait_http(f"http://127.0.0.1:{port}/livez", timeout=60):
        terminate({"baseline": process.pid})
        raise SystemExit(f"baseline app did not start:\n{(folder / 'baseline.log').read_text()[-3000:]}")
    return process


def sequential(base_url: str, samples: int, requests: list[tuple[str, str, str | None, object]]) -> dict:
    """p50/p95 of each (label, method, path, token, body-maker) sent alone on one keep-alive connection."""
    out = {}
    conn = KeepAlive(base_url)
    try:
        for label, method, path, bearer, make_body in requests:
            times = []
            for i in range(samples):
                body = make_body(i) if make_body else None
                started = time.perf_counter()
                status, raw = conn.request(method, path, bearer, body)
                times.append((time.perf_counter() - started) * 1000)
                if status >= 300:
                    raise SystemExit(f"{label}: HTTP {status}: {raw[:500]!r}")
            out[label] = {"n": samples, "p50": pct(times, 0.5), "p95": pct(times, 0.95), "max": max(times)}
    finally:
        conn.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="measured duration of each wrk run")
    parser.add_argument("--warmup", type=float, default=10, help="warm-up before each measured run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--samples", type=int, default=200, help="sequential requests of each kind")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the run's databases and logs")
    args = parser.parse_args()

    ensure_wrk()
    settings = Settings.from_env()
    machine = print_machine(settings)
    run = fresh_run_id("benchp1")
    folder = Path(tempfile.mkdtemp(prefix=f"{run}-"))
    slug = f"bench-p1-{run[-8:]}"
    reporting_db, baseline_db = f"reporting_{run}", f"{run}_baseline"
    catalogue = write_catalogue(folder / "tenants.yaml", [slug], reporting_db)
    provision_catalogue(catalogue, settings)
    os.environ["PDZ_TOPIC_PREFIX"] = run
    ensure_topics(settings.kafka_bootstrap, all_topics())

    suite = Suite(folder, catalogue, run)
    baseline = None
    figures: dict = {"machine": machine, "args": vars(args) | {"json": str(args.json)}}
    try:
        suite.start("registry-api", "registry-relay", "reporting-consumer")
        from bench.common import free_port
        baseline_port = free_port()
        baseline = start_baseline(settings, folder, baseline_db, baseline_port)
        api, base = suite.url("registry-api"), f"http://127.0.0.1:{baseline_port}"
        operator = token(slug, roles=("operator",))
        serial = [int(time.time()) % 1_000_000]

        def new_body(_i):
            serial[0] += 1
            return stakeholder_body(partita_iva(8_000_001 + serial[0] % 1_000_000, "120"))

        alone = sequential(api, args.samples, [
            ("POST /stakeholders", "POST", f"/v1/{slug}/stakeholders", operator, new_body),
            ("GET /stakeholders?limit=5", "GET", f"/v1/{slug}/stakeholders?limit=5", operator, None),
            ("GET /livez", "GET", "/livez", None, None)])
        alone["baseline POST /items"] = sequential(base, args.samples, [
            ("POST", "POST", "/items", None, new_body)])["POST"]
        figures["alone"] = alone
        print(f"one request alone (sequential, keep-alive, n={args.samples}):")
        for label, r in alone.items():
            print(f"  {label:28} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  max {r['max']:6.1f} ms")

        from bench.common import wrk_config
        loads = {}
        for side, url, path, bearer in (("baseline", base, "/items", ""),
                                        ("project", api, "/v1/{tenant}/stakeholders", operator)):
            if args.warmup > 0:
                config = wrk_config(folder, f"{side}-warmup", mode="post", path=path, tenants=[slug],
                                    bearer=bearer)
                run_wrk(url, config, seconds=args.warmup, connections=args.connections)
            config = wrk_config(folder, side, mode="post", path=path, tenants=[slug], bearer=bearer)
            loads[side] = run_wrk(url, config, seconds=args.seconds, connections=args.connections)
            print(describe_wrk(f"{side} POST, {args.connections} clients", loads[side]), flush=True)
        figures["load"] = loads
        p, b = loads["project"], loads["baseline"]
        rps_ratio = p["ok_rps"] / b["ok_rps"] if b["ok_rps"] else 0.0
        p99_ratio = p["p99"] / b["p99"] if b["p99"] else float("inf")
        figures["ratios"] = {"rps": rps_ratio, "p99": p99_ratio}
        print()
        print("| side | req/s (2xx) | p50 | p99 | non-2xx |")
        print("| --- | --- | --- | --- | --- |")
        for side in ("project", "baseline"):
            r = loads[side]
            print(f"| {side} | {r['ok_rps']:.0f} | {r['p50']:.1f} ms | {r['p99']:.1f} ms |"
                  f" {r['s4xx'] + r['s5xx'] + r['sother'] + r['socket_errors']} |")
        print(f"ratio req/s {rps_ratio:.2f}x (goal >= 0.75x: {verdict(rps_ratio >= 0.75)}); "
              f"p99 {p99_ratio:.2f}x (goal <= 2x: {verdict(p99_ratio <= 2)})")
        if p["s2xx"] != p["requests"]:
            print(f"warning: {p['requests'] - p['s2xx']} project requests were not 2xx")
        write_json(args.json, figures)
    finally:
        if baseline is not None:
            terminate({"baseline": baseline.pid})
        suite.stop()
        if not args.keep:
            drop_databases(settings, [suite_db for suite_db in (
                f"registry__{slug.replace('-', '_')}", f"consultation__{slug.replace('-', '_')}",
                f"budget__{slug.replace('-', '_')}", reporting_db, baseline_db)])
            from bench.common import delete_topics
            delete_topics(settings, run)
        print(f"logs: {folder / 'logs'}")


if __name__ == "__main__":
    main()
