"""Dead-lettered and parked records: their headers (pure), and sending them."""
from __future__ import annotations

DLQ_REASON, DLQ_KIND, DLQ_CONSUMER, DLQ_ORIGIN = "pdz_dlq_reason", "pdz_dlq_kind", "pdz_dlq_consumer", "pdz_dlq_origin"
DLQ_TARGET = "pdz_dlq_target"
RETRY_CONSUMER, RETRY_PARKED_AT, RETRY_ORIGIN, RETRY_REASON, RETRY_TARGET = (
    "pdz_retry_consumer", "pdz_retry_parked_at", "pdz_retry_origin", "pdz_retry_reason", "pdz_retry_target")
# A parked record is re-applied only to the tenant database it was parked for: the event's other
# targets (its own tenant, other receivers) already have it.
_RETRY = (RETRY_CONSUMER, RETRY_PARKED_AT, RETRY_ORIGIN, RETRY_REASON, RETRY_TARGET)


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


def deadletter_headers(record, *, reason: str, kind: str, consumer: str,
                       target: str | None = None) -> list[tuple[str, bytes]]:
    """The original headers plus why, who, where from and, if refused by one tenant's database, which."""
    kept = [(k, v) for k, v in record.headers or [] if k not in _RETRY]
    return kept + [
        (DLQ_REASON, reason[:2000].encode("utf-8", "backslashreplace")),
        (DLQ_KIND, kind.encode()),
        (DLQ_CONSUMER, consumer.encode("utf-8", "backslashreplace")),
        (DLQ_ORIGIN, origin(record).encode("utf-8", "backslashreplace")),
    ] + ([(DLQ_TARGET, target.encode("utf-8", "backslashreplace"))] if target else [])


def park_headers(record, *, consumer: str, reason: str, now: float,
                 target: str | None = None) -> list[tuple[str, bytes]]:
    """The original headers plus the consumer group that will re-apply it, when, why, where from and the
    tenant whose database it waits for."""
    kept = [(k, v) for k, v in record.headers or [] if k not in _RETRY]
    return kept + [
        (RETRY_CONSUMER, consumer.encode()),
        (RETRY_PARKED_AT, f"{now:.3f}".encode()),
        (RETRY_ORIGIN, origin(record).encode()),
        (RETRY_REASON, reason[:2000].encode("utf-8", "backslashreplace")),
    ] + ([(RETRY_TARGET, target.encode("utf-8", "backslashreplace"))] if target else [])


def send_letters(producer, items, *, consumer: str, retry_topic: str, deadletter_topic: str, now: float,
                 log) -> None:
    """Dead-letter and park what must be, waiting for Kafka's acknowledgement of each (before the offsets move)."""
    futures = []
    for item in items:
        record = item.record
        if item.outcome == "deadlettered":
            headers = deadletter_headers(record, reason=item.reason, kind=item.kind, consumer=consumer,
                                         target=item.tenant)
            futures.append(producer.send(deadletter_topic, key=record.key, value=record.value, headers=headers))
            log.warning("event dead-lettered", extra={
                "consumer": consumer, "reason_kind": item.kind, "origin": origin(record), "target": item.tenant,
                "event_type": item.event.type if item.event else None})
        elif item.outcome == "parked":
            futures.append(producer.send(retry_topic, key=record.key, value=record.value, headers=park_headers(
                record, consumer=consumer, reason=item.reason, now=now, target=item.tenant)))
    if futures:
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)
