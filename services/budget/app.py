"""The budget service's app factory: platform endpoints only until its issue lands."""
from __future__ import annotations

from shared.http.app import create_service_app

from services.budget import SERVICE


def create_app(settings=None, platform=None):
    return create_service_app(service=SERVICE, title="PdZ Budget", blueprints=[],
                              settings=settings, platform=platform)
