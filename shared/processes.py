"""Entry points for the long-running relay and consumer processes."""
from __future__ import annotations

import logging
import os
import signal

import psycopg
from prometheus_client import start_http_server

from shared.config import Settings
from shared.consumer.runner import ConsumerRunner
from shared.db.pools import PoolRegistry
from shared.http.logs import configure_logging
from shared.kafka.clients import idempotent_producer, manual_commit_consumer
from shared.outbox.relay import Relay
from shared.tenants import load_catalogue

log = logging.getLogger(__name__)


def _start_metrics() -> None:
    port = int(os.environ.get("PDZ_METRICS_PORT", "9100"))
    if port:
        start_http_server(port, addr=os.environ.get("PDZ_METRICS_ADDR", "0.0.0.0"))


def _on_stop(stop) -> None:
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def run_relay(service: str) -> None:
    """Publish the outboxes of `service` for every tenant until SIGTERM."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    catalogue = load_catalogue(settings.tenants_file, settings.database_url)
    pools = PoolRegistry(max_per_pool=1, max_pools=settings.pool_max_tenants,
                         idle_seconds=settings.pool_idle_seconds)
    producer = idempotent_producer(settings.kafka_bootstrap, client_id=f"pdz-{service}-relay")
    relay = Relay(service=service, catalogue=catalogue, pools=pools, producer=producer,
                  sweep_seconds=settings.relay_sweep_seconds, batch_size=settings.relay_batch_size)
    _on_stop(relay.stop)
    _start_metrics()
    log.info("relay started", extra={"service": service, "tenants": len(catalogue)})
    relay.run()
    pools.close()
    log.info("relay stopped", extra={"service": service})


def run_consumer(*, name: str, database_url: str, topics: list[str], projector, accepts=None,
                 validate=None) -> None:
    """Run one projection until SIGTERM; finishes the record in hand before stopping."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    runner = ConsumerRunner(
        name=name,
        consumer=manual_commit_consumer(settings.kafka_bootstrap, group_id=name, topics=topics),
        producer=idempotent_producer(settings.kafka_bootstrap, client_id=f"{name}-dlq"),
        connect=lambda: psycopg.connect(database_url, autocommit=True),
        projector=projector,
        **({"accepts": accepts} if accepts else {}),
        **({"validate": validate} if validate else {}),
    )
    _on_stop(runner.stop)
    _start_metrics()
    log.info("consumer started", extra={"consumer": name, "topics": topics})
    runner.run()
    log.info("consumer stopped", extra={"consumer": name})


__all__ = ["run_relay", "run_consumer"]
