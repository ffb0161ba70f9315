"""Process entry points: pdz-reporting-api, pdz-reporting-consumer."""
from __future__ import annotations

import os

from services.reporting import SERVICE, consumer_group


def api() -> None:
    from shared.http.serve import serve
    from services.reporting.app import create_app
    serve(create_app, default_port=8000)


def consumer() -> None:
    """The projections' consumer group into the regional database; events of unknown tenants are dead-lettered.

    Every applied event is marked (freshness.marked); a thread drains the marks into freshness and publishes
    the figures that changed on pdz.statistics.v1 (publisher.py; PDZ_STATISTICS_PUBLISH=0: freshness only)."""
    from shared.events.topics import service_topic
    from shared.processes import run_consumer
    from services.reporting.freshness import marked
    from services.reporting.projector import PROJECTORS

    stop = _start_publisher(publish=os.environ.get("PDZ_STATISTICS_PUBLISH", "1") != "0")
    try:
        run_consumer(service=SERVICE, name=consumer_group(), regional=True, projectors=marked(PROJECTORS),
                     topics=[service_topic(s) for s in ("registry", "consultation", "budget")])
    finally:
        stop()


def _start_publisher(*, publish: bool):
    """The statistics publisher as a daemon thread of this process (publish=False: it only drains the marks
    into freshness); returns what stops it."""
    import threading

    import psycopg

    from shared.config import Settings
    from shared.db.credentials import service_login
    from shared.events.topics import statistics_topic
    from shared.kafka.clients import idempotent_producer
    from shared.tenants import load_catalogue
    from services.reporting import publisher

    settings = Settings.from_env()
    catalogue = load_catalogue(settings.tenants_file, settings.database_url, login=service_login(settings, SERVICE))
    producer = (idempotent_producer(settings.kafka_bootstrap, client_id=f"{consumer_group()}-statistics")
                if publish else None)
    worker = publisher.Publisher(catalogue=catalogue, producer=producer, topic=statistics_topic(),
                                 years=int(os.environ.get("PDZ_STATISTICS_YEARS", "2")))
    stopping = threading.Event()
    url = catalogue.regional_url(SERVICE)
    thread = threading.Thread(target=publisher.run, name="statistics-publisher", daemon=True,
                              kwargs={"publisher": worker, "connect": lambda: psycopg.connect(url, connect_timeout=5),
                                      "stopping": stopping,
                                      "interval": float(os.environ.get("PDZ_STATISTICS_PUBLISH_SECONDS", "5"))})
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=30)
        if producer is not None:
            producer.close(timeout=10)
    return stop
