"""One event through the real stack: registry API -> outbox -> relay -> Kafka -> reporting."""
import dataclasses
import signal
import time
import uuid

import psycopg
from kafka import KafkaProducer

from shared.cli.demo import demo_tax_code, numbered_tax_code
from shared.events.envelope import EnvelopeError, from_kafka, to_kafka
from shared.events.topics import deadletter_topic, service_topic

from services.registry.stakeholders.service import register_stakeholder
from tests.contract.catalogue import assert_valid_event
from tests.integration.conftest import read_topic


def register(suite, slug, name, type_="comune", **extra):
    status, body = suite.call("POST", "registry", f"/v1/{slug}/stakeholders", suite.token(slug),
                              {"name": name, "type": type_, "tax_code": demo_tax_code(name + slug, "076"), **extra})
    assert status == 201, body
    return body


def test_two_tenants_each_see_only_their_own(suite):
    a, b = suite.slugs
    made = [register(suite, a, name)["id"] for name in ("Comune di Lauria", "Comune di Maratea")]
    made.append(register(suite, a, "Pollino Solidale APS", "ets", runts_section="b")["id"])
    made.append(register(suite, b, "Comune di Fasano")["id"])
    made.append(register(suite, b, "Consorzio CIISAF", "public_body")["id"])

    stats_a, stats_b = suite.wait_for_total(a, 3), suite.wait_for_total(b, 2)
    # Freshness: the newest registry event the consumer applied (docs/reporting.md, Freshness).
    assert stats_a.pop("as_of")["registry"] and stats_b.pop("as_of")["registry"]
    assert stats_a == {"tenant": a, "total": 3, "by_type": {"comune": 2, "ets": 1},
                       "by_status": {"active": 3}, "by_runts_section": {"b": 1}}
    assert stats_b == {"tenant": b, "total": 2, "by_type": {"comune": 1, "public_body": 1},
                       "by_status": {"active": 2}, "by_runts_section": {}}

    # Neither tenant can read the other, on either service.
    token_a = suite.token(a)
    assert suite.call("GET", "reporting", f"/v1/{b}/statistics/stakeholders", token_a)[0] == 403
    assert suite.call("GET", "registry", f"/v1/{b}/stakeholders", token_a)[0] == 403
    names_a = {s["name"] for s in suite.call("GET", "registry", f"/v1/{a}/stakeholders", token_a)[1]["items"]}
    assert names_a == {"Comune di Lauria", "Comune di Maratea", "Pollino Solidale APS"}

    # Every event on the topic is a valid catalogue event of one of our tenants, one per registration.
    events = [from_kafka(record.value, record.headers)
              for record in read_topic(suite.settings.kafka_bootstrap, service_topic("registry"), expect=5)]
    assert sorted(e.subject for e in events if e.subject in made) == sorted(made)  # each exactly once
    for event in events:
        assert event.tenantid in (a, b)
        assert_valid_event(event.type, event.data)


def test_bad_requests_over_http(suite):
    a, b = suite.slugs
    assert suite.call("GET", "registry", f"/v1/{a}/stakeholders", None)[0] == 401
    assert suite.call("GET", "registry", "/v1/no-such-ambito/stakeholders", suite.token(a))[0] == 404
    status, problem = suite.call("POST", "registry", f"/v1/{a}/stakeholders", suite.token(a),
                                 {"name": "X S.p.A.", "type": "enterprise", "tax_code": "12345678901"})
    assert status == 422 and problem["errors"][0]["field"] == "tax_code"


def _producer(suite):
    return KafkaProducer(bootstrap_servers=suite.settings.kafka_bootstrap)


def test_a_duplicated_event_is_counted_once(suite):
    a = suite.slugs[0]
    before = suite.stats(a)
    made = register(suite, a, "Istituto Comprensivo di Lagonegro", "school")
    assert suite.wait_for_total(a, before["total"] + 1)["total"] == before["total"] + 1
    records = read_topic(suite.settings.kafka_bootstrap, service_topic("registry"), expect=1)
    [original] = [r for r in records if from_kafka(r.value, r.headers).subject == made["id"]]
    event = from_kafka(original.value, original.headers)
    producer = _producer(suite)

    def send(e):
        key, value, headers = to_kafka(e)
        producer.send(original.topic, partition=original.partition, key=key, value=value, headers=headers)

    # The same ce_id, with content that would show if it were applied (a newer version with another
    # type): only the processed-event dedupe keeps it out, the projection's upsert would take it.
    send(dataclasses.replace(event, data={**event.data, "type": "public_body", "version": 2}))
    for _ in range(3):  # the same CloudEvent (same ce_id), delivered again as it was
        producer.send(original.topic, partition=original.partition, key=original.key, value=original.value,
                      headers=original.headers)
    # The barrier: a new event on the same partition, after the duplicates. The consumer handles a
    # partition in offset order, so once the marker is counted, every duplicate was handled before it.
    marker_id = str(uuid.uuid4())
    send(dataclasses.replace(event, id=str(uuid.uuid4()), subject=marker_id,
                             data={**event.data, "stakeholder_id": marker_id, "name": "Cooperativa Marcatore",
                                   "type": "social_cooperative"}))
    producer.flush()
    producer.close()
    expected_types = dict(before["by_type"])
    for type_ in ("school", "social_cooperative"):
        expected_types[type_] = expected_types.get(type_, 0) + 1
    stats = suite.wait_for_total(a, before["total"] + 2)
    assert stats["total"] == before["total"] + 2
    assert stats["by_type"] == expected_types


def test_a_malformed_event_goes_to_the_dead_letter_topic_and_the_consumer_goes_on(suite):
    a = suite.slugs[0]
    before = suite.stats(a)["total"]
    producer = _producer(suite)
    producer.send(service_topic("registry"), key=b"garbage", value=b"\x00 definitely not json",
                  headers=[("ce_specversion", b"1.0"), ("ce_id", b"broken-1"),
                           ("ce_type", b"it.pdz.registry.stakeholder.registered.v1"),
                           ("ce_source", b"/test"), ("ce_tenantid", a.encode())])
    producer.flush()
    register(suite, a, "Comune di Rivello")
    assert suite.wait_for_total(a, before + 1)["total"] == before + 1
    dead = read_topic(suite.settings.kafka_bootstrap, deadletter_topic(), expect=1)
    [record] = [r for r in dead if r.key == b"garbage"]
    headers = dict(record.headers)
    assert b"data is not JSON" in headers["pdz_dlq_reason"]
    assert headers["pdz_dlq_origin"].startswith(service_topic("registry").encode())


def test_the_relay_killed_mid_stream_loses_nothing(suite):
    b = suite.slugs[1]
    before = suite.stats(b)["total"]
    url = suite.catalogue.url_for(suite.catalogue.get(b), "registry")
    total = 1500
    suite.kill("registry-relay")
    try:
        with psycopg.connect(url) as conn:
            ids = [str(register_stakeholder(conn=conn, tenant=b, by="e2e", name=f"Associazione {i}", type="ets",
                                            tax_code=numbered_tax_code(1_000_000 + i, "076"),
                                            runts_section="a")["id"])
                   for i in range(total)]
        poll = psycopg.connect(url, autocommit=True)

        def published():
            return poll.execute("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"
                                " AND subject = ANY(%s)", (ids,)).fetchone()[0]

        # Small batches (150 of them) so the kill lands mid-stream even on a loaded machine.
        suite.start("registry-relay", PDZ_RELAY_BATCH_SIZE="10")
        deadline = time.monotonic() + 60
        while published() == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        suite.kill("registry-relay")
        at_kill = published()
    finally:
        suite.start("registry-relay")  # whatever happened, the next tests get their relay back
    assert 0 < at_kill < total, f"the relay should die mid-stream, not at {at_kill}/{total}"

    deadline = time.monotonic() + 120
    while published() < total and time.monotonic() < deadline:
        time.sleep(0.2)
    assert published() == total
    poll.close()

    on_topic = set()
    for record in read_topic(suite.settings.kafka_bootstrap, service_topic("registry"), expect=total):
        try:
            on_topic.add(from_kafka(record.value, record.headers).subject)
        except EnvelopeError:
            pass  # the malformed record another test put there on purpose
    assert set(ids) <= on_topic, f"{len(set(ids) - on_topic)} events lost"
    assert suite.wait_for_total(b, before + total, timeout=120)["total"] == before + total


def test_metrics_of_the_apis_relay_and_consumer(suite):
    import urllib.request

    def scrape(name):
        with urllib.request.urlopen(f"http://127.0.0.1:{suite.ports[name]}/metrics", timeout=5) as response:
            return response.read().decode()

    registry = scrape("registry-api")  # aggregated over the gunicorn workers (multiprocess mode)
    assert 'pdz_http_requests_total{endpoint="/v1/<tenant>/stakeholders"' in registry
    assert "pdz_relay_published_total" in scrape("registry-relay")
    assert "pdz_relay_backlog" in scrape("registry-relay")
    consumer = scrape("reporting-consumer")
    assert 'pdz_consumer_events_total{consumer="' in consumer and "pdz_consumer_lag" in consumer


def test_sigterm_stops_the_relay_and_the_consumer_cleanly(suite):
    import os

    for name, line in (("reporting-consumer", "consumer stopped"), ("registry-relay", "relay stopped")):
        process = suite.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(30) == 0
        assert line in (suite.folder / "logs" / f"{name}.log").read_text()
        suite.start(name)
    a = suite.slugs[0]
    before = suite.stats(a)["total"]
    register(suite, a, "Comune di Trecchina")
    assert suite.wait_for_total(a, before + 1)["total"] == before + 1
