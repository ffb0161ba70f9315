"""Prometheus metrics; multiprocess mode when gunicorn runs several workers.

Under gunicorn every worker writes its samples to PROMETHEUS_MULTIPROC_DIR and
/metrics aggregates them. The API entry points set the directory before
anything imports prometheus_client.

Where an API serves /metrics: on its own port PDZ_METRICS_PORT (the gunicorn
master answers it, `serve_metrics_port`), so that the Service's `http` port and
the Ingress never carry it; on the API port only with PDZ_METRICS_ON_API_PORT=1
(`pdz run`, whose tests scrape the API port) or when no metrics port is set.
"""
from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flask import Flask, Response, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)
from prometheus_client import REGISTRY

# Label values come from fixed sets only: a method name or a path is whatever a client sends,
# and each distinct value would be a new series kept until the process ends.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter("pdz_http_requests_total", "HTTP requests", ["service", "method", "endpoint", "status"])
LATENCY = Histogram("pdz_http_request_seconds", "HTTP request duration", ["service", "endpoint"])


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # reads every worker's files at each scrape
        return registry
    return REGISTRY


def metrics_response() -> Response:
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def metrics_port() -> int:
    """The API's separate metrics port (PDZ_METRICS_PORT); 0: none."""
    return int(os.environ.get("PDZ_METRICS_PORT") or 0)


def metrics_on_api_port() -> bool:
    """PDZ_METRICS_ON_API_PORT=1/0 says it; unset, only when there is no metrics port (never nowhere)."""
    flag = os.environ.get("PDZ_METRICS_ON_API_PORT", "").strip()
    if flag:
        return flag == "1"
    return metrics_port() == 0


def serve_metrics_port(port: int, addr: str = "0.0.0.0") -> ThreadingHTTPServer:
    """Serve GET /metrics (every worker's samples) on a daemon thread; anything else is 404.

    Run in the gunicorn master (its `when_ready` hook): workers come and go, the master stays.
    """
    from shared.http.headers import ALWAYS, JSON_CSP, NO_STORE

    class Handler(BaseHTTPRequestHandler):
        timeout = 10  # a stalled scraper does not keep its thread

        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path.split("?", 1)[0] == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(_registry()))
            else:
                self._send(404, "application/problem+json",
                           b'{"type": "about:blank", "title": "Not Found", "status": 404}')

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            for name, value in {**ALWAYS, "Content-Type": content_type, "Content-Length": str(len(body)),
                                "Content-Security-Policy": JSON_CSP, "Cache-Control": NO_STORE}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):  # a scrape every 30 s would flood the log
            pass

    server = ThreadingHTTPServer((addr, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="metrics-http").start()
    return server


def method_label(method: str) -> str:
    """The method as a label value: one of METHODS, else "other"."""
    return method if method in METHODS else "other"


def route_label() -> str:
    """The matched URL rule's template (`/v1/<tenant>/calls/<uuid:call_id>`), never the raw path."""
    return request.url_rule.rule if request.url_rule else "unmatched"


def instrument(app: Flask, service: str) -> None:
    @app.before_request
    def _start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def _record(response):
        endpoint = route_label()
        REQUESTS.labels(service, method_label(request.method), endpoint, str(response.status_code)).inc()
        if hasattr(g, "started"):
            LATENCY.labels(service, endpoint).observe(time.perf_counter() - g.started)
        return response
