"""Process entry points: pdz-reporting-api, pdz-reporting-consumer."""
from __future__ import annotations

from services.reporting import SERVICE, consumer_group


def api() -> None:
    from shared.http.serve import serve
    from services.reporting.app import create_app
    serve(create_app, default_port=8000)


def consumer() -> None:
    """The projections' consumer group into the regional database; events of unknown tenants are dead-lettered."""
    from shared.events.topics import service_topic
    from shared.processes import run_consumer
    from services.reporting.projector import PROJECTORS

    run_consumer(service=SERVICE, name=consumer_group(), regional=True, projectors=PROJECTORS,
                 topics=[service_topic(s) for s in ("registry", "consultation", "budget")])
