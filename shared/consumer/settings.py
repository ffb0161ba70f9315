"""Consumer settings from the environment (documented in docs/architecture.md §5 and README.md)."""
from __future__ import annotations

import os
from dataclasses import dataclass


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class ConsumerSettings:
    """How a consumer batches, retries, parks and purges."""

    # A tenant database down for longer than this no longer holds back the
    # other tenants: its records are parked on the retry topic.
    tenant_retry_seconds: float = 30.0
    max_poll_records: int = 500
    # processed_events rows older than this are purged: well beyond the topics' 30 days.
    dedupe_days: int = 60
    # /livez fails when the loop has not turned for this long; /readyz when
    # records wait and nothing was applied for this long.
    stall_seconds: float = 120.0
    retry_max_seconds: float = 10.0

    @classmethod
    def from_env(cls) -> "ConsumerSettings":
        return cls(
            tenant_retry_seconds=_number("PDZ_CONSUMER_TENANT_RETRY_SECONDS", cls.tenant_retry_seconds),
            max_poll_records=int(_number("PDZ_CONSUMER_MAX_POLL_RECORDS", cls.max_poll_records)),
            dedupe_days=int(_number("PDZ_CONSUMER_DEDUPE_DAYS", cls.dedupe_days)),
            stall_seconds=_number("PDZ_CONSUMER_STALL_SECONDS", cls.stall_seconds),
            retry_max_seconds=_number("PDZ_CONSUMER_RETRY_MAX_SECONDS", cls.retry_max_seconds),
        )
