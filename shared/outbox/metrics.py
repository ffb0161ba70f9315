"""Prometheus metrics of the outbox relay (names documented in docs/architecture.md)."""
from prometheus_client import Counter, Gauge

PUBLISHED = Counter("pdz_relay_published_total", "Outbox events published", ["service", "tenant"])
DEADLETTERED = Counter("pdz_relay_deadlettered_total",
                       "Outbox rows sent to the dead-letter topic instead of their topic", ["service", "tenant"])
ERRORS = Counter("pdz_relay_errors_total", "Failed drains of a tenant outbox (database or Kafka)",
                 ["service", "tenant"])
BACKLOG = Gauge("pdz_relay_backlog", "Unpublished outbox rows seen at the tenant's last drain",
                ["service", "tenant"])
LAG = Gauge("pdz_relay_lag_seconds", "Age of the oldest unpublished row seen at the tenant's last drain",
            ["service", "tenant"])
LAST_PROGRESS = Gauge("pdz_relay_last_progress_timestamp_seconds",
                      "When the relay last drained without failure or had nothing left to do", ["service"])
LAST_SWEEP = Gauge("pdz_relay_last_sweep_timestamp_seconds", "When the relay last finished a full sweep",
                   ["service"])
SWEEP_SECONDS = Gauge("pdz_relay_sweep_duration_seconds", "Duration of the last full sweep", ["service"])
FLUSHES = Counter("pdz_relay_flushes_total", "Producer flushes (one per round of woken tenants)", ["service"])
DRAINS = Counter("pdz_relay_drains_total", "Tenant drains (lock, read, send, mark)", ["service"])
LISTENERS = Gauge("pdz_relay_listeners_connected", "Server targets whose LISTEN connection is up",
                  ["service"])
