"""What the relay does with a row Kafka did not take: retry it, count it, or dead-letter it.

Pure functions, so that the decision is tested without Kafka. Three kinds of
failure:

- `permanent`: the row itself can never be sent (too large, not serialisable):
  dead-lettered at once;
- `transient`: Kafka or the network is unwell (timeouts, no broker, leader
  moving, missing rights): not the row's fault, never counted, the tenant waits
  and is retried, so an outage never dead-letters good events;
- `row`: any other refusal of this record: counted in `outbox.attempts`, and
  dead-lettered once it reaches the relay's attempt limit.
"""
from __future__ import annotations

from kafka import errors as kafka_errors

PERMANENT = "permanent"
TRANSIENT = "transient"
ROW = "row"

# Decisions for one failed row.
DEADLETTER = "deadletter"
COUNT = "count"  # note the attempt, keep the row, stop the tenant here
WAIT = "wait"    # keep the row without counting, stop the tenant here

_PERMANENT_TYPES = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidRecordError,
    kafka_errors.CorruptRecordError,
    TypeError, ValueError, UnicodeError,  # the envelope cannot be serialised
)
_TRANSIENT_TYPES = (kafka_errors.AuthorizationError, kafka_errors.IllegalStateError)


def classify(exc: BaseException) -> str:
    """The kind of a send failure: PERMANENT, TRANSIENT or ROW."""
    if isinstance(exc, _PERMANENT_TYPES):
        return PERMANENT
    if isinstance(exc, _TRANSIENT_TYPES) or getattr(exc, "retriable", False):
        return TRANSIENT
    return ROW


def decide(kind: str, *, attempts: int, max_attempts: int) -> str:
    """DEADLETTER, COUNT or WAIT for a row that failed with `kind` after `attempts` earlier failures."""
    if kind == PERMANENT:
        return DEADLETTER
    if kind == TRANSIENT:
        return WAIT
    return DEADLETTER if attempts + 1 >= max_attempts else COUNT


def reason(exc: BaseException) -> str:
    """The failure as stored in outbox.last_error and the dead-letter header (bounded)."""
    return f"{type(exc).__name__}: {exc}"[:2000]


def too_large(exc: BaseException) -> bool:
    """True when the record itself cannot travel, so the dead letter must not carry its value."""
    return isinstance(exc, (kafka_errors.MessageSizeTooLargeError, kafka_errors.RecordListTooLargeError))
