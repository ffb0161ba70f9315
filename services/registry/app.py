"""The registry's app factory."""
from __future__ import annotations

from shared.http.app import create_service_app

from services.registry import SERVICE
from services.registry.applications.api import blp as applications
from services.registry.calls.api import blp as calls
from services.registry.corrections.api import blp as corrections
from services.registry.exports.api import blp as exports
from services.registry.pages import pages
from services.registry.privacy.api import blp as privacy
from services.registry.profile.api import blp as profile
from services.registry.stakeholders.api import blp as stakeholders


def create_app(settings=None, platform=None):
    return create_service_app(service=SERVICE, title="PdZ Registry",
                              blueprints=[profile, calls, applications, stakeholders, privacy, exports,
                                          corrections],
                              pages=pages, settings=settings, platform=platform)
