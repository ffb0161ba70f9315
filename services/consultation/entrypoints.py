"""Process entry points: pdz-consultation-api, pdz-consultation-relay, pdz-consultation-consumer."""
from __future__ import annotations

from services.consultation import SERVICE, consumer_group


def api() -> None:
    from shared.http.serve import serve
    from services.consultation.app import create_app
    serve(create_app, default_port=8000)


def relay() -> None:
    """The outbox relay: consultation's events of each Ambito onto its topic."""
    from shared.processes import run_relay
    run_relay(SERVICE)


def consumer() -> None:
    """The replicas' consumer group: registry events into the consultation database of their tenant and of
    the tenants it shares them with; consultation events only into those of the tenants that receive them."""
    from shared.events.topics import service_topic
    from shared.processes import run_consumer
    from services.consultation.projectors import PROJECTORS

    run_consumer(service=SERVICE, name=consumer_group(), projectors=PROJECTORS,
                 topics=[service_topic("registry"), service_topic(SERVICE)])
