"""The registry's app factory."""
from __future__ import annotations

from shared.http.app import create_service_app

from services.registry import SERVICE
from services.registry.api import blp as stakeholders


def create_app(settings=None, platform=None):
    return create_service_app(service=SERVICE, title="PdZ Registry", blueprints=[stakeholders],
                              settings=settings, platform=platform)
