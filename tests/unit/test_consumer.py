"""Pure parts of the consumer: decoding records, back-off and parking times, letters, row statements."""
import json
import uuid
from dataclasses import dataclass, field

import pytest

from shared.consumer.decode import expand, prepare, unstorable
from shared.consumer.errors import Rejected, describe
from shared.consumer.event_catalogue import EventCatalogue
from shared.consumer.letters import deadletter_headers, header, origin, park_headers
from shared.consumer.outages import Outages, park_at
from shared.consumer.rows import Delete, Upsert, statement
from shared.consumer.settings import ConsumerSettings
from shared.events.envelope import new_event, to_kafka

EVENTS = EventCatalogue.load()
REGISTERED = "it.pdz.registry.stakeholder.registered.v1"


@dataclass
class Record:
    key: bytes
    value: bytes
    headers: list
    topic: str = "pdz.registry.v1"
    partition: int = 0
    offset: int = 7
    extra: dict = field(default_factory=dict)


def _record(tenant="pollino", type_=REGISTERED, **data):
    sid = str(uuid.uuid4())
    payload = {"stakeholder_id": sid, "name": "APS Pollino Solidale", "type": "ets", "runts_section": "b",
               "registered_at": "2026-03-02T10:15:00+00:00", **data}
    return Record(*to_kafka(new_event(type=type_, service="registry", tenant=tenant, aggregate_id=sid,
                                      data=payload)))


class _Route:
    @staticmethod
    def targets(event, *, own=True, received=False, only=None):
        if event.tenantid == "nowhere":
            raise Rejected("unknown tenant 'nowhere'", kind="unknown_tenant")
        return ((event.tenantid, f"db-of-{event.tenantid}"),)


def _prepare(record, projectors=None):
    return prepare(record, catalogue=EVENTS, route=_Route,
                   projectors=projectors or {REGISTERED: lambda e: [Upsert("t", key={"id": e.id})]})


def test_a_good_record_gets_its_target_and_rows():
    [item] = expand(_prepare(_record()))
    assert item.outcome == "" and item.target == "db-of-pollino" and item.tenant == "pollino"
    assert len(item.rows) == 1


@pytest.mark.parametrize("mutate, kind, words", [
    (lambda r: setattr(r, "value", b"{nope"), "envelope", "not JSON"),
    (lambda r: setattr(r, "headers", [h for h in r.headers if h[0] != "ce_id"]), "envelope", "ce_id"),
    (lambda r: setattr(r, "headers", [(n, b"a\x00b" if n == "ce_id" else v) for n, v in r.headers]),
     "unstorable", "ce_id"),
    (lambda r: setattr(r, "headers", [(n, b"x\x00" if n == "ce_tenantid" else v) for n, v in r.headers]),
     "unstorable", "ce_tenantid"),
    (lambda r: setattr(r, "value", json.dumps({**json.loads(r.value), "name": "a\u0000b"}).encode()),
     "unstorable", "data"),
    (lambda r: setattr(r, "value", json.dumps({**json.loads(r.value), "name": "a\ud800b"}).encode()),
     "unstorable", "data"),
    (lambda r: setattr(r, "value", json.dumps({**json.loads(r.value), "stakeholder_id": 5}).encode()),
     "schema", "stakeholder_id"),
])
def test_poison_records_are_named_by_kind(mutate, kind, words):
    record = _record()
    mutate(record)
    item = _prepare(record)
    assert (item.outcome, item.kind) == ("deadlettered", kind)
    assert words in item.reason


def test_an_emoji_surrogate_pair_is_storable():
    record = _record(name="Cooperativa \U0001F600")
    record.value = json.dumps(json.loads(record.value)).encode()  # ensure_ascii: written as \ud83d\ude00
    assert b"\\ud83d" in record.value
    assert _prepare(record).outcome == ""


def test_unknown_types_are_poison_and_catalogued_types_not_projected_are_skipped():
    unknown = _prepare(_record(type_="it.pdz.registry.nothing.happened.v1"))
    assert (unknown.outcome, unknown.kind) == ("deadlettered", "unknown_type")
    assert _prepare(_record(type_="it.pdz.registry.call.drafted.v1")).outcome == "skipped"


def test_unknown_tenant_and_any_projector_exception_are_poison():
    assert _prepare(_record(tenant="nowhere")).kind == "unknown_tenant"

    def broken(event):
        raise AttributeError("'int' object has no attribute 'replace'")
    item = _prepare(_record(), {REGISTERED: broken})
    assert (item.kind, item.reason) == ("projector", "AttributeError: 'int' object has no attribute 'replace'")


def test_unstorable_looks_at_data_only_when_an_escape_is_there():
    event = new_event(type=REGISTERED, service="registry", tenant="x", aggregate_id="1", data={"a": "b\u0000"})
    assert unstorable(event, b'{"a":"b\\u0000"}') == "data contains NUL or a lone surrogate"
    assert unstorable(event, b'{"a":"plain"}') is None  # no escape in the raw JSON: nothing to look for


def test_back_off_doubles_to_its_cap_and_a_recovery_forgets_it():
    outages = Outages(first_delay=0.5, max_delay=2.0)
    first = outages.failed("db", "down", now=100.0)
    assert (first.since, first.next_try) == (100.0, 100.5)
    assert not outages.due("db", 100.2) and outages.due("db", 100.5)
    for now in (101.0, 102.0, 103.0):
        outage = outages.failed("db", "still down", now=now)
    assert outage.delay == 2.0 and outage.since == 100.0 and outage.next_try == 105.0
    outages.recovered("db")
    assert outages.get("db") is None and outages.due("db", 0.0)


def test_records_are_parked_a_bound_after_the_outage_began_and_parked_again_ten_bounds_later():
    outages = Outages()
    outage = outages.failed("db", "down", now=1000.0)
    assert park_at(outage, parked_at=None, bound=30.0) == 1030.0
    assert park_at(outage, parked_at=1100.0, bound=30.0) == 1400.0  # read back from the retry topic: 10 bounds
    assert park_at(outage, parked_at=None, bound=None) == float("inf")  # a regional database never parks


def test_dead_letter_headers_keep_the_original_and_say_why():
    record = _record()
    headers = dict(deadletter_headers(record, reason="SchemaError: x" * 500, kind="schema", consumer="g"))
    assert headers["ce_type"] == REGISTERED.encode()
    assert headers["pdz_dlq_kind"] == b"schema" and headers["pdz_dlq_consumer"] == b"g"
    assert len(headers["pdz_dlq_reason"]) == 2000
    assert headers["pdz_dlq_origin"] == b"pdz.registry.v1/0/7"


def test_a_parked_record_keeps_its_first_origin():
    record = _record()
    parked = Record(record.key, record.value, park_headers(record, consumer="g", reason="down", now=12.5),
                    topic="pdz.retry.v1", offset=3)
    assert header(parked, "pdz_retry_consumer") == "g" and header(parked, "pdz_retry_parked_at") == "12.500"
    assert origin(parked) == "pdz.registry.v1/0/7"
    again = park_headers(parked, consumer="g", reason="down", now=99.0)
    assert [k for k, _ in again].count("pdz_retry_origin") == 1
    assert dict(deadletter_headers(parked, reason="r", kind="schema", consumer="g"))["pdz_dlq_origin"] == \
        b"pdz.registry.v1/0/7"


def test_rows_of_one_shape_share_a_statement():
    a = statement(Upsert("t", key={"id": 1}, values={"v": 2}, newer_than="v"))
    b = statement(Upsert("t", key={"id": 3}, values={"v": 4}, newer_than="v"))
    assert a[0] == b[0] and (a[1], b[1]) == ([1, 2], [3, 4])
    assert statement(Delete("t", key={"id": 1}))[0] != a[0]
    with pytest.raises(TypeError):
        statement(("t", 1))


def test_describe_leaves_out_postgres_details():
    assert describe(ValueError("bad")) == "ValueError: bad"


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("PDZ_CONSUMER_TENANT_RETRY_SECONDS", "5")
    monkeypatch.setenv("PDZ_CONSUMER_MAX_POLL_RECORDS", "100")
    settings = ConsumerSettings.from_env()
    assert (settings.tenant_retry_seconds, settings.max_poll_records, settings.dedupe_days) == (5.0, 100, 60)
    monkeypatch.setenv("PDZ_CONSUMER_DEDUPE_DAYS", "soon")
    with pytest.raises(ValueError, match="PDZ_CONSUMER_DEDUPE_DAYS"):
        ConsumerSettings.from_env()


def test_kafka_check_names_the_brokers_it_could_not_reach():
    from shared.consumer.health import kafka_reachable
    assert kafka_reachable("127.0.0.1:1", timeout=0.5)() == "no Kafka broker reachable at 127.0.0.1:1"


class _Closable:
    def __init__(self):
        self.closed = False

    def close(self, **_kwargs):
        self.closed = True

    def flush(self, **_kwargs):
        pass


class _BrokenConsumer(_Closable):
    def poll(self, **_kwargs):
        raise RuntimeError("a bug in the loop")

    def assignment(self):
        return set()


def test_run_closes_the_clients_whatever_stops_it():
    # Regression: run() called close() only after a clean stop, never after an exception.
    from shared.consumer.routes import RegionalRoute
    from shared.consumer.runner import ConsumerRunner
    from shared.tenants import Catalogue

    consumer, producer = _BrokenConsumer(), _Closable()
    runner = ConsumerRunner(name="g", consumer=consumer, producer=producer, pools=None,
                            route=RegionalRoute(Catalogue([], "postgresql://x@h/postgres"), "reporting"),
                            projectors={}, events=EVENTS)
    with pytest.raises(RuntimeError):
        runner.run()
    assert consumer.closed and producer.closed


def test_program_limits_are_the_events_fault_and_connection_failures_an_outage():
    import psycopg

    from shared.consumer.errors import is_unavailable
    from shared.db.pools import DatabaseUnavailable
    assert is_unavailable(psycopg.OperationalError("connection refused"))
    assert is_unavailable(DatabaseUnavailable("circuit open"))
    assert is_unavailable(psycopg.errors.AdminShutdown("terminating connection"))
    assert not is_unavailable(psycopg.errors.ProgramLimitExceeded("index row size exceeds maximum"))
    assert not is_unavailable(psycopg.DataError("value out of range"))
