"""The operations port of a relay or consumer: /metrics, /livez and /readyz.

These processes have no Flask app, so a small threaded HTTP server answers
the probes and Prometheus beside the main loop:

- `/livez`: the main loop beat recently (a loop stuck on a call that never
  returns is restarted by Kubernetes, which a page served by another thread
  could never show);
- `/readyz`: every named check passes (Kafka and the database reachable, the
  loop progressing); a failing check is named in the problem+json body;
- `/metrics`: the process's Prometheus registry.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from shared.http.headers import ALWAYS, JSON_CSP, NO_STORE

log = logging.getLogger(__name__)

# A check returns None when all is well, or a sentence saying what is wrong.
Check = Callable[[], "str | None"]


# How long the main loop may go without a beat before /livez fails (PDZ_LIVENESS_STALL_SECONDS).
# 180 s: the longest bounded wait inside one turn is about 60 s (a relay's flush waits up to Kafka's
# 60 s delivery timeout, and may flush twice when dead letters follow; a consumer's batch waits on
# statements bounded by the 60 s statement timeout), so 180 s never restarts a loop that is slow but
# moving, and a loop that is really stuck is restarted within about four minutes (this plus the
# kubelet's failureThreshold x periodSeconds, 3 x 20 s).
DEFAULT_LIVENESS_STALL_SECONDS = 180.0


def liveness_stall_seconds() -> float:
    """PDZ_LIVENESS_STALL_SECONDS (default 180 s): the heartbeat age at which /livez answers 503."""
    from shared.config import env_float
    return env_float("PDZ_LIVENESS_STALL_SECONDS", DEFAULT_LIVENESS_STALL_SECONDS)


class Heartbeat:
    """The main loop calls beat() every turn; a stale beat means the loop is stuck."""

    def __init__(self, *, stale_after: float):
        self.stale_after = stale_after
        self._last = time.monotonic()

    def beat(self) -> None:
        self._last = time.monotonic()

    def age(self) -> float:
        return time.monotonic() - self._last

    def check(self) -> str | None:
        age = self.age()
        if age > self.stale_after:
            return f"the main loop has not progressed for {age:.0f} s (limit {self.stale_after:.0f} s)"
        return None


def run_checks(checks: dict[str, Check]) -> dict[str, str]:
    """Each check's outcome: 'ok' or what is wrong (a check that raises is a failure too)."""
    results = {}
    for name, check in checks.items():
        try:
            problem = check()
        except Exception as exc:  # a probe reports, it never crashes the server
            problem = f"{type(exc).__name__}: {exc}"
        results[name] = problem or "ok"
    return results


def _handler(live: dict[str, Check], ready: dict[str, Check]):
    class Handler(BaseHTTPRequestHandler):
        timeout = 10  # seconds a client has to send its request: a stalled one does not keep its thread

        def do_GET(self):  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(REGISTRY))
            elif path in ("/livez", "/readyz"):
                results = run_checks(live if path == "/livez" else {**live, **ready})
                failing = {k: v for k, v in results.items() if v != "ok"}
                if failing:
                    body = {"type": "https://pdz.example.org/problems/not-ready",
                            "title": "Service Unavailable", "status": 503,
                            "detail": "; ".join(f"{k}: {v}" for k, v in failing.items()),
                            "checks": results}
                    self._send(503, "application/problem+json", json.dumps(body).encode())
                else:
                    self._send(200, "application/json", json.dumps({"status": "ok", "checks": results}).encode())
            else:
                self._send(404, "application/problem+json", json.dumps(
                    {"type": "about:blank", "title": "Not Found", "status": 404}).encode())

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in {**ALWAYS, "Content-Security-Policy": JSON_CSP, "Cache-Control": NO_STORE}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):  # probes every few seconds would flood the log
            pass

    return Handler


def serve_ops(*, port: int, addr: str = "0.0.0.0", live: dict[str, Check],
              ready: dict[str, Check]) -> ThreadingHTTPServer:
    """Serve /metrics, /livez and /readyz on a daemon thread; returns the server (shutdown() stops it)."""
    server = ThreadingHTTPServer((addr, port), _handler(live, ready))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="ops-http").start()
    log.info("operations port open", extra={"port": port})
    return server
