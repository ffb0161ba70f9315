"""Run a service's app under gunicorn, configured from the environment."""
from __future__ import annotations

import os
import tempfile

from shared.config import Settings, check_auth
from shared.http.logs import configure_logging


def _child_exit(server, worker) -> None:
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


def _when_ready(server) -> None:
    """The master serves /metrics on PDZ_METRICS_PORT, apart from the API port (docs/deployment.md)."""
    from shared.http.metrics import metrics_port, serve_metrics_port
    port = metrics_port()
    if port:
        serve_metrics_port(port, os.environ.get("PDZ_METRICS_ADDR", "0.0.0.0"))
        server.log.info("metrics on port %s", port)


def _json_logging(level: str) -> dict:
    """gunicorn's own log lines as JSON too, like the app's."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "shared.http.logs.JsonFormatter"}},
        "handlers": {"json_stderr": handler},
        "root": {"level": level, "handlers": ["json_stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["json_stderr"], "propagate": False},
            # Off: its line has the full query string (personal data, tokens) and no request id;
            # the app's own access line (logger pdz.access) has both right (shared/http/app.py).
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def serve(app_factory, *, default_port: int = 8000) -> None:
    """Start gunicorn with `app_factory()`; pools open lazily inside each worker."""
    # Must be set before prometheus_client is imported by the app.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="pdz-prom-")
    from gunicorn.app.base import BaseApplication

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        check_auth(settings)  # in the master, once: workers that cannot start would only be respawned
    except ValueError as exc:
        raise SystemExit(f"refusing to start: {exc}") from None

    class Application(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", os.environ.get("PDZ_BIND") or f"0.0.0.0:{os.environ.get('PORT', default_port)}")
            self.cfg.set("workers", int(os.environ.get("PDZ_WEB_WORKERS", "2")))
            self.cfg.set("threads", int(os.environ.get("PDZ_WEB_THREADS", "4")))
            # gthread whose event loop reads each request before a thread takes it (slow clients).
            self.cfg.set("worker_class", "shared.http.worker.BufferedThreadWorker")
            self.cfg.set("worker_connections", int(os.environ.get("PDZ_WEB_CONNECTIONS", "256")))
            self.cfg.set("keepalive", 5)
            self.cfg.set("limit_request_line", 4094)
            self.cfg.set("limit_request_fields", 50)
            # Bearer tokens are long: an RS256 token with groups, issuer and audience runs to several KB
            # (8,236 characters was seen, answered 431 under gunicorn's default of 8190).
            self.cfg.set("limit_request_field_size", 16384)
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 20)
            self.cfg.set("child_exit", _child_exit)
            self.cfg.set("when_ready", _when_ready)
            self.cfg.set("accesslog", None)
            self.cfg.set("logconfig_dict", _json_logging(settings.log_level))

        def load(self):
            configure_logging(settings.log_level)
            return app_factory()

    Application().run()
