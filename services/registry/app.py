"""The registry's app factory."""
from __future__ import annotations

from shared.http.app import create_service_app

from services.registry import SERVICE
from services.registry.profile.api import blp as profile
from services.registry.stakeholders.api import blp as stakeholders


def create_app(settings=None, platform=None):
    return create_service_app(service=SERVICE, title="PdZ Registry",
                              blueprints=[profile, stakeholders],
                              settings=settings, platform=platform)
