"""The reporting service's app factory."""
from __future__ import annotations

from shared.http.app import create_service_app

from services.reporting import SERVICE
from services.reporting.api import blp as statistics
from services.reporting.campaigns.api import blp as campaigns
from services.reporting.console import pages as regional_pages
from services.reporting.opendata.api import blp as opendata
from services.reporting.indicators_api import blp as indicators
from services.reporting.regional_api import blp as regional_indicators, definitions_blp as indicator_definitions
from services.reporting.portal.views import blp as portal


def create_app(settings=None, platform=None):
    return create_service_app(service=SERVICE, title="PdZ Reporting",
                              blueprints=[statistics, indicators, regional_indicators, indicator_definitions, portal,
                                          campaigns, opendata],
                              pages=regional_pages, settings=settings, platform=platform)
