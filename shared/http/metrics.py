"""Prometheus metrics; multiprocess mode when gunicorn runs several workers.

Under gunicorn every worker writes its samples to PROMETHEUS_MULTIPROC_DIR and
/metrics aggregates them. The API entry points set the directory before
anything imports prometheus_client.
"""
from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)
from prometheus_client import REGISTRY

# Label values come from fixed sets only: a method name or a path is whatever a client sends,
# and each distinct value would be a new series kept until the process ends.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter("pdz_http_requests_total", "HTTP requests", ["service", "method", "endpoint", "status"])
LATENCY = Histogram("pdz_http_request_seconds", "HTTP request duration", ["service", "endpoint"])


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


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
