"""R4: poison records of every kind go to the dead-letter topic with the reason; the good ones around them are
applied and the consumer goes on (real PostgreSQL and Kafka, the reporting consumer's regional route)."""
import json
import os
import uuid
from dataclasses import replace

from shared.events.envelope import new_event, to_kafka
from shared.events.topics import deadletter_topic

from services.reporting.projector import PROJECTORS
from tests.integration.conftest import read_topic
from tests.integration.test_consumer import (dead_letters, facts, poll_records, poll_until, processed, registered,
                                             reporting_runner, send)


def _with_header(event, name, value: bytes):
    key, raw, headers = to_kafka(event)
    return key, raw, [(n, value if n == name else v) for n, v in headers]


def _exploding(event):
    # A projector bug: any exception, not only the "expected" ones, dead-letters the event.
    if event.data["name"] == "Boom S.r.l.":
        raise AttributeError("'int' object has no attribute 'replace'")
    return PROJECTORS[event.type](event)


def test_poison_of_every_kind_is_dead_lettered_and_the_good_around_it_applied(tenants, settings, topic_prefix):
    a = tenants.slugs()[0]
    good = [registered(a) for _ in range(7)]
    nul_data = registered(a, name="Comune\u0000di Nemoli")
    surrogate = registered(a, name="Comune di \ud800Nemoli")
    unknown_type = new_event(type="it.pdz.registry.nothing.happened.v1", service="registry", tenant=a,
                             aggregate_id="x", data={})
    schema_invalid = registered(a)
    schema_invalid.data["stakeholder_id"] = 5          # the old projector died on uuid.UUID(5)
    overflow = registered(a, version=2 ** 40)           # valid for the schema, too big for the int column
    records = [
        good[0],
        (b"k", b"{not json", [("ce_type", b"x")]),                              # bad envelope
        _with_header(registered(a), "ce_id", b"abc\x00def"),                   # NUL in ce_id
        good[1],
        nul_data,                                                               # NUL in a data field
        _surrogate_record(surrogate),                                           # lone surrogate in data
        good[2],
        unknown_type,                                                           # not in the catalogue
        schema_invalid,
        good[3],
        registered("no-such-ambito"),                                           # unknown tenant
        registered(a, name="Boom S.r.l."),                                      # the projector raises
        good[4],
        overflow,                                                               # violates the read model
        good[5],
        good[5],                                                                # a duplicate
        good[6],
    ]
    send(settings, records)
    group = f"test-{uuid.uuid4().hex[:8]}"
    runner = reporting_runner(tenants, settings, group,
                              projectors={t: _exploding for t in PROJECTORS})
    assert poll_records(runner, len(records)) == len(records)
    runner.close()

    assert facts(tenants, a) == [("comune", 7)]
    assert processed(tenants.regional_url("reporting"), group) == 7
    dead = dead_letters(settings, expect=9)
    assert {kind: len(reasons) for kind, reasons in dead.items()} == {
        "envelope": 1, "unstorable": 3, "unknown_type": 1, "schema": 1, "unknown_tenant": 1, "projector": 1,
        "read_model": 1}
    assert any("ce_id" in r for r in dead["unstorable"])
    assert "stakeholder_id" in dead["schema"][0]
    assert "AttributeError" in dead["projector"][0]
    assert "NumericValueOutOfRange" in dead["read_model"][0]
    assert "nothing.happened" in dead["unknown_type"][0]

    # Offsets committed past the poison: the same group finds nothing more to do.
    again = reporting_runner(tenants, settings, group)
    assert poll_records(again, 1, max_polls=6) == 0
    again.close()
    assert len(read_topic(settings.kafka_bootstrap, deadletter_topic(), expect=9)) == 9


def _surrogate_record(event):
    """A record whose JSON holds a lone surrogate, escaped as \\ud800 (valid JSON, not storable text)."""
    key, _, headers = to_kafka(replace(event, data={}))
    return key, json.dumps(event.data).encode("ascii"), headers


def test_an_id_too_long_for_the_dedupe_index_is_poison_not_a_database_outage(tenants, settings, topic_prefix):
    # PostgreSQL refuses an index entry this long with ProgramLimitExceeded, an OperationalError:
    # taken for "database down", it held every partition of the regional database forever.
    a = tenants.slugs()[0]
    before, after = registered(a), registered(a)
    long_id = _with_header(registered(a), "ce_id", os.urandom(10_000).hex().encode())
    send(settings, [before, long_id, after])
    runner = reporting_runner(tenants, settings, projectors=PROJECTORS)
    assert poll_until(runner, lambda: facts(tenants, a) == [("comune", 2)], timeout=30)
    runner.close()
    assert runner.database_problem() is None
    assert list(dead_letters(settings, expect=1)) == ["envelope"]
