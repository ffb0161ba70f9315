"""Process entry points: pdz-reporting-api, pdz-reporting-consumer."""
from __future__ import annotations

from services.reporting import SERVICE, consumer_group


def api() -> None:
    from shared.http.serve import serve
    from services.reporting.app import create_app
    serve(create_app, default_port=8000)


def consumer() -> None:
    from shared.config import Settings
    from shared.consumer.runner import Rejected
    from shared.events.topics import service_topic
    from shared.processes import run_consumer
    from shared.tenants import load_catalogue
    from services.reporting.projector import project

    settings = Settings.from_env()
    catalogue = load_catalogue(settings.tenants_file, settings.database_url)

    def known_tenant(event):
        if catalogue.get(event.tenantid) is None:
            raise Rejected(f"unknown tenant {event.tenantid!r}")

    run_consumer(name=consumer_group(), database_url=catalogue.regional_url(SERVICE),
                 topics=[service_topic(s) for s in ("registry", "consultation", "budget")],
                 projector=project, validate=known_tenant)
