"""All four platform figures in one go (P1 -> P2 at half of P1's maximum -> P3 -> P4), then the table rows.

    .venv/bin/python bench/all.py                 # full parameters, about 15 minutes
    .venv/bin/python bench/all.py --quick         # seconds each: checks the harness, not the platform

Each figure runs as its own command (bench/write_path.py, latency.py, ingest.py,
scale.py) with --json into --out; P2 takes P1's sustained maximum from this
run (--rate). At the end the rows of docs/benchmarks.md's tables are printed,
dated, ready to paste.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = {
    "p1": ["--seconds", "30", "--warmup", "10", "--samples", "200"],
    "p2": ["--samples", "300"],
    "p3": ["--events", "100000", "--tenants", "4", "--duplicates", "1000"],
    "p4": ["--tenants", "600", "--seconds", "30", "--warmup", "5", "--idle-seconds", "60"],
}
QUICK = {
    "p1": ["--seconds", "3", "--warmup", "1", "--samples", "10"],
    "p2": ["--samples", "20", "--warmup", "5"],
    "p3": ["--events", "3000", "--tenants", "3", "--duplicates", "100"],
    "p4": ["--tenants", "20", "--seconds", "3", "--warmup", "1", "--idle-seconds", "10",
           "--settle-seconds", "2"],
}
SCRIPTS = {"p1": "write_path.py", "p2": "latency.py", "p3": "ingest.py", "p4": "scale.py"}


def run(name: str, args: list[str], out: Path) -> dict:
    target = out / f"{name}.json"
    cmd = [sys.executable, str(HERE / SCRIPTS[name]), *args, "--json", str(target)]
    print(f"\n$ {' '.join(cmd[1:])}", flush=True)
    if subprocess.run(cmd).returncode != 0 or not target.exists():
        raise SystemExit(f"{name} failed")
    return json.loads(target.read_text())


def rows(f: dict) -> None:
    """The rows of docs/benchmarks.md's tables."""
    day = time.strftime("%Y-%m-%d", time.gmtime())
    if "p1" in f:
        p, b, r = f["p1"]["load"]["project"], f["p1"]["load"]["baseline"], f["p1"]["ratios"]
        print("\nP1")
        print(f"| {day} | project | {p['ok_rps']:.0f} | {p['p50']:.1f} ms | {p['p99']:.1f} ms |"
              f" {r['rps']:.2f}x | {r['p99']:.2f}x |")
        print(f"| | baseline | {b['ok_rps']:.0f} | {b['p50']:.1f} ms | {b['p99']:.1f} ms | | |")
        for label, a in f["p1"]["alone"].items():
            print(f"| `{label}` | {a['p50']:.1f} ms | {a['p95']:.1f} ms |")
    if "p2" in f:
        print("\nP2")
        rate = f["p2"].get("background", {}).get("achieved_rate", 0)
        for phase, label in (("idle", f"| {day} | idle"), ("loaded", f"| | half of P1 max ({rate:.0f} req/s)")):
            p, r = f["p2"][phase]["project"], f["p2"][phase]["raw"]
            print(f"{label} | {p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f} ms |"
                  f" {r['p50']:.1f} / {r['p95']:.1f} / {r['p99']:.1f} ms | {p['p50'] / r['p50']:.1f}x |")
    if "p3" in f:
        p, r = f["p3"]["project"], f["p3"]["raw"]
        print("\nP3")
        print(f"| {day} | pdz-reporting-consumer | {p['rate']:.0f} | {p['wall_s']:.1f} s |"
              f" {f['p3']['ratio']:.2f}x | {'yes' if f['p3']['totals_exact'] else 'NO'} |")
        print(f"| | raw kafka-python + `json.loads` | {r['rate']:.0f} | {r['wall_s']:.1f} s | | |")
    if "p4" in f:
        g = f["p4"]
        load, c, idle, prov = g["load"], g["connections"], g["idle"], g["provision"]
        print("\nP4")
        for op, label in (("post", f"| {day} | POST"), ("get", "| | GET")):
            one, spread = load[f"{op}-one"], load[f"{op}-all"]
            print(f"{label} req/s / p99 | {one['ok_rps']:.0f} / {one['p99']:.0f} ms |"
                  f" {spread['ok_rps']:.0f} / {spread['p99']:.0f} ms |"
                  f" {spread['ok_rps'] / one['ok_rps']:.2f}x / {g['ratios'][op]:.2f}x |")
        errors = sum(r["s5xx"] for r in load.values())
        print(f"| {day} | {prov['seconds']:.0f} s ({prov['databases_created']} created) |"
              f" {c['peak']} ({c['budget']}, {c['max_connections']}) | {errors} |"
              f" {idle['bench_sessions_per_min']:.0f} ({idle['relay_connections_seen_per_min']:.0f}) |"
              f" {idle['relay_cpu_share'] * 100:.1f}% |")
    machine = next((v["machine"] for v in f.values() if "machine" in v), None)
    if machine:
        print(f"\nmachine: {machine}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", choices=list(SCRIPTS), default=list(SCRIPTS))
    parser.add_argument("--out", type=Path, default=HERE.parent / ".pdz" / "bench" / "results")
    parser.add_argument("--rows", action="store_true", help="only print the rows of the JSON files in --out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    figures = {}
    if not args.rows:
        params = QUICK if args.quick else FULL
        for name in args.only:
            extra = list(params[name])
            if name == "p2" and "p1" in figures:
                extra += ["--rate", f"{figures['p1']['load']['project']['ok_rps']:.0f}"]
            figures[name] = run(name, extra, args.out)
    else:
        for name in SCRIPTS:
            if (args.out / f"{name}.json").exists():
                figures[name] = json.loads((args.out / f"{name}.json").read_text())
    rows(figures)


if __name__ == "__main__":
    main()
