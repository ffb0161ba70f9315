"""The relay's pure decisions: what to do with a failed row, which databases to drain, whom to listen to."""
from kafka import errors as kafka_errors

from shared.outbox import failures
from shared.outbox.listen import changed_databases, listen_key


def test_a_record_too_large_or_not_serialisable_is_dead_lettered_at_once():
    for exc in (kafka_errors.MessageSizeTooLargeError("2 MB"), TypeError("not JSON"), UnicodeEncodeError(
            "utf-8", "\ud800", 0, 1, "surrogate")):
        assert failures.classify(exc) == failures.PERMANENT
        assert failures.decide(failures.classify(exc), attempts=0, max_attempts=5) == failures.DEADLETTER


def test_kafka_being_unwell_never_dead_letters_a_row():
    for exc in (kafka_errors.KafkaTimeoutError("no ack"), kafka_errors.NoBrokersAvailable(),
                kafka_errors.NotLeaderForPartitionError(), kafka_errors.TopicAuthorizationFailedError()):
        assert failures.classify(exc) == failures.TRANSIENT
        assert failures.decide(failures.TRANSIENT, attempts=10_000, max_attempts=5) == failures.WAIT


def test_another_refusal_is_counted_and_dead_lettered_after_the_limit():
    kind = failures.classify(kafka_errors.InvalidTopicError("bad topic"))
    assert kind == failures.ROW
    assert [failures.decide(kind, attempts=n, max_attempts=3) for n in range(4)] == [
        failures.COUNT, failures.COUNT, failures.DEADLETTER, failures.DEADLETTER]


def test_the_reason_is_bounded_and_names_the_error():
    reason = failures.reason(ValueError("x" * 5000))
    assert reason.startswith("ValueError: ") and len(reason) == 2000


def test_only_databases_whose_insert_counter_moved_are_drained():
    before = {"registry__a": 10, "registry__b": 5, "registry__c": 7}
    after = {"registry__a": 10, "registry__b": 6, "registry__c": 0, "registry__new": 0}
    # c: statistics were reset (the counter went down); new: not seen before.
    assert changed_databases(before, after) == {"registry__b", "registry__c", "registry__new"}
    assert changed_databases(after, after) == set()


def test_a_listen_target_is_the_whole_server_connection_not_host_and_port():
    first = listen_key("postgresql://pdz@db.example:5432/postgres")
    assert first == ("db.example", "5432", "postgres", "pdz")
    assert listen_key("postgresql://pdz@db.example:5432/maintenance") != first
    assert listen_key("postgresql://other@db.example:5432/postgres") != first
    assert listen_key("host=db.example port=5432 dbname=postgres user=pdz") == first
