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

from bench.faults_poison import poison_scenario  # noqa: E402
from bench.faults_stack import PrivateStack  # noqa: E402
from bench.faults_suite import PROCESSES, Outcome, Suite, Writes, reconcile  # noqa: E402
from shared.config import Settings  # noqa: E402

OPS = ("registry-relay", "reporting-consumer")


def _status_figures(outcome: Outcome, rec) -> None:
    outcome.figures.update({
        "writes attempted": rec.attempted, "201s": rec.created,
        "counted in reporting": rec.counted, "lost (201 not counted)": len(rec.lost),
        "duplicated": rec.duplicated,
        "answers by status": ", ".join(f"{k}: {v}" for k, v in sorted(rec.statuses.items(), key=str)),
        "5xx by status": ", ".join(f"{k}: {v}" for k, v in sorted(rec.statuses.items(), key=str)
                                   if isinstance(k, int) and k >= 500) or "none",
        "no answer: created / absent": f"{rec.unanswered_created} / {rec.unanswered_absent}",
        "refused yet created": rec.refused_but_created,
        "counted but not in registry": rec.phantom,
        "committed but not counted": rec.uncounted_committed,
        "drain time (s)": "not drained" if rec.drain_seconds is None else round(rec.drain_seconds, 2),
    })


def _common_expectations(outcome: Outcome, rec) -> None:
    outcome.expect(not rec.lost, f"{len(rec.lost)} writes answered 201 are not counted in reporting "
                                 f"(e.g. {rec.lost[:3]})")
    outcome.expect(rec.duplicated == 0, f"{rec.duplicated} writes counted more than once")
    outcome.expect(rec.statuses.get(500, 0) == 0, f"{rec.statuses.get(500, 0)} answers were 500")
    outcome.expect(rec.phantom == 0, f"reporting counts {rec.phantom} stakeholders the registry does not have")
    outcome.expect(rec.uncounted_committed == 0,
                   f"{rec.uncounted_committed} stakeholders the registry committed never reached reporting")
    outcome.expect(rec.refused_but_created == 0,
                   f"{rec.refused_but_created} writes answered with an error were created all the same")


def _max_elapsed(attempts, start: float, end: float) -> float:
    during = [a.elapsed for a in attempts if start <= a.started <= end]
    return round(max(during), 3) if during else 0.0


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
        _status_figures(outcome, rec)
        outcome.figures["down for (s)"] = round(restarted - killed, 2)
        outcome.figures["writes before the kill / after the restart"] = (
            f"{sum(1 for a in attempts if a.started and a.started + a.elapsed < killed)} / "
            f"{sum(1 for a in attempts if a.started >= restarted)}")
        outcome.figures["max response time (s)"] = _max_elapsed(attempts, 0, float("inf"))
        _common_expectations(outcome, rec)
        outcome.expect(suite.alive(target), f"{target} died again after its restart:\n{suite.log_tail(target)}")
    finally:
        suite.stop_all()
        suite.drop_databases()
        suite.drop_topics()
    return outcome


# -- R2 and R3: a server stopped during the writes -----------------------------------------
def _probe_all(suite: Suite, names) -> dict:
    return {name: suite.probe(name) for name in names}


def _describe(probe) -> str:
    status, ctype, body = probe
    detail = body.get("detail") or body.get("status") or ""
    return f"{status} {ctype.split(';')[0]} {str(detail)[:160]}".strip()


def _wait_ready(suite: Suite, names, timeout: float) -> dict:
    """Poll /readyz until every process answers 200; the last answers."""
    deadline = time.monotonic() + timeout
    while True:
        probes = _probe_all(suite, names)
        if all(p[0] == 200 for p in probes.values()) or time.monotonic() > deadline:
            return probes
        time.sleep(0.5)


def _hold_outage(suite: Suite, names, seconds: float, during: list) -> dict:
    """Keep the server down for `seconds`, sampling /readyz every 2 s; the last sample."""
    end = time.monotonic() + seconds
    last = {}
    while True:
        last = _probe_all(suite, names)
        during.append((time.monotonic(), last))
        if time.monotonic() >= end:
            return last
        time.sleep(min(2.0, max(0.0, end - time.monotonic())))


def _backlog_drained(suite: Suite, ids: set, marks: dict, *, since: float, timeout: float) -> tuple:
    """(seconds until the outbox rows up to `marks` were published, until reporting counted `ids`), None: never."""
    deadline = time.monotonic() + timeout
    published = None
    while True:
        if published is None and suite.unpublished(marks) == 0:
            published = time.monotonic() - since
        if ids <= suite.counted_ids():
            return published, time.monotonic() - since
        if time.monotonic() > deadline:
            return published, None
        time.sleep(0.2)


def kafka_scenario(*, settings: Settings, folder: Path, writes: int, clients: int, outage: float = 60,
                   drain_bound: float | None = 30, drain_timeout: float = 180) -> Outcome:
    """R2: Kafka (a private one) stopped for `outage` seconds while the clients write.

    drain_bound None: only that the backlog drains at all (tests assert no timings; the bench does)."""
    outcome = Outcome(f"R2 Kafka stopped {outage:.0f} s")
    stack = PrivateStack(postgres=False, kafka=True, shared_database_url=settings.database_url,
                         shared_kafka=settings.kafka_bootstrap)
    suite = None
    try:
        stack.up()
        suite = Suite(folder / "r2", database_url=stack.database_url, kafka_bootstrap=stack.kafka_bootstrap)
        suite.provision()
        suite.start(*PROCESSES)
        # Paced so that about a quarter of the writes come before, half during, a quarter after.
        w = Writes(suite, writes, clients, rate=writes / (2 * outage)).start()
        w.wait_answered(writes // 4)
        stack.stop("kafka")
        down = time.monotonic()
        samples: list = []
        last = _hold_outage(suite, OPS, outage, samples)
        stack.start("kafka")
        up = time.monotonic()
        backlog = {a.id for a in list(w.attempts) if a.status == 201}
        published, drained = _backlog_drained(suite, backlog, suite.outbox_marks(), since=up,
                                              timeout=drain_timeout)
        attempts = w.join()
        rec = reconcile(suite, attempts, since=up, timeout=drain_timeout)
        after = _wait_ready(suite, OPS, 60)
        _status_figures(outcome, rec)
        outcome.figures.update({
            "writes during the outage": sum(1 for a in attempts if down <= a.started <= up),
            "Kafka down for (s)": round(up - down, 1),
            "backlog at Kafka's return (201s)": len(backlog),
            "backlog published by the relay after Kafka's return (s)": (
                "never" if published is None else round(published, 2)),
            "backlog drained after Kafka's return (s)": "not drained" if drained is None else round(drained, 2),
            "max response time during the outage (s)": _max_elapsed(attempts, down, up),
            **{f"/readyz {n} at the end of the outage": _describe(p) for n, p in last.items()},
            **{f"/readyz {n} after recovery": _describe(p) for n, p in after.items()},
        })
        _common_expectations(outcome, rec)
        outcome.expect(rec.created == rec.attempted,
                       f"only {rec.created} of {rec.attempted} writes were answered 201 ({rec.statuses})")
        for name, (status, ctype, body) in last.items():
            outcome.expect(status == 503 and "problem+json" in ctype and "kafka" in str(body).lower(),
                           f"{name} /readyz with Kafka down answered {_describe((status, ctype, body))!r}, "
                           "not a 503 problem+json naming Kafka")
        bound = drain_timeout if drain_bound is None else drain_bound
        outcome.expect(drained is not None and drained <= bound,
                       f"the backlog was not drained within {bound:.0f} s of Kafka's return "
                       f"({'never' if drained is None else f'{drained:.1f} s'})")
        outcome.expect(all(p[0] == 200 for p in after.values()),
                       "/readyz did not turn 200 within 60 s of Kafka's return: "
                       + "; ".join(f"{n}: {_describe(p)}" for n, p in after.items()))
        for name in PROCESSES:
            outcome.expect(suite.alive(name), f"{name} died:\n{suite.log_tail(name)}")
    finally:
        if suite is not None:
            suite.stop_all()
            suite.drop_databases()
        stack.down()
    return outcome


def postgres_scenario(*, settings: Settings, folder: Path, writes: int, clients: int, outage: float = 30,
                      request_timeout: float = 10, drain_timeout: float = 180) -> Outcome:
    """R3: PostgreSQL (a private one) stopped for `outage` seconds while the clients write."""
    outcome = Outcome(f"R3 PostgreSQL stopped {outage:.0f} s")
    stack = PrivateStack(postgres=True, kafka=False, shared_database_url=settings.database_url,
                         shared_kafka=settings.kafka_bootstrap)
    suite = None
    try:
        stack.up()
        suite = Suite(folder / "r3", database_url=stack.database_url, kafka_bootstrap=stack.kafka_bootstrap)
        suite.provision()
        suite.start(*PROCESSES)
        w = Writes(suite, writes, clients, rate=writes / (2 * outage), timeout=request_timeout + 20).start()
        w.wait_answered(writes // 4)
        stack.stop("postgres")
        down = time.monotonic()
        samples: list = []
        last = _hold_outage(suite, PROCESSES, outage, samples)
        stats_during = suite.probe("reporting-api", f"/v1/{suite.slugs[0]}/statistics/stakeholders")
        stack.start("postgres")
        up = time.monotonic()
        attempts = w.join()
        rec = reconcile(suite, attempts, since=up, timeout=drain_timeout)
        after = _wait_ready(suite, PROCESSES, 60)
        during = [a for a in attempts if down <= a.started <= up]
        refused = [a for a in during if a.status != 201]
        first_after = min((a.started + a.elapsed - up for a in attempts if a.status == 201 and a.started >= up),
                          default=None)
        _status_figures(outcome, rec)
        outcome.figures.update({
            "writes during the outage": len(during),
            "PostgreSQL down for (s)": round(up - down, 1),
            "max response time during the outage (s)": _max_elapsed(attempts, down, up),
            "503 with Retry-After": sum(1 for a in refused if a.status == 503 and a.retry_after),
            "first 201 after PostgreSQL's return (s)": "none" if first_after is None else round(first_after, 2),
            "reporting GET statistics during the outage": _describe(stats_during),
            **{f"/readyz {n} at the end of the outage": _describe(p) for n, p in last.items()},
            **{f"/readyz {n} after recovery": _describe(p) for n, p in after.items()},
        })
        _common_expectations(outcome, rec)
        wrong = [a for a in refused if a.status != 503 or "problem+json" not in a.content_type]
        outcome.expect(not wrong, f"{len(wrong)} writes during the outage got something else than a 503 "
                                  f"problem+json, e.g. {[(a.status, a.content_type, a.error) for a in wrong[:3]]}")
        slow = [a for a in attempts if a.elapsed > request_timeout]
        outcome.expect(not slow, f"{len(slow)} writes took longer than the request timeout ({request_timeout:.0f} s):"
                                 f" up to {max((a.elapsed for a in slow), default=0):.1f} s")
        outcome.expect(stats_during[0] == 503 and "problem+json" in stats_during[1],
                       f"reporting's statistics with PostgreSQL down answered {_describe(stats_during)!r}")
        for name, probe in last.items():
            outcome.expect(probe[0] == 503, f"{name} /readyz with PostgreSQL down answered {_describe(probe)!r}")
        outcome.expect(first_after is not None, "no write got a 201 after PostgreSQL returned")
        outcome.expect(all(p[0] == 200 for p in after.values()),
                       "/readyz did not turn 200 within 60 s of PostgreSQL's return: "
                       + "; ".join(f"{n}: {_describe(p)}" for n, p in after.items()))
        for name in PROCESSES:
            outcome.expect(suite.alive(name), f"{name} died:\n{suite.log_tail(name)}")
    finally:
        if suite is not None:
            suite.stop_all()
        stack.down()  # the private PostgreSQL goes, and its databases with it
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
