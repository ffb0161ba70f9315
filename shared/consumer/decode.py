"""From a Kafka record to an event this consumer can apply, or the reason it cannot (pure, no I/O)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from shared.consumer.errors import Rejected
from shared.consumer.event_catalogue import EventCatalogue
from shared.consumer.placement import where
from shared.events.envelope import CloudEvent, EnvelopeError, from_kafka

# Dead-letter reason kinds (the `reason` label of pdz_consumer_deadlettered_total).
ENVELOPE, UNSTORABLE, UNKNOWN_TYPE, SCHEMA, UNKNOWN_TENANT, PROJECTOR, READ_MODEL = (
    "envelope", "unstorable", "unknown_type", "schema", "unknown_tenant", "projector", "read_model")

# Event ids are UUIDs; a very long one could not even be indexed in processed_events.
MAX_ID_LENGTH = 200
# PostgreSQL text holds neither NUL nor a lone UTF-16 surrogate.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# In JSON text such characters can only appear escaped: look deeper only when an escape is there.
_SUSPECT_JSON = re.compile(rb"\\u(?:0000|[dD][89abcdefABCDEF])")

Projector = Callable[[CloudEvent], list]
Route = Any  # TenantRoute or RegionalRoute (routes.py): targets(event, own=, received=, only=)


@dataclass
class Item:
    """One polled record on its way through a batch."""

    record: Any
    event: CloudEvent | None = None
    target: str | None = None      # the database URL this item is applied to
    tenant: str | None = None      # whose database that is (None: a regional one)
    targets: tuple = ()            # (tenant, URL) of every database the event applies to, before expand()
    rows: list = field(default_factory=list)
    parked_at: float | None = None
    outcome: str = ""      # applied, duplicate, skipped, deadlettered, parked ("" = to apply)
    kind: str = ""         # dead-letter reason kind
    reason: str = ""

    def poison(self, kind: str, reason: str) -> "Item":
        self.outcome, self.kind, self.reason = "deadlettered", kind, reason
        return self


def _texts(document):
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from (k for k in item if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def unstorable(event: CloudEvent, raw_value: bytes | None) -> str | None:
    """The first attribute or data field PostgreSQL could not store, or None."""
    for name in ("id", "type", "source", "tenantid", "subject", "time"):
        if _UNSTORABLE.search(getattr(event, name) or ""):
            return f"ce_{name} contains NUL or a lone surrogate"
    if raw_value and _SUSPECT_JSON.search(raw_value):
        if any(_UNSTORABLE.search(text) for text in _texts(event.data)):
            return "data contains NUL or a lone surrogate"
    return None


def prepare(record, *, catalogue: EventCatalogue, projectors: Mapping[str, Projector], route: Route,
            only: str | None = None) -> Item:
    """Parse, check, route and project one record; never raises (a bad record becomes a poisoned Item).

    `only`: the one target tenant of a record parked for it (the retry topic)."""
    item = Item(record)
    try:
        event = from_kafka(record.value, record.headers)
    except EnvelopeError as exc:
        return item.poison(ENVELOPE, f"EnvelopeError: {exc}")
    except Exception as exc:  # noqa: BLE001 - whatever a record holds, the consumer goes on
        return item.poison(ENVELOPE, f"{type(exc).__name__}: {exc}")
    item.event = event
    if len(event.id) > MAX_ID_LENGTH:
        return item.poison(ENVELOPE, f"EnvelopeError: ce_id is longer than {MAX_ID_LENGTH} characters")
    problem = unstorable(event, record.value)
    if problem:
        return item.poison(UNSTORABLE, f"Unstorable: {problem}")
    if not catalogue.knows(event.type):
        return item.poison(UNKNOWN_TYPE, f"UnknownType: {event.type} is not in the event catalogue")
    projector = projectors.get(event.type)
    if projector is None:
        item.outcome = "skipped"  # catalogued, but not something this consumer reads
        return item
    try:
        problem = catalogue.problem(event.type, event.data)
    except Exception as exc:  # noqa: BLE001
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        return item.poison(SCHEMA, f"SchemaError: {problem}")
    own, received = where(projector)
    try:
        item.targets = route.targets(event, own=own, received=received, only=only)
    except Rejected as exc:
        return item.poison(exc.kind, f"Rejected: {exc}")
    if not item.targets:
        item.outcome = "skipped"  # applies only where received, and nobody receives it (or no longer)
        return item
    try:
        item.rows = list(projector(event))
    except Exception as exc:  # noqa: BLE001 - any projector failure is the event's, not the consumer's
        return item.poison(PROJECTOR, f"{type(exc).__name__}: {exc}")
    return item


def expand(item: Item) -> list[Item]:
    """One item per target database (they share the record, event and rows); a settled item stays one."""
    if item.outcome or not item.targets:
        return [item]
    (tenant, url), *others = item.targets
    item.tenant, item.target = tenant, url
    return [item] + [replace(item, tenant=t, target=u) for t, u in others]
