"""HTTP writers, the reconciliation of their 201s with reporting, and a scenario's outcome."""
from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

from bench.faults_suite import Suite, _json
from shared.cli.demo import numbered_tax_code


# -- writers ---------------------------------------------------------------------------------
@dataclass
class Attempt:
    """One POST /stakeholders and what came back."""

    index: int
    tenant: str
    name: str
    started: float = 0.0
    elapsed: float = 0.0
    status: int | None = None  # None: no answer (the connection broke or timed out)
    content_type: str = ""
    retry_after: str | None = None
    id: str | None = None
    error: str = ""


@dataclass
class Writes:
    """`total` POSTs from `clients` keep-alive connections, optionally paced at `rate` per second."""

    suite: Suite
    total: int
    clients: int = 16
    rate: float | None = None
    timeout: float = 30.0
    attempts: list[Attempt] = field(default_factory=list)

    def __post_init__(self):
        self.run = uuid.uuid4().hex[:6]
        self._next = itertools.count()
        self._lock = threading.Condition()
        self._answered = 0
        self._threads: list[threading.Thread] = []
        self.stopping = threading.Event()
        self.t0 = 0.0

    def start(self) -> "Writes":
        self.t0 = time.monotonic()
        token = self.suite.token()
        for _ in range(self.clients):
            thread = threading.Thread(target=self._client, args=(token,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wait_answered(self, count: int, timeout: float = 600) -> None:
        """Block until `count` attempts have finished (answered or not)."""
        with self._lock:
            self._lock.wait_for(lambda: self._answered >= min(count, self.total), timeout=timeout)

    def join(self, timeout: float = 1800) -> list[Attempt]:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.stopping.set()
        return sorted(self.attempts, key=lambda a: a.index)

    def _client(self, token: str) -> None:
        port = self.suite.ports["registry-api"]
        conn = None
        last_used = 0.0
        while not self.stopping.is_set():
            index = next(self._next)
            if index >= self.total:
                break
            if self.rate:
                # Pacing spreads the writes over the fault; it is not synchronisation.
                delay = self.t0 + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            slug = self.suite.slugs[index % len(self.suite.slugs)]
            attempt = Attempt(index=index, tenant=slug, name=f"Organizzazione prova guasti {self.run} {index:06d}")
            body = json.dumps({"name": attempt.name, "type": "other",
                               "tax_code": numbered_tax_code(index + 1, "076")}).encode()
            # A connection idle longer than gunicorn's keep-alive (2 s) may be closed under us.
            if conn is not None and time.monotonic() - last_used > 1.0:
                conn.close()
                conn = None
            conn = self._send(conn, port, slug, token, body, attempt)
            last_used = time.monotonic()
            with self._lock:
                self.attempts.append(attempt)
                self._answered += 1
                self._lock.notify_all()
        if conn is not None:
            conn.close()

    def _send(self, conn, port, slug, token, body, attempt: Attempt):
        # Until connected, nothing was sent: an API being restarted is waited for (up to 120 s).
        give_up = time.monotonic() + 120
        while conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
            try:
                conn.connect()
            except ConnectionRefusedError:
                conn = None
                if time.monotonic() > give_up or self.stopping.is_set():
                    attempt.error = "connection refused"
                    return None
                time.sleep(0.05)
        attempt.started = time.monotonic()
        try:
            conn.request("POST", f"/v1/{slug}/stakeholders", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            attempt.elapsed = time.monotonic() - attempt.started
            attempt.error = type(exc).__name__
            conn.close()
            return None
        attempt.elapsed = time.monotonic() - attempt.started
        attempt.status = response.status
        attempt.content_type = response.getheader("Content-Type", "")
        attempt.retry_after = response.getheader("Retry-After")
        if response.status == 201:
            attempt.id = str(_json(payload).get("id"))
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            return None
        return conn


@dataclass
class Outcome:
    """What a scenario measured, and which expectations failed (each a sentence)."""

    scenario: str
    figures: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def expect(self, ok: bool, sentence: str) -> None:
        if not ok:
            self.failures.append(sentence)


# -- reconciliation -------------------------------------------------------------------------
@dataclass
class Reconciliation:
    attempted: int
    created: int  # 201s
    statuses: dict  # status (or "no answer") -> count
    counted: int  # rows of reporting's read model for the scenario's tenants
    lost: list  # 201 ids reporting does not count
    duplicated: int
    unanswered_created: int  # no answer, yet the registry has it (and so should reporting)
    unanswered_absent: int
    refused_but_created: int  # answered with an error, yet the registry has it
    phantom: int  # counted by reporting, unknown to the registry
    uncounted_committed: int  # in the registry (e.g. an unanswered write), not in reporting
    drain_seconds: float | None


def drain(suite: Suite, *, since: float, timeout: float) -> tuple[set, dict, float | None]:
    """Wait until reporting counts everything the registry committed; seconds after `since`, or None."""
    deadline = time.monotonic() + timeout
    committed = suite.registry_rows()
    while True:
        counted = suite.counted_ids()
        if set(committed) <= counted:
            return counted, committed, max(0.0, time.monotonic() - since)
        if time.monotonic() > deadline:
            return counted, committed, None
        time.sleep(0.2)
        committed = suite.registry_rows()


def reconcile(suite: Suite, attempts: list[Attempt], *, since: float, timeout: float = 180) -> Reconciliation:
    """Every 201 counted once, nothing else counted; unanswered writes looked up in the registry."""
    counted, committed, drained = drain(suite, since=since, timeout=timeout)
    statuses: dict = {}
    for a in attempts:
        key = a.status if a.status is not None else "no answer"
        statuses[key] = statuses.get(key, 0) + 1
    created_ids = [a.id for a in attempts if a.status == 201]
    names = {}
    for id_, name in committed.items():
        names.setdefault(name, []).append(id_)
    unanswered = [a for a in attempts if a.status is None]
    refused = [a for a in attempts if a.status not in (None, 201)]
    total = suite.reported_total()
    duplicated = sum(len(ids) - 1 for ids in names.values() if len(ids) > 1)
    duplicated += len(created_ids) - len(set(created_ids))
    if total is not None:
        duplicated += max(0, total - len(counted))
    return Reconciliation(
        attempted=len(attempts), created=len(created_ids), statuses=statuses, counted=len(counted),
        lost=sorted(set(created_ids) - counted), duplicated=duplicated,
        unanswered_created=sum(1 for a in unanswered if a.name in names),
        unanswered_absent=sum(1 for a in unanswered if a.name not in names),
        refused_but_created=sum(1 for a in refused if a.name in names),
        phantom=len(counted - set(committed)), uncounted_committed=len(set(committed) - counted),
        drain_seconds=drained)


# -- figures and expectations every scenario shares ----------------------------------------
def status_figures(outcome: Outcome, rec) -> None:
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


def common_expectations(outcome: Outcome, rec) -> None:
    outcome.expect(not rec.lost, f"{len(rec.lost)} writes answered 201 are not counted in reporting "
                                 f"(e.g. {rec.lost[:3]})")
    outcome.expect(rec.duplicated == 0, f"{rec.duplicated} writes counted more than once")
    outcome.expect(rec.statuses.get(500, 0) == 0, f"{rec.statuses.get(500, 0)} answers were 500")
    outcome.expect(rec.phantom == 0, f"reporting counts {rec.phantom} stakeholders the registry does not have")
    outcome.expect(rec.uncounted_committed == 0,
                   f"{rec.uncounted_committed} stakeholders the registry committed never reached reporting")
    outcome.expect(rec.refused_but_created == 0,
                   f"{rec.refused_but_created} writes answered with an error were created all the same")


def max_elapsed(attempts, start: float, end: float) -> float:
    during = [a.elapsed for a in attempts if start <= a.started <= end]
    return round(max(during), 3) if during else 0.0
