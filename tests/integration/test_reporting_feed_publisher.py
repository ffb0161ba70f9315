"""pdz.statistics.v1 with real Kafka and PostgreSQL: applied events mark their Ambito, the publisher sends the
figures that changed (and only those), and freshness follows the events applied."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone

import psycopg
import pytest

from shared.cli.provision import provision
from shared.consumer.rows import apply_rows
from shared.events.envelope import from_kafka, new_event
from shared.events.topics import statistics_topic
from shared.kafka.clients import idempotent_producer
from tests.conftest import random_slug
from tests.contract.catalogue import assert_valid_event
from tests.integration.conftest import read_topic
from tests.integration.reporting_indicator_fixture import CODE, registered

from services.reporting import freshness
from services.reporting.events import FIGURE_CHANGED
from services.reporting.projector import PROJECTORS
from services.reporting.indicators.model import ROME
from services.reporting.publisher import Publisher

YEAR = str(datetime.now(ROME).year)


def _registered(tenant: str, type_: str, when: str) -> object:
    event = new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=tenant,
                      aggregate_id=str(uuid.uuid4()),
                      data={"stakeholder_id": str(uuid.uuid4()), "name": "Ente", "type": type_, "status": "active",
                            "version": 1, "registered_at": when})
    return event


def _apply(url: str, *events) -> None:
    """The events' rows as the reporting consumer writes them: projections and marks in one transaction."""
    projectors = freshness.marked(PROJECTORS)
    with psycopg.connect(url) as conn:
        apply_rows(conn, [row for event in events for row in projectors[event.type](event)])


def _ours(records, tenant_or_region: set[str]) -> list[dict]:
    found = []
    for record in records:
        event = from_kafka(record.value, record.headers)
        if event.data["indicator"] == CODE and event.tenantid in tenant_or_region:
            assert event.type == FIGURE_CHANGED
            assert_valid_event(FIGURE_CHANGED, event.data)
            found.append({**event.data, "_id": event.id, "_key": record.key.decode()})
    return found


@pytest.fixture
def world(catalogue_factory, topic_prefix, settings):
    a, b, merged = random_slug("lag"), random_slug("pol"), random_slug("lagpol")
    catalogue = catalogue_factory([a, b], extra=[{"slug": merged, "name": "Fuso", "region": "basilicata",
                                                  "merged_from": [a, b]}])
    provision(catalogue, report=lambda *_: None)
    producer = idempotent_producer(settings.kafka_bootstrap, client_id="test-statistics")
    with registered():
        yield catalogue, Publisher(catalogue=catalogue, producer=producer, topic=statistics_topic(), years=1), (a, b,
                                                                                                                merged)
    producer.close(timeout=10)


def test_a_changed_figure_reaches_the_statistics_topic_with_its_new_value(world, settings):
    catalogue, publisher, (a, b, merged) = world
    url = catalogue.regional_url("reporting")
    _apply(url, _registered(a, "ets", "2025-02-01T10:00:00+00:00"), _registered(b, "ets", "2025-02-02T10:00:00+00:00"))
    with psycopg.connect(url) as conn:
        drained, sent = publisher.run_once(conn)
        assert drained == 2 and sent > 0
        assert freshness.as_of(conn)["registry"] is not None
        assert conn.execute("SELECT count(*) FROM figure_marks").fetchone()[0] == 0
    records = read_topic(settings.kafka_bootstrap, statistics_topic(), expect=sent)
    first = [e for e in _ours(records, {a, b, merged, "basilicata"}) if e["period"] == YEAR]
    by_territory = {(e["territory_code"], e["territory_type"]): e for e in first}
    assert by_territory[(merged, "ambito")]["value"] == "2"        # the merged Ambito as a whole
    assert by_territory[(a, "ambito_di_origine")]["value"] == "1"
    assert by_territory[("basilicata", "regione")]["value"] == "2"
    assert {e["previous_value"] for e in first} == {None} and {e["revision"] for e in first} == {1}
    assert by_territory[(merged, "ambito")]["_key"] == f"{merged}/{CODE}/ambito/{merged}/{YEAR}/type=ets"

    # Nothing applied since: nothing to send.
    with psycopg.connect(url) as conn:
        assert publisher.run_once(conn) == (0, 0)

    # One more ETS in Pollino: the whole, Pollino and the region change; Lagonegrese does not.
    _apply(url, _registered(b, "ets", "2025-03-01T10:00:00+00:00"))
    with psycopg.connect(url) as conn:
        drained, more = publisher.run_once(conn)
    assert drained == 1
    records = read_topic(settings.kafka_bootstrap, statistics_topic(), expect=sent + more)
    second = [e for e in _ours(records, {a, b, merged, "basilicata"}) if e["period"] == YEAR and e["revision"] == 2]
    assert {(e["territory_code"], e["value"], e["previous_value"]) for e in second} == {
        (merged, "3", "2"), (b, "2", "1"), ("basilicata", "3", "2")}


def test_a_figure_sent_but_not_recorded_is_sent_again_with_the_same_id(world, settings):
    catalogue, publisher, (a, _b, merged) = world
    url = catalogue.regional_url("reporting")
    _apply(url, _registered(a, "school", "2025-02-01T10:00:00+00:00"))

    class Crash(Exception):
        pass

    with psycopg.connect(url) as conn:
        original = conn.execute
        calls = {"n": 0}

        def crashing(query, *args, **kwargs):  # the database goes away after Kafka acknowledged
            if isinstance(query, str) and query.startswith("INSERT INTO published_figures"):
                raise Crash()
            return original(query, *args, **kwargs)
        conn.execute = crashing
        with pytest.raises(Crash):
            publisher.run_once(conn)
        conn.execute = original
        assert conn.execute("SELECT count(*) FROM figure_marks").fetchone()[0] == 1   # the marks came back
        drained, sent = publisher.run_once(conn)
        assert drained == 1 and sent > 0
    records = read_topic(settings.kafka_bootstrap, statistics_topic(), expect=2 * sent)
    ours = [e for e in _ours(records, {a, merged, "basilicata"}) if e["period"] == YEAR
            and e["territory_code"] == merged]
    assert len(ours) == 2 and ours[0]["_id"] == ours[1]["_id"] and ours[0]["value"] == "1"
    assert json.loads(json.dumps(ours[0]["dimension"])) == {"type": "school"}


def test_the_publisher_loop_publishes_as_events_are_applied_and_reports_freshness(world, settings):
    import threading

    from prometheus_client import REGISTRY as METRICS

    from services.reporting import publisher as module

    catalogue, publisher, (a, _b, merged) = world
    url = catalogue.regional_url("reporting")
    stopping = threading.Event()
    thread = threading.Thread(target=module.run, kwargs={"publisher": publisher, "connect": lambda: psycopg.connect(url),
                                                          "stopping": stopping, "interval": 0.2}, daemon=True)
    thread.start()
    try:
        event = _registered(a, "trade_union", "2025-02-01T10:00:00+00:00")
        _apply(url, event)
        ours, deadline = [], time.monotonic() + 60
        while not ours and time.monotonic() < deadline:  # the loop publishes when it next wakes: poll, no sleep
            records = read_topic(settings.kafka_bootstrap, statistics_topic(), expect=1, timeout=5)
            ours = [e for e in _ours(records, {merged})
                    if e["period"] == YEAR and e["dimension"] == {"type": "trade_union"}]
        assert ours and ours[0]["value"] == "1"
    finally:
        stopping.set()
        thread.join(timeout=30)
    newest = METRICS.get_sample_value("pdz_reporting_newest_event_timestamp_seconds", {"service": "registry"})
    assert newest is not None and abs(newest - datetime.fromisoformat(event.time).timestamp()) < 1
    assert METRICS.get_sample_value("pdz_reporting_newest_event_age_seconds", {"service": "registry"}) >= 0


def test_without_a_producer_the_marks_only_keep_freshness(world):
    catalogue, _publisher, (a, _b, _merged) = world
    url = catalogue.regional_url("reporting")
    quiet = Publisher(catalogue=catalogue, producer=None, topic="unused")
    event = _registered(a, "ets", "2025-02-01T10:00:00+00:00")
    _apply(url, event)
    with psycopg.connect(url) as conn:
        assert quiet.run_once(conn) == (1, 0)
        assert conn.execute("SELECT count(*) FROM figure_marks").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM published_figures").fetchone()[0] == 0
        assert freshness.as_of(conn)["registry"] == datetime.fromisoformat(event.time)
