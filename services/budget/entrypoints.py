"""Process entry point: pdz-budget-api."""
from __future__ import annotations


def api() -> None:
    from shared.http.serve import serve
    from services.budget.app import create_app
    serve(create_app, default_port=8000)
