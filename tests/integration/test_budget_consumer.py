"""Budget's replicas fed by the real consumer from real Kafka into fresh budget tenant databases (real
PostgreSQL): three new Ambiti, A and B merged into C (the Sharing is built here, as the catalogue's
`merged_from` implies it), on the test's own topics (random PDZ_TOPIC_PREFIX).

The consumer runs in-process with budget's projectors and the tenant route, as pdz-budget-consumer
does (a fresh consumer group per test). A registry event and an accepted proposal go into their own
Ambito's budget database and into the successor's, with their origin; nothing goes sideways; a
duplicate or an older version changes nothing; a snapshot of a proposal not accepted writes nothing;
an event the catalogue refuses goes to the dead-letter topic and the rest goes on.
"""
import uuid
from decimal import Decimal

import psycopg
import pytest

from shared.cli.provision import provision
from shared.consumer.routes import TenantRoute
from shared.events.topics import retry_topic, service_topic
from shared.sharing import EVERYTHING, Share, Sharing

from services.budget import consumer_group
from services.budget.projectors import PROJECTORS
from tests.conftest import random_slug
from tests.integration.test_consumer import dead_letters, make_runner, poll_until, processed, send
from tests.unit.test_budget_projectors import (LAURIA, NEMOLI, RIVELLO, accepted, comune, profile, snapshot,
                                               stakeholder)

TOPICS = ("registry", "consultation", "budget")


@pytest.fixture
def merger(catalogue_factory, settings, topic_prefix):
    """(catalogue, sharing, {role: slug}, {role: budget database URL}): A and B merged into C."""
    slugs = {role: random_slug(role) for role in "abc"}
    catalogue = catalogue_factory(list(slugs.values()))
    provision(catalogue, report=lambda *_: None)
    sharing = Sharing([Share(slugs["a"], slugs["c"], EVERYTHING, implied=True),
                       Share(slugs["b"], slugs["c"], EVERYTHING, implied=True)])
    urls = {role: catalogue.url_for(catalogue.get(slug), "budget") for role, slug in slugs.items()}
    return catalogue, sharing, slugs, urls


@pytest.fixture
def consumer(merger, settings):
    """(runner, group): budget's consumer over the merger, subscribed as pdz-budget-consumer is."""
    catalogue, sharing = merger[0], merger[1]
    group = f"test-budget-{uuid.uuid4().hex[:8]}"
    runner = make_runner(settings, group, route=TenantRoute(catalogue, "budget", sharing=sharing),
                         projectors=PROJECTORS, topics=[*(service_topic(t) for t in TOPICS), retry_topic()])
    yield runner, group
    runner.close()


def select(url, query, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def organisations(url):
    return {(o, str(i)) for o, i in select(url, "SELECT origin, organisation_id FROM organisations")}


def proposals(url):
    return {(o, str(i)) for o, i in select(url, "SELECT origin, proposal_id FROM accepted_proposals")}


def comuni_now(url, origin):
    return [r[0] for r in select(url, "SELECT istat_code FROM territory_comuni_now WHERE origin = %s"
                                      " ORDER BY position", origin)]


def test_each_ambitos_replicas_and_its_predecessors_with_their_origin(merger, settings, consumer):
    _, _, slugs, urls = merger
    runner, group = consumer
    orgs = {role: stakeholder(slug, name=f"ODV dell'Ambito {role.upper()}") for role, slug in slugs.items()}
    profiles = {"a": profile(slugs["a"], 1, (LAURIA, NEMOLI)), "b": profile(slugs["b"], 1, (RIVELLO,)),
                "c": profile(slugs["c"], 1, (LAURIA, NEMOLI, RIVELLO))}
    accepts = {role: accepted(slug, title=f"Proposta di {role.upper()}") for role, slug in slugs.items()}
    send(settings, [*orgs.values(), *profiles.values()])
    send(settings, list(accepts.values()), topic=service_topic("consultation"))

    expected = {"a": {"a"}, "b": {"b"}, "c": {"a", "b", "c"}}
    ids = {role: (slugs[role], e.data["stakeholder_id"]) for role, e in orgs.items()}
    pids = {role: (slugs[role], e.data["proposal_id"]) for role, e in accepts.items()}
    assert poll_until(runner, lambda: all(
        organisations(urls[r]) == {ids[o] for o in expected[r]} and proposals(urls[r]) == {pids[o] for o in expected[r]}
        and len(select(urls[r], "SELECT 1 FROM territory_profiles")) == len(expected[r]) for r in "abc"))

    # In C, A's organisation, territory and accepted proposal, each with A as its origin.
    [(name, status, version, source)] = select(urls["c"], "SELECT name, status, version, source_event_id"
                                                          " FROM organisations WHERE origin = %s", slugs["a"])
    assert (name, status, version, source) == ("ODV dell'Ambito A", "active", 1, orgs["a"].id)
    assert comuni_now(urls["c"], slugs["a"]) == ["076042", "076052"]
    assert comuni_now(urls["c"], slugs["b"]) == ["076066"]
    assert comuni_now(urls["c"], slugs["c"]) == ["076042", "076052", "076066"]
    [(title, cost, needs, need_ids, status)] = select(
        urls["c"], "SELECT title, estimated_cost, needs, need_ids, status FROM accepted_proposals WHERE origin = %s",
        slugs["a"])
    assert (title, cost, status) == ("Proposta di A", Decimal("18500.00"), "accepted")
    assert needs == accepts["a"].data["needs"] and [str(n) for n in need_ids] == accepts["a"].data["need_ids"]
    # Nothing sideways: A's database knows nothing of B or C.
    assert comuni_now(urls["a"], slugs["b"]) == [] and comuni_now(urls["a"], slugs["c"]) == []
    assert {r: processed(urls[r], group) for r in "abc"} == {"a": 3, "b": 3, "c": 9}


def test_duplicates_and_older_versions_change_nothing_and_a_backfill_adds_only_accepted(merger, settings, consumer):
    _, _, slugs, urls = merger
    runner, _ = consumer
    a = slugs["a"]
    sid, pid = str(uuid.uuid4()), str(uuid.uuid4())
    first, withdrawn = stakeholder(a, sid), stakeholder(a, sid, version=3, status="withdrawn", name="ODV Nuova")
    v1, v2 = profile(a, 1, (LAURIA, NEMOLI)), profile(a, 2, (LAURIA, comune("076066", "Rivello", 2750)))
    # The newest first, then the older ones and a duplicate, in one batch.
    send(settings, [withdrawn, v2, first, v1, withdrawn])
    this = accepted(a, pid, version=6)
    rejected, submitted, backfilled = (snapshot(a, status="rejected"), snapshot(a, status="submitted"),
                                       snapshot(a, version=4))
    send(settings, [this, snapshot(a, pid, version=6, title="Titolo del backfill"), accepted(a, pid, version=5),
                    rejected, submitted, backfilled, this], topic=service_topic("consultation"))
    marker = stakeholder(a)
    send(settings, [marker])  # everything before it on the registry topic was read once it is in
    assert poll_until(runner, lambda: (a, marker.data["stakeholder_id"]) in organisations(urls["a"])
                      and len(proposals(urls["a"])) == 2)
    assert select(urls["a"], "SELECT name, status, version, source_event_id FROM organisations"
                             " WHERE organisation_id = %s", sid) == [("ODV Nuova", "withdrawn", 3, withdrawn.id)]
    assert comuni_now(urls["a"], a) == ["076042", "076066"]
    assert select(urls["a"], "SELECT population FROM territory_comuni WHERE istat_code = '076066'") == [(2750,)]
    assert select(urls["a"], "SELECT version, total_population FROM territory_profiles") == [(2, 15250)]
    # The accepted version 6 stays (with its needs): neither its snapshot nor the older version 5 replaced it.
    [(title, version, needs, source)] = select(
        urls["a"], "SELECT title, version, needs, source_event_id FROM accepted_proposals WHERE proposal_id = %s", pid)
    assert (title, version, source) == ("Navetta sociale delle frazioni", 6, this.id) and len(needs) == 1
    # Of the backfill's snapshots, only the accepted one is a row (need ids, no details).
    assert proposals(urls["a"]) == {(a, pid), (a, backfilled.data["proposal_id"])}
    assert select(urls["a"], "SELECT needs, cardinality(need_ids), version FROM accepted_proposals"
                             " WHERE proposal_id = %s", backfilled.data["proposal_id"]) == [([], 1, 4)]
    # And in C, A's rows are the same, still with A as their origin.
    assert select(urls["c"], "SELECT origin, version FROM accepted_proposals WHERE proposal_id = %s", pid) == \
        [(a, 6)]


def test_an_event_the_catalogue_refuses_goes_to_the_dead_letter_topic_and_the_rest_goes_on(merger, settings,
                                                                                           consumer):
    _, _, slugs, urls = merger
    runner, _ = consumer
    bad = accepted(slugs["b"])
    bad.data["estimated_cost"] = 18500.0  # a float is never an amount
    good = accepted(slugs["b"], title="Dopo quella rifiutata")
    send(settings, [bad, good], topic=service_topic("consultation"))
    assert poll_until(runner, lambda: (slugs["b"], good.data["proposal_id"]) in proposals(urls["b"]))
    assert proposals(urls["b"]) == {(slugs["b"], good.data["proposal_id"])}
    letters = dead_letters(settings, expect=1)
    assert any("estimated_cost" in reason for reasons in letters.values() for reason in reasons), letters


def test_the_process_subscribes_the_consumer_group_of_the_budget_service(topic_prefix):
    # pdz-budget-consumer's group follows PDZ_TOPIC_PREFIX, as the other services' do.
    assert consumer_group() == f"{topic_prefix}.budget.replicas"
