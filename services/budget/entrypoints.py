"""Process entry points: pdz-budget-api, pdz-budget-relay, pdz-budget-consumer."""
from __future__ import annotations

from services.budget import SERVICE, consumer_group


def api() -> None:
    from shared.http.serve import serve
    from services.budget.app import create_app
    serve(create_app, default_port=8000)


def relay() -> None:
    """The outbox relay: budget's events of each Ambito onto its topic."""
    from shared.processes import run_relay
    run_relay(SERVICE)


def consumer() -> None:
    """The replicas' consumer group: registry events and consultation's accepted proposals into the budget
    database of their tenant and of the tenants it shares them with; budget's own intervention events only
    into those of the tenants that receive them (a former Ambito's interventions, issue 10 item 7)."""
    from shared.events.topics import service_topic
    from shared.processes import run_consumer
    from services.budget.projectors import PROJECTORS
    from services.budget.reference import reference

    reference()  # funds, LEPS, nomenclature: a wrong reference file stops the process before it consumes
    run_consumer(service=SERVICE, name=consumer_group(), projectors=PROJECTORS,
                 topics=[service_topic("registry"), service_topic("consultation"), service_topic(SERVICE)])
