"""Sharing through the consultation consumer (issue 9), on the real PostgreSQL and Kafka: three fresh
Ambiti, A and B merged into C (the Sharing is built here, as the catalogue's `merged_from` implies it).

A registry event is applied in its own Ambito's consultation database and in the receivers'; a
consultation event only in the receivers'; personal data nowhere but at home; a duplicate changes
nothing anywhere; C's database down parks only C's copies, naming C, while A and B go on.
"""
import json
import uuid
from pathlib import Path

import psycopg
import pytest

from shared.cli.provision import provision
from shared.consumer.letters import RETRY_TARGET, header
from shared.consumer.placement import own_and_received, received_only
from shared.consumer.routes import TenantRoute
from shared.consumer.rows import Upsert
from shared.events.envelope import new_event
from shared.events.topics import deadletter_topic, retry_topic, service_topic
from shared.sharing import EVERYTHING, Share, Sharing

from services.consultation.projectors import PROJECTORS
from tests.conftest import EVENTS_DIR, random_slug
from tests.integration.conftest import read_topic, refusing_connections
from tests.integration.test_consultation_replica import Org
from tests.integration.test_consumer import make_runner, poll_until, processed, send

NEED = "it.pdz.consultation.need.recorded.v1"
HELD = "it.pdz.consultation.session.held.v1"  # in no data set, and no projector: skipped everywhere
ERASED = "it.pdz.registry.personal_data.erased.v1"

# Test tables: what a received-only projector wrote, what the own-and-received erasure projector
# wrote, and every write to the register replica (an event applied twice shows as two writes).
TEST_TABLES = """
CREATE TABLE test_received (origin text NOT NULL, need_id uuid NOT NULL, PRIMARY KEY (origin, need_id));
CREATE TABLE test_erasures (origin text NOT NULL, erasure_id uuid PRIMARY KEY);
CREATE TABLE test_writes (origin text NOT NULL, organisation_id uuid NOT NULL);
CREATE FUNCTION test_log() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO test_writes VALUES (NEW.origin, NEW.organisation_id); RETURN NEW; END $$;
CREATE TRIGGER test_log AFTER INSERT OR UPDATE ON organisations FOR EACH ROW EXECUTE FUNCTION test_log();
"""


def example(event_type):
    return json.loads((Path(EVENTS_DIR) / event_type / "example.json").read_text(encoding="utf-8"))


def need(tenant):
    data = {**example(NEED), "need_id": str(uuid.uuid4())}
    return new_event(type=NEED, service="consultation", tenant=tenant, aggregate_id=data["need_id"], data=data)


def erased(tenant):
    data = {**example(ERASED), "erasure_id": str(uuid.uuid4())}
    return new_event(type=ERASED, service="registry", tenant=tenant, aggregate_id=data["erasure_id"], data=data)


# A projector placed to go everywhere it may: personal data must still stay at home (no data set has it).
TEST_PROJECTORS = {
    **PROJECTORS,
    **received_only({NEED: lambda e: [Upsert("test_received", key={"origin": e.tenantid,
                                                                     "need_id": uuid.UUID(e.data["need_id"])})]}),
    **own_and_received({ERASED: lambda e: [Upsert("test_erasures", key={
        "erasure_id": uuid.UUID(e.data["erasure_id"])}, values={"origin": e.tenantid})]}),
}


@pytest.fixture
def merger(catalogue_factory, settings, topic_prefix):
    """(catalogue, sharing, {role: slug}, {role: consultation database URL}): A and B merged into C."""
    slugs = {role: random_slug(role) for role in "abc"}
    catalogue = catalogue_factory(list(slugs.values()))
    provision(catalogue, report=lambda *_: None)
    sharing = Sharing([Share(slugs["a"], slugs["c"], EVERYTHING, implied=True),
                       Share(slugs["b"], slugs["c"], EVERYTHING, implied=True)])
    urls = {role: catalogue.url_for(catalogue.get(slug), "consultation") for role, slug in slugs.items()}
    for url in urls.values():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(TEST_TABLES)
    return catalogue, sharing, slugs, urls


def runner_for(merger, settings, group, **options):
    catalogue, sharing = merger[0], merger[1]
    return make_runner(settings, group, route=TenantRoute(catalogue, "consultation", sharing=sharing),
                       projectors=TEST_PROJECTORS,
                       topics=[service_topic("registry"), service_topic("consultation"), retry_topic()], **options)


def select(url, query, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def organisations(url):
    """{(origin, organisation id)} of a consultation database's register replica."""
    return {(o, str(i)) for o, i in select(url, "SELECT origin, organisation_id FROM organisations")}


def most_writes(url):
    return select(url, "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM test_writes"
                       " GROUP BY origin, organisation_id) w")[0][0]


def test_each_event_goes_to_its_own_and_the_receivers_databases_once(merger, settings):
    _, _, slugs, urls = merger
    orgs = {role: Org(slug) for role, slug in slugs.items()}
    needs = {role: need(slug) for role, slug in slugs.items()}
    erasure = erased(slugs["a"])
    registry = [org.registered() for org in orgs.values()] + [erasure]
    send(settings, registry + registry[:2])  # two duplicates
    held = new_event(type=HELD, service="consultation", tenant=slugs["a"], aggregate_id=str(uuid.uuid4()),
                     data=example(HELD))
    send(settings, list(needs.values()) + [needs["a"], held], topic=service_topic("consultation"))
    expected = {"a": {(slugs["a"], orgs["a"].id)}, "b": {(slugs["b"], orgs["b"].id)},
                "c": {(slugs[r], orgs[r].id) for r in "abc"}}
    group = f"test-sharing-{uuid.uuid4().hex[:8]}"
    runner = runner_for(merger, settings, group)
    try:
        assert poll_until(runner, lambda: all(organisations(urls[r]) == expected[r] for r in "abc")
                          and len(select(urls["c"], "SELECT 1 FROM test_received")) == 2
                          and select(urls["a"], "SELECT 1 FROM test_erasures"))
        # Read on: whatever else came (the duplicates) is handled by now.
        assert poll_until(runner, lambda: runner.lag == 0 and runner._in_flight is None)
    finally:
        runner.close()
    for role in "abc":
        assert organisations(urls[role]) == expected[role]
        assert most_writes(urls[role]) == 1, role  # a duplicate wrote nothing, in any database
    # The origin is kept wherever the row is: A's organisation is A's in C's database too.
    assert select(urls["c"], "SELECT origin FROM organisations WHERE organisation_id = %s",
                  orgs["a"].id) == [(slugs["a"],)]
    # Consultation's own data only where received: C holds A's and B's needs; nobody holds its own.
    assert set(select(urls["c"], "SELECT origin FROM test_received")) == {(slugs["a"],), (slugs["b"],)}
    assert select(urls["a"], "SELECT 1 FROM test_received") == select(urls["b"], "SELECT 1 FROM test_received") == []
    # Personal data stays at home, even for a projector placed to go everywhere.
    assert select(urls["a"], "SELECT origin FROM test_erasures") == [(slugs["a"],)]
    assert select(urls["c"], "SELECT 1 FROM test_erasures") == []
    # Skipped is not refused: nothing was dead-lettered (the letters are acknowledged before the offsets move).
    assert read_topic(settings.kafka_bootstrap, deadletter_topic(), expect=1, timeout=1.0) == []
    # processed_events is per database: A's event is recorded in A's and in C's.
    assert processed(urls["a"], group) == 2  # its organisation, its erasure (its need is not applied at home)
    assert processed(urls["b"], group) == 1
    assert processed(urls["c"], group) == 5  # three organisations, two needs


def test_a_receivers_database_down_parks_only_its_copies(merger, settings):
    _, _, slugs, urls = merger
    orgs = {role: [Org(slug) for _ in range(6)] for role, slug in slugs.items()}
    send(settings, [org.registered() for i in range(6) for role in "abc" for org in orgs[role][i:i + 1]])
    own = {role: {(slugs[role], org.id) for org in orgs[role]} for role in "abc"}
    group = f"test-sharing-{uuid.uuid4().hex[:8]}"
    # Small polls: A's and B's events can only all be applied once C's copies stop holding the partitions.
    runner = runner_for(merger, settings, group, max_poll_records=4, tenant_retry_seconds=2.0, retry_max_seconds=1.0)
    try:
        with refusing_connections(urls["c"]):
            assert poll_until(runner, lambda: organisations(urls["a"]) == own["a"]
                              and organisations(urls["b"]) == own["b"])
            assert runner.outages.get(urls["c"]) is not None
            # Every copy for C, and only those, parked naming C: A's, B's and C's own events.
            assert poll_until(runner, lambda: len({r.value for r in read_topic(
                settings.kafka_bootstrap, retry_topic(), expect=18, timeout=1.0)}) == 18)
            parked = read_topic(settings.kafka_bootstrap, retry_topic(), expect=18, timeout=1.0)
            assert {header(r, RETRY_TARGET) for r in parked} == {slugs["c"]}
        # Back: the parked copies are applied in C, once each; A and B see nothing again.
        everything = own["a"] | own["b"] | own["c"]
        assert poll_until(runner, lambda: organisations(urls["c"]) == everything)
    finally:
        runner.close()
    for role in "abc":
        assert most_writes(urls[role]) == 1, role
    assert processed(urls["a"], group) == 6 and processed(urls["b"], group) == 6
    assert processed(urls["c"], group) == 18
    # A's and B's processed records came from the registry topic: no parked copy reached them.
    for role in "ab":
        assert select(urls[role], "SELECT DISTINCT topic FROM processed_events WHERE consumer = %s",
                      group) == [(service_topic("registry"),)]
    assert runner.database_problem() is None


def test_a_copy_refused_by_one_receiver_is_dead_lettered_naming_it_and_applied_elsewhere(merger, settings):
    _, _, slugs, urls = merger
    # C's database refuses A's organisations (its write log does), and nothing else.
    with psycopg.connect(urls["c"], autocommit=True) as conn:
        conn.execute(f"ALTER TABLE test_writes ADD CHECK (origin <> '{slugs['a']}')")
    orgs = {role: Org(slugs[role]) for role in "ab"}
    send(settings, [orgs["a"].registered(), orgs["b"].registered()])
    group = f"test-sharing-{uuid.uuid4().hex[:8]}"
    runner = runner_for(merger, settings, group)
    try:
        assert poll_until(runner, lambda: organisations(urls["c"]) == {(slugs["b"], orgs["b"].id)}
                          and organisations(urls["a"]) == {(slugs["a"], orgs["a"].id)})
        # The batch settled (its letters are sent when it is): nothing in hand, nothing left to read.
        assert poll_until(runner, lambda: runner.lag == 0 and runner._in_flight is None)
        letters = read_topic(settings.kafka_bootstrap, deadletter_topic(), expect=1)
    finally:
        runner.close()
    assert [(header(r, "pdz_dlq_kind"), header(r, "pdz_dlq_target")) for r in letters] == [("read_model", slugs["c"])]
    assert organisations(urls["b"]) == {(slugs["b"], orgs["b"].id)}
