"""R2 (Kafka stopped) and R3 (PostgreSQL stopped) during the writes, on a private server of their own."""
from __future__ import annotations

import time
from pathlib import Path

from bench.faults_stack import PrivateStack
from bench.faults_suite import PROCESSES, Suite
from bench.faults_writes import Outcome, Writes, common_expectations, max_elapsed, reconcile, status_figures
from shared.config import Settings

OPS = ("registry-relay", "reporting-consumer")


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
        status_figures(outcome, rec)
        outcome.figures.update({
            "writes during the outage": sum(1 for a in attempts if down <= a.started <= up),
            "Kafka down for (s)": round(up - down, 1),
            "backlog at Kafka's return (201s)": len(backlog),
            "backlog published by the relay after Kafka's return (s)": (
                "never" if published is None else round(published, 2)),
            "backlog drained after Kafka's return (s)": "not drained" if drained is None else round(drained, 2),
            "max response time during the outage (s)": max_elapsed(attempts, down, up),
            **{f"/readyz {n} at the end of the outage": _describe(p) for n, p in last.items()},
            **{f"/readyz {n} after recovery": _describe(p) for n, p in after.items()},
        })
        common_expectations(outcome, rec)
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
        status_figures(outcome, rec)
        outcome.figures.update({
            "writes during the outage": len(during),
            "PostgreSQL down for (s)": round(up - down, 1),
            "max response time during the outage (s)": max_elapsed(attempts, down, up),
            "max response time in the 10 s after its return (s)": max_elapsed(attempts, up, up + 10),
            "503 with Retry-After": sum(1 for a in refused if a.status == 503 and a.retry_after),
            "first 201 after PostgreSQL's return (s)": "none" if first_after is None else round(first_after, 2),
            "reporting GET statistics during the outage": _describe(stats_during),
            **{f"/readyz {n} at the end of the outage": _describe(p) for n, p in last.items()},
            **{f"/readyz {n} after recovery": _describe(p) for n, p in after.items()},
        })
        common_expectations(outcome, rec)
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
            suite.drop_topics()  # on the shared Kafka
        stack.down()  # the private PostgreSQL goes, and its databases with it
    return outcome
