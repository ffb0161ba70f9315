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

REQUESTS = Counter("pdz_http_requests_total", "HTTP requests", ["service", "method", "endpoint", "status"])
LATENCY = Histogram("pdz_http_request_seconds", "HTTP request duration", ["service", "endpoint"])


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def instrument(app: Flask, service: str) -> None:
    @app.before_request
    def _start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def _record(response):
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        REQUESTS.labels(service, request.method, endpoint, str(response.status_code)).inc()
        if hasattr(g, "started"):
            LATENCY.labels(service, endpoint).observe(time.perf_counter() - g.started)
        return response
