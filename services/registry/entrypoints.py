"""Process entry points: pdz-registry-api, pdz-registry-relay."""
from __future__ import annotations

from services.registry import SERVICE


def api() -> None:
    from shared.http.serve import serve
    from services.registry.app import create_app
    serve(create_app, default_port=8000)


def relay() -> None:
    from shared.processes import run_relay
    run_relay(SERVICE)
