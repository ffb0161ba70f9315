"""The Kafka side of a replay: partitions and their offsets, the live group's members and offsets."""
from __future__ import annotations

from kafka import KafkaAdminClient, KafkaConsumer, OffsetAndMetadata, TopicPartition

from shared.kafka.clients import connection

Offsets = dict  # TopicPartition -> int


def assigned_consumer(bootstrap: str, *, group: str, max_poll_records: int) -> KafkaConsumer:
    """A consumer that is given its partitions (no rebalance, no member of any group) and commits to `group`."""
    return KafkaConsumer(**connection(bootstrap), group_id=group, client_id=group, enable_auto_commit=False,
                         auto_offset_reset="earliest", max_poll_records=max_poll_records,
                         request_timeout_ms=30_000)


def partitions(consumer: KafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the topics; a missing topic is an error (nothing to replay from)."""
    found = []
    for topic in topics:
        ids = consumer.partitions_for_topic(topic)
        if not ids:
            raise RuntimeError(f"topic {topic} does not exist")
        found += [TopicPartition(topic, p) for p in sorted(ids)]
    return found


def _admin(bootstrap: str) -> KafkaAdminClient:
    return KafkaAdminClient(**connection(bootstrap), client_id="pdz-reporting-replay",
                            request_timeout_ms=30_000)


def committed(bootstrap: str, group: str) -> Offsets:
    """The group's committed offsets (none: {})."""
    admin = _admin(bootstrap)
    try:
        return {tp: meta.offset for tp, meta in admin.list_consumer_group_offsets(group).items()
                if meta.offset >= 0}
    finally:
        admin.close()


def members(bootstrap: str, group: str) -> int:
    """How many consumers are in the group now (0: stopped, or never started)."""
    admin = _admin(bootstrap)
    try:
        described = admin.describe_consumer_groups([group])
        return sum(len(g.members) for g in described)
    finally:
        admin.close()


def set_offsets(bootstrap: str, group: str, offsets: Offsets) -> None:
    """Commit `offsets` for `group`; Kafka refuses it while the group has members (it must be stopped)."""
    consumer = KafkaConsumer(**connection(bootstrap), group_id=group, client_id=f"{group}-replay-offsets",
                             enable_auto_commit=False)
    try:
        consumer.assign(list(offsets))
        consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in offsets.items()})
    finally:
        consumer.close(autocommit=False)
    seen = committed(bootstrap, group)
    wrong = {f"{tp.topic}/{tp.partition}": seen.get(tp) for tp, o in offsets.items() if seen.get(tp) != o}
    if wrong:
        raise RuntimeError(f"the offsets of {group} did not take: {wrong}")


def delete_group(bootstrap: str, group: str) -> None:
    """Forget the replay's own group (its offsets served only the replay)."""
    admin = _admin(bootstrap)
    try:
        admin.delete_consumer_groups([group])
    finally:
        admin.close()
