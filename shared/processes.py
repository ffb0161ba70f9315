"""Entry points for the long-running relay and consumer processes."""
from __future__ import annotations

import logging
import os
import signal

from shared.config import Settings
from shared.consumer.runner import ConsumerRunner
from shared.db.credentials import service_login
from shared.db.pools import PoolRegistry
from shared.db.readiness import MigrationReadiness
from shared.http.logs import configure_logging
from shared.kafka.clients import idempotent_producer, manual_commit_consumer
from shared.outbox.relay import Relay
from shared.tenants import load_catalogue

log = logging.getLogger(__name__)


def _on_stop(stop) -> None:
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def run_relay(service: str) -> None:
    """Publish the outboxes of `service` for every tenant until SIGTERM.

    Serves /metrics, /livez (loop heartbeat) and /readyz (Kafka, maintenance
    databases, progress) on PDZ_METRICS_PORT (0: none).
    """
    from shared.ops import liveness_stall_seconds, serve_ops

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    # The service's own database roles, never the admin of PDZ_DATABASE_URL (shared/db/roles.py).
    catalogue = load_catalogue(settings.tenants_file, settings.database_url, login=service_login(settings, service))
    pools = PoolRegistry(max_per_pool=1, max_pools=settings.pool_max_tenants,
                         max_connections=settings.pool_max_connections,
                         idle_seconds=settings.pool_idle_seconds)
    producer = idempotent_producer(settings.kafka_bootstrap, client_id=f"pdz-{service}-relay")
    relay = Relay(service=service, catalogue=catalogue, pools=pools, producer=producer,
                  loop_stale_seconds=liveness_stall_seconds(),
                  sweep_seconds=settings.relay_sweep_seconds, batch_size=settings.relay_batch_size,
                  full_sweep_seconds=settings.relay_full_sweep_seconds,
                  max_attempts=settings.relay_max_attempts,
                  tenants_per_flush=settings.relay_tenants_per_flush,
                  kafka_bootstrap=settings.kafka_bootstrap)
    _on_stop(relay.stop)
    port = int(os.environ.get("PDZ_METRICS_PORT", "9100"))
    ops = serve_ops(port=port, addr=os.environ.get("PDZ_METRICS_ADDR", "0.0.0.0"),
                    live={"loop": relay.heartbeat.check},
                    ready={"kafka": relay.check_kafka, "database": relay.check_database,
                           "progress": relay.check_progress,
                           "migrations": MigrationReadiness.for_service(service, catalogue, pools).check}
                    ) if port else None
    log.info("relay started", extra={"service": service, "tenants": len(catalogue)})
    try:
        relay.run()
    finally:
        pools.close()
        if ops is not None:
            ops.shutdown()
    log.info("relay stopped", extra={"service": service})


def run_consumer(*, service: str, name: str, topics: list[str], projectors, regional: bool = False) -> None:
    """Run one consumer group of `service` until SIGTERM; finishes the batch in hand before stopping.

    Tenant-routed (each event into its tenant's `service` database and, for the
    projectors placed where received, into those of the tenants its data set is
    shared with: the catalogue's shares in force, shared/consumer/placement.py)
    unless `regional`, where every event of a known tenant goes to the service's
    one regional database. Serves /metrics, /livez, /readyz on PDZ_METRICS_PORT.
    """
    from shared.consumer.event_catalogue import EventCatalogue
    from shared.consumer.health import kafka_reachable
    from shared.consumer.routes import RegionalRoute, TenantRoute
    from shared.consumer.settings import ConsumerSettings
    from shared.events.topics import retry_topic
    from shared.ops import liveness_stall_seconds, serve_ops

    settings = Settings.from_env()
    consumer_settings = ConsumerSettings.from_env()
    configure_logging(settings.log_level)
    catalogue = load_catalogue(settings.tenants_file, settings.database_url, login=service_login(settings, service))
    route = RegionalRoute(catalogue, service) if regional else TenantRoute(catalogue, service)
    subscribed = list(topics) + ([retry_topic()] if route.parks else [])
    # One connection per target database (batches are applied one database at a time); a
    # statement stuck on a lock gives up long before /livez would restart the process.
    pools = PoolRegistry(max_per_pool=1, max_pools=settings.pool_max_tenants,
                         max_connections=settings.pool_max_connections,
                         idle_seconds=settings.pool_idle_seconds, timeout=5.0, statement_timeout_ms=60_000)
    runner = ConsumerRunner(
        name=name,
        consumer=manual_commit_consumer(settings.kafka_bootstrap, group_id=name, topics=subscribed,
                                        max_poll_records=consumer_settings.max_poll_records),
        producer=idempotent_producer(settings.kafka_bootstrap, client_id=f"{name}-dlq"),
        pools=pools, route=route, projectors=projectors, events=EventCatalogue.load(),
        settings=consumer_settings)
    runner.heartbeat.stale_after = liveness_stall_seconds()  # PDZ_LIVENESS_STALL_SECONDS, as the relay's
    _on_stop(runner.stop)
    port = int(os.environ.get("PDZ_METRICS_PORT", "9100"))
    ops = serve_ops(port=port, addr=os.environ.get("PDZ_METRICS_ADDR", "0.0.0.0"),
                    live={"loop": runner.heartbeat.check},
                    ready={"kafka": kafka_reachable(settings.kafka_bootstrap),
                           "database": runner.database_problem, "progress": runner.progress_problem,
                           # the databases it writes: each target tenant's (or the regional one), migrated
                           "migrations": MigrationReadiness.for_service(service, catalogue, pools).check}
                    ) if port else None
    shares = [] if regional else [f"{s.origin}->{s.to}" for s in route.sharing.shares]
    log.info("consumer started", extra={"consumer": name, "topics": subscribed, "regional": regional,
                                        "shares": shares})
    try:
        runner.run()
    finally:
        pools.close()
        if ops is not None:
            ops.shutdown()
    log.info("consumer stopped", extra={"consumer": name})


__all__ = ["run_relay", "run_consumer"]
