"""CloudEvents 1.0 in Kafka binary content mode, with the `tenantid` extension.

One more extension, `pdzreplay`: "true" on the snapshots a re-publication emits
(shared/outbox/republish.py), so that a replay is told from a change; absent on
every ordinary event.

Attributes travel as `ce_*` headers, the JSON `data` is the record value, and
the key is the aggregate id prefixed by the tenant, so one aggregate's events
land on one partition and keep their order.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
TYPE_RE = re.compile(r"^it\.pdz\.[a-z]+\.[a-z_]+\.[a-z_]+\.v[1-9][0-9]*$")
REQUIRED = ("id", "source", "specversion", "type", "tenantid")


class EnvelopeError(ValueError):
    """A Kafka record is not a valid PdZ CloudEvent."""


@dataclass(frozen=True)
class CloudEvent:
    """One domain event, as produced and consumed by PdZ services."""

    type: str
    source: str
    tenantid: str
    subject: str
    data: dict
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    replay: bool = False  # the `pdzreplay` extension: a snapshot re-published, not a change

    @property
    def key(self) -> str:
        """Kafka key: tenant-prefixed aggregate id."""
        return f"{self.tenantid}/{self.subject}"

    @property
    def service(self) -> str:
        return self.type.split(".")[2]


def new_event(*, type: str, service: str, tenant: str, aggregate_id: str, data: dict) -> CloudEvent:
    """A new event of `type` about one aggregate of one tenant."""
    if not TYPE_RE.match(type):
        raise ValueError(f"event type {type!r} must look like it.pdz.<service>.<aggregate>.<verb>.v<N>")
    return CloudEvent(type=type, source=f"/pdz/{service}/{tenant}", tenantid=tenant,
                      subject=str(aggregate_id), data=data)


def to_kafka(event: CloudEvent) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """(key, value, headers) for a Kafka producer."""
    headers = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", event.id.encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", event.time.encode()),
        ("ce_subject", event.subject.encode()),
        ("ce_tenantid", event.tenantid.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if event.replay:
        headers.append(("ce_pdzreplay", b"true"))
    value = json.dumps(event.data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return event.key.encode("utf-8"), value, headers


def from_kafka(value: bytes | None, headers: list[tuple[str, bytes]] | None) -> CloudEvent:
    """Parse a Kafka record into a CloudEvent; anything malformed raises EnvelopeError."""
    attrs: dict[str, str] = {}
    for name, raw in headers or []:
        if name.startswith("ce_"):
            try:
                attrs[name[3:]] = raw.decode("utf-8")
            except (UnicodeDecodeError, AttributeError) as exc:
                raise EnvelopeError(f"header {name} is not UTF-8 text") from exc
    missing = [name for name in REQUIRED if not attrs.get(name)]
    if missing:
        raise EnvelopeError(f"missing CloudEvents attributes: {', '.join('ce_' + m for m in missing)}")
    if attrs["specversion"] != SPEC_VERSION:
        raise EnvelopeError(f"unsupported specversion {attrs['specversion']!r}")
    if not TYPE_RE.match(attrs["type"]):
        raise EnvelopeError(f"event type {attrs['type']!r} is not a PdZ event type")
    try:
        data = json.loads((value or b"").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise EnvelopeError(f"data is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EnvelopeError("data must be a JSON object")
    return CloudEvent(type=attrs["type"], source=attrs["source"], tenantid=attrs["tenantid"],
                      subject=attrs.get("subject", ""), data=data, id=attrs["id"],
                      time=attrs.get("time", ""), replay=attrs.get("pdzreplay") == "true")
