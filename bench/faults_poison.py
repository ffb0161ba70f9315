"""R4: poison events of every kind between good ones, on one partition of the registry topic.

Each poison must reach the dead-letter topic with a `pdz_dlq_reason` header,
every good event around it must be applied, and the consumer must stay alive.
Records go to partition 0 in this order: three good, then each poison followed
by a good one, so a consumer that stops on a poison leaves the good events
after it unapplied (and the scenario says which poison stopped it).
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from bench.faults_suite import Suite, topic_prefix
from bench.faults_writes import Outcome
from shared.config import Settings
from shared.events.envelope import new_event, to_kafka

REGISTERED = "it.pdz.registry.stakeholder.registered.v1"


def _data(stakeholder_id, **overrides) -> dict:
    return {"stakeholder_id": stakeholder_id, "name": "Associazione di prova guasti", "type": "other",
            "registered_at": datetime.now(timezone.utc).isoformat(), "status": "active", "version": 1,
            **overrides}


def good_event(tenant: str) -> tuple[str, tuple]:
    """(stakeholder id, (key, value, headers)) of a valid stakeholder.registered event."""
    sid = str(uuid.uuid4())
    event = new_event(type=REGISTERED, service="registry", tenant=tenant, aggregate_id=sid, data=_data(sid))
    return sid, to_kafka(event)


def _with(record: tuple, *, key: bytes, value=..., drop=(), replace=None) -> tuple:
    _key, old_value, headers = record
    headers = [(n, v) for n, v in headers if n not in drop]
    for name, raw in (replace or {}).items():
        headers = [(n, raw if n == name else v) for n, v in headers]
    return key, (old_value if value is ... else value), headers


def poisons(tenant: str, run: str) -> dict[str, tuple]:
    """kind -> (key, value, headers); each kind's key is unique, so its dead letter can be found."""
    def base(**data):
        sid = str(uuid.uuid4())
        return to_kafka(new_event(type=REGISTERED, service="registry", tenant=tenant, aggregate_id=sid,
                                  data={**_data(sid), **data}))

    def key(kind):
        return f"poison/{run}/{kind}".encode()

    unknown_tenant = to_kafka(new_event(type=REGISTERED, service="registry", tenant=f"no-such-ambito-{run}",
                                        aggregate_id="x", data=_data(str(uuid.uuid4()))))
    unknown_type = to_kafka(new_event(type="it.pdz.registry.stakeholder.teleported.v1", service="registry",
                                      tenant=tenant, aggregate_id="x", data=_data(str(uuid.uuid4()))))
    return {
        "bad envelope: data not JSON": _with(base(), key=key("not-json"), value=b"\x00 definitely not json"),
        "bad envelope: data a JSON array": _with(base(), key=key("array"), value=b"[1, 2, 3]"),
        "bad envelope: no value (tombstone)": _with(base(), key=key("tombstone"), value=None),
        "bad envelope: no ce_id": _with(base(), key=key("no-id"), drop=("ce_id",)),
        "bad envelope: ce_type not UTF-8": _with(base(), key=key("latin1"), replace={"ce_type": b"\xff\xfe"}),
        "unknown type (not in the event catalogue)": _with(unknown_type, key=key("unknown-type")),
        "schema-invalid data (no name, type 42)": _with(base(name=None, type=42), key=key("schema")),
        "unknown tenant": _with(unknown_tenant, key=key("unknown-tenant")),
        "violates the read model (version 2**40 overflows int)": _with(base(version=2 ** 40), key=key("overflow")),
        "NUL byte in ce_id": _with(base(), key=key("nul-id"), replace={"ce_id": b"poison\x00id"}),
        "projector crash (stakeholder_id an int)": _with(base(stakeholder_id=5), key=key("int-id")),
        "registered_at not a date-time": _with(base(registered_at="yesterday"), key=key("bad-time")),
    }


def read_dead_letters(bootstrap: str, topic: str, keys: set[bytes], timeout: float) -> dict[bytes, dict]:
    """key -> headers of the dead letters with those keys, read from the start of the topic."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             consumer_timeout_ms=1000)
    found: dict[bytes, dict] = {}
    try:
        partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + timeout
        while keys - set(found) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                for record in batch:
                    if record.key in keys:
                        found[record.key] = {n: v for n, v in record.headers}
    finally:
        consumer.close()
    return found


def poison_scenario(*, settings: Settings, folder: Path, apply_timeout: float = 60) -> Outcome:
    """R4 on the shared stack: the reporting consumer alone, fed by this process."""
    from shared.events.topics import deadletter_topic, service_topic

    outcome = Outcome("R4 poison events")
    suite = Suite(folder / "r4", database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap,
                  tenants=1)
    tenant = suite.slugs[0]
    try:
        suite.provision()
        suite.start("reporting-consumer")
        with topic_prefix(suite.prefix):
            topic, dlq = service_topic("registry"), deadletter_topic()
        bad = poisons(tenant, suite.prefix)
        good: list[str] = []
        after: dict[str, list[str]] = {}  # poison kind -> the good ids produced after it
        producer = KafkaProducer(bootstrap_servers=suite.kafka_bootstrap, acks="all")
        try:
            def send(record):
                key, value, headers = record
                producer.send(topic, key=key, value=value, headers=headers, partition=0).get(timeout=30)

            for _ in range(3):
                sid, record = good_event(tenant)
                send(record)
                good.append(sid)
            for kind, record in bad.items():
                send(record)
                sid, record = good_event(tenant)
                send(record)
                good.append(sid)
                for earlier in after.values():
                    earlier.append(sid)
                after[kind] = [sid]
            for _ in range(3):
                sid, record = good_event(tenant)
                send(record)
                good.append(sid)
                for earlier in after.values():
                    earlier.append(sid)
        finally:
            producer.close()

        deadline = time.monotonic() + apply_timeout
        counted = suite.counted_ids()
        while not set(good) <= counted and time.monotonic() < deadline and suite.alive("reporting-consumer"):
            time.sleep(0.3)
            counted = suite.counted_ids()
        letters = read_dead_letters(suite.kafka_bootstrap, dlq, {r[0] for r in bad.values()},
                                    timeout=15 if suite.alive("reporting-consumer") else 5)
        applied = sum(1 for sid in good if sid in counted)
        outcome.figures.update({"good events": len(good), "good events applied": applied,
                                "poison events": len(bad), "dead-lettered with a reason": sum(
                                    1 for r in bad.values() if letters.get(r[0], {}).get("pdz_dlq_reason")),
                                "consumer alive at the end": suite.alive("reporting-consumer")})
        for kind, record in bad.items():
            headers = letters.get(record[0])
            reason = (headers or {}).get("pdz_dlq_reason", b"").decode("utf-8", "replace")
            outcome.figures[f"  {kind}"] = f"dead-lettered: {reason[:90]}" if reason else (
                "dead-lettered without a reason" if headers is not None else "NOT dead-lettered")
            outcome.expect(bool(reason), f"poison '{kind}' did not reach {dlq} with a pdz_dlq_reason header")
        missing = [sid for sid in good if sid not in counted]
        if missing:
            # The first poison whose following good event is missing is where the consumer stopped.
            stopped_at = next((k for k, ids in after.items() if ids and ids[0] in missing), "before any poison")
            outcome.expect(False, f"{len(missing)} of {len(good)} good events were not applied "
                                  f"(the first missing one follows: {stopped_at})")
        alive = suite.alive("reporting-consumer")
        outcome.expect(alive, "the consumer died:\n" + suite.log_tail("reporting-consumer", 1500))
        outcome.expect(not (counted - set(good)), f"{len(counted - set(good))} rows counted that no good event made")
    finally:
        suite.stop_all()
        suite.drop_databases()
        suite.drop_topics()
    return outcome
