"""The reporting service's app factory."""
from __future__ import annotations

from shared.http.app import create_service_app

from services.reporting import SERVICE
from services.reporting.api import blp as statistics
from services.reporting.campaigns.api import blp as campaigns
from services.reporting.portal.views import blp as portal


def create_app(settings=None, platform=None):
    return create_service_app(service=SERVICE, title="PdZ Reporting", blueprints=[statistics, portal, campaigns],
                              settings=settings, platform=platform)
