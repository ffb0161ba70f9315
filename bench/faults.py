"""Fault tests against the real processes: R1 kills, R2 Kafka down, R3 PostgreSQL down, R4 poison events.

    .venv/bin/python bench/faults.py                      # all four, 10,000 writes each
    .venv/bin/python bench/faults.py --r1 --writes 2000   # only the kills

Each scenario runs the registry API (gunicorn), the registry relay, the
reporting consumer and the reporting API as real processes on loopback, writes
stakeholders over HTTP from concurrent keep-alive clients, and reconciles every
201 (and its stakeholder id) with reporting's read model: nothing lost, nothing
counted twice. R1 and R4 use the shared local stack (random tenants, topics and
reporting database); R2 and R3 stop a server, so they run on a private Kafka
(R2) or a private PostgreSQL (R3) of their own (bench/faults_stack.py).
Prints a table per scenario; exits 1 if any expectation failed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench.` and `shared.` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults_outages import kafka_scenario, postgres_scenario  # noqa: E402
from bench.faults_poison import poison_scenario  # noqa: E402
from bench.faults_suite import PROCESSES, Suite  # noqa: E402
from bench.faults_writes import (Outcome, Writes, common_expectations, max_elapsed,  # noqa: E402
                                 reconcile, status_figures)
from shared.config import Settings  # noqa: E402

__all__ = ["kill_scenario", "kafka_scenario", "postgres_scenario", "poison_scenario", "main"]


# -- R1: SIGKILL of one process during the writes, then restart ------------------------------
def kill_scenario(target: str, *, settings: Settings, folder: Path, writes: int, clients: int,
                  drain_timeout: float = 180) -> Outcome:
    """SIGKILL `target` a third of the way through the writes, restart it, reconcile."""
    outcome = Outcome(f"R1 SIGKILL {target}")
    suite = Suite(folder / f"r1-{target}", database_url=settings.database_url,
                  kafka_bootstrap=settings.kafka_bootstrap)
    try:
        suite.provision()
        suite.start(*PROCESSES)
        w = Writes(suite, writes, clients).start()
        w.wait_answered(writes // 3)
        suite.kill(target)
        killed = time.monotonic()
        suite.start(target)
        restarted = time.monotonic()
        attempts = w.join()
        rec = reconcile(suite, attempts, since=max(restarted, time.monotonic()), timeout=drain_timeout)
        status_figures(outcome, rec)
        outcome.figures["down for (s)"] = round(restarted - killed, 2)
        outcome.figures["writes before the kill / after the restart"] = (
            f"{sum(1 for a in attempts if a.started and a.started + a.elapsed < killed)} / "
            f"{sum(1 for a in attempts if a.started >= restarted)}")
        outcome.figures["max response time (s)"] = max_elapsed(attempts, 0, float("inf"))
        outcome.figures["events published twice (deduplicated)"] = suite.published_twice()
        common_expectations(outcome, rec)
        for name in PROCESSES:
            outcome.expect(suite.alive(name), f"{name} died:\n{suite.log_tail(name)}")
    finally:
        suite.stop_all()
        suite.drop_databases()
        suite.drop_topics()
    return outcome


# -- the command ---------------------------------------------------------------------------
def print_outcome(outcome: Outcome) -> None:
    width = max(len(k) for k in outcome.figures) if outcome.figures else 10
    print(f"\n## {outcome.scenario}: {'PASS' if not outcome.failures else 'FAIL'}")
    for key, value in outcome.figures.items():
        print(f"  {key:<{width}}  {value}")
    for failure in outcome.failures:
        print(f"  FAILED: {failure}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--r1", action="store_true", help="SIGKILL the API, the relay, the consumer")
    parser.add_argument("--r2", action="store_true", help="Kafka stopped during the writes")
    parser.add_argument("--r3", action="store_true", help="PostgreSQL stopped during the writes")
    parser.add_argument("--r4", action="store_true", help="poison events between good ones")
    parser.add_argument("--kill", default="registry-api,registry-relay,reporting-consumer",
                        help="R1: the processes to kill, one scenario each (comma-separated)")
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kafka-outage", type=float, default=60)
    parser.add_argument("--pg-outage", type=float, default=30)
    parser.add_argument("--request-timeout", type=float, default=10,
                        help="R3: no answer may take longer (seconds)")
    parser.add_argument("--drain-bound", type=float, default=30, help="R2: backlog drained within (seconds)")
    args = parser.parse_args(argv)
    chosen = [r for r in ("r1", "r2", "r3", "r4") if getattr(args, r)] or ["r1", "r2", "r3", "r4"]
    settings = Settings.from_env()
    folder = Path(tempfile.mkdtemp(prefix="pdz-faults-run-"))
    print(f"fault tests {', '.join(chosen)}: {args.writes} writes, {args.clients} clients; logs in {folder}",
          flush=True)
    common = {"settings": settings, "folder": folder, "writes": args.writes, "clients": args.clients}
    runs = []
    for choice in chosen:
        if choice == "r1":
            runs += [(f"R1 SIGKILL {t}", lambda t=t: kill_scenario(t, **common))
                     for t in args.kill.split(",")]
        elif choice == "r2":
            runs.append(("R2", lambda: kafka_scenario(**common, outage=args.kafka_outage,
                                                      drain_bound=args.drain_bound)))
        elif choice == "r3":
            runs.append(("R3", lambda: postgres_scenario(**common, outage=args.pg_outage,
                                                         request_timeout=args.request_timeout)))
        else:
            runs.append(("R4", lambda: poison_scenario(settings=settings, folder=folder)))
    outcomes = []
    for name, run in runs:
        try:
            outcomes.append(run())
        except Exception as exc:  # noqa: BLE001 - a scenario that cannot run is a failure, the rest still run
            outcomes.append(Outcome(name, failures=[f"the scenario could not run: {type(exc).__name__}: {exc}"]))
        print_outcome(outcomes[-1])
    failed = [o.scenario for o in outcomes if o.failures]
    print(f"\n{len(outcomes) - len(failed)} of {len(outcomes)} scenarios passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
