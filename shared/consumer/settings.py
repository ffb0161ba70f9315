"""Consumer settings from the environment (documented in docs/architecture.md §5 and README.md)."""
from __future__ import annotations

from dataclasses import dataclass

from shared.config import env_float, env_int


@dataclass(frozen=True)
class ConsumerSettings:
    """How a consumer batches, retries, parks and purges."""

    # A tenant database down for longer than this no longer holds back the
    # other tenants: its records are parked on the retry topic.
    tenant_retry_seconds: float = 30.0
    max_poll_records: int = 500
    # processed_events rows older than this are purged: well beyond the topics' 30 days.
    dedupe_days: int = 60
    # /readyz fails when records wait and nothing was applied for this long
    # (/livez has its own bound: PDZ_LIVENESS_STALL_SECONDS, shared/ops.py).
    stall_seconds: float = 120.0
    retry_max_seconds: float = 10.0

    @classmethod
    def from_env(cls) -> "ConsumerSettings":
        return cls(
            tenant_retry_seconds=env_float("PDZ_CONSUMER_TENANT_RETRY_SECONDS", cls.tenant_retry_seconds),
            max_poll_records=env_int("PDZ_CONSUMER_MAX_POLL_RECORDS", cls.max_poll_records),
            dedupe_days=env_int("PDZ_CONSUMER_DEDUPE_DAYS", cls.dedupe_days),
            stall_seconds=env_float("PDZ_CONSUMER_STALL_SECONDS", cls.stall_seconds),
            retry_max_seconds=env_float("PDZ_CONSUMER_RETRY_MAX_SECONDS", cls.retry_max_seconds),
        )
