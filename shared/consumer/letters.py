"""Headers of dead-lettered and parked records (pure)."""
from __future__ import annotations

DLQ_REASON, DLQ_KIND, DLQ_CONSUMER, DLQ_ORIGIN = "pdz_dlq_reason", "pdz_dlq_kind", "pdz_dlq_consumer", "pdz_dlq_origin"
RETRY_CONSUMER, RETRY_PARKED_AT, RETRY_ORIGIN, RETRY_REASON = (
    "pdz_retry_consumer", "pdz_retry_parked_at", "pdz_retry_origin", "pdz_retry_reason")
_RETRY = (RETRY_CONSUMER, RETRY_PARKED_AT, RETRY_ORIGIN, RETRY_REASON)


def header(record, name: str) -> str | None:
    for key, value in record.headers or []:
        if key == name:
            try:
                return value.decode("utf-8")
            except (AttributeError, UnicodeDecodeError):
                return None
    return None


def origin(record) -> str:
    """Where the event first arrived: `<topic>/<partition>/<offset>` (a parked record keeps its first)."""
    return header(record, RETRY_ORIGIN) or f"{record.topic}/{record.partition}/{record.offset}"


def deadletter_headers(record, *, reason: str, kind: str, consumer: str) -> list[tuple[str, bytes]]:
    """The original headers plus why, who and where from."""
    kept = [(k, v) for k, v in record.headers or [] if k not in _RETRY]
    return kept + [
        (DLQ_REASON, reason[:2000].encode("utf-8", "backslashreplace")),
        (DLQ_KIND, kind.encode()),
        (DLQ_CONSUMER, consumer.encode("utf-8", "backslashreplace")),
        (DLQ_ORIGIN, origin(record).encode("utf-8", "backslashreplace")),
    ]


def park_headers(record, *, consumer: str, reason: str, now: float) -> list[tuple[str, bytes]]:
    """The original headers plus the consumer group that will re-apply it, when, why and where from."""
    kept = [(k, v) for k, v in record.headers or [] if k not in _RETRY]
    return kept + [
        (RETRY_CONSUMER, consumer.encode()),
        (RETRY_PARKED_AT, f"{now:.3f}".encode()),
        (RETRY_ORIGIN, origin(record).encode()),
        (RETRY_REASON, reason[:2000].encode("utf-8", "backslashreplace")),
    ]
