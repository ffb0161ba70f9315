"""Pure parts of the sharing routes (issue 9): where a projector applies, which databases an event goes to,
one item per target, a parked copy naming its target, a blocked record held back whole."""
import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import given, strategies as st

from shared.consumer.decode import Item, expand, prepare
from shared.consumer.event_catalogue import EventCatalogue
from shared.consumer.letters import RETRY_TARGET, DLQ_TARGET, deadletter_headers, header, park_headers
from shared.consumer.placement import Placed, own_and_received, received_only, where
from shared.consumer.routes import TenantRoute, target_tenants
from shared.consumer.rows import Upsert
from shared.events.envelope import new_event, to_kafka
from shared.sharing import DATA_SETS, EVERYTHING, Share, Sharing
from shared.tenants import Catalogue, Tenant

EVENTS = EventCatalogue.load()
REGISTERED = "it.pdz.registry.stakeholder.registered.v1"
NEED = "it.pdz.consultation.need.recorded.v1"
ERASED = "it.pdz.registry.personal_data.erased.v1"
SESSION = "it.pdz.consultation.session.held.v1"
MERGER = Sharing([Share("a", "c", EVERYTHING, implied=True), Share("b", "c", EVERYTHING, implied=True)])


def test_a_plain_projector_applies_in_its_own_database_only():
    assert where(lambda e: []) == (True, False)
    assert where(own_and_received({"t": lambda e: []})["t"]) == (True, True)
    assert where(received_only({"t": lambda e: []})["t"]) == (False, True)
    # Re-placing a placed projector keeps the function, not a wrapper of a wrapper.
    inner = lambda e: ["row"]  # noqa: E731
    assert received_only(own_and_received({"t": inner}))["t"].project is inner
    assert Placed(inner, own=False, received=True)(None) == ["row"]


@pytest.mark.parametrize("origin, own, received, expected", [
    ("a", True, True, ("a", "c")),     # a predecessor's register: its own replica and the successor's
    ("b", True, True, ("b", "c")),
    ("c", True, True, ("c",)),         # the successor shares with nobody
    ("a", False, True, ("c",)),        # a predecessor's need: only where received
    ("c", False, True, ()),            # the successor's own need: nowhere (its API wrote it)
    ("a", True, False, ("a",)),        # today's behaviour
    ("x", True, True, ("x",)),
])
def test_target_tenants(origin, own, received, expected):
    event_type = NEED if not own else REGISTERED
    assert target_tenants(origin, event_type, own=own, received=received, sharing=MERGER) == expected


def test_personal_data_never_goes_to_a_receiver():
    for service in ("registry", "consultation"):
        erased = f"it.pdz.{service}.personal_data.erased.v1"
        assert target_tenants("a", erased, own=True, received=True, sharing=MERGER) == ("a",)
        assert target_tenants("a", erased, own=False, received=True, sharing=MERGER) == ()


def test_a_narrower_share_routes_only_its_data_sets():
    sharing = Sharing([Share("a", "c", ("registry.stakeholders",))])
    assert target_tenants("a", REGISTERED, own=True, received=True, sharing=sharing) == ("a", "c")
    assert target_tenants("a", NEED, own=False, received=True, sharing=sharing) == ()
    assert target_tenants("a", SESSION, own=False, received=True, sharing=MERGER) == ()  # in no data set


def test_a_parked_copy_goes_to_its_target_only():
    assert target_tenants("a", REGISTERED, own=True, received=True, sharing=MERGER, only="c") == ("c",)
    assert target_tenants("a", REGISTERED, own=True, received=True, sharing=MERGER, only="a") == ("a",)
    # Revoked since it was parked: it goes nowhere.
    assert target_tenants("a", REGISTERED, own=True, received=True, sharing=Sharing([]), only="c") == ()


@given(st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from("abcde"),
                          st.lists(st.sampled_from(sorted(DATA_SETS)), min_size=1, unique=True)), max_size=8),
       st.sampled_from("abcde"), st.sampled_from(sorted(DATA_SETS)), st.booleans(), st.booleans())
def test_targets_are_distinct_own_first_and_exactly_the_receivers(shares, origin, data, own, received):
    sharing = Sharing([Share(o, t, tuple(d)) for o, t, d in shares])
    event_type = DATA_SETS[data][0] + "x.v1"
    tenants = target_tenants(origin, event_type, own=own, received=received, sharing=sharing)
    assert len(set(tenants)) == len(tenants)
    expected = ({origin} if own else set()) | (
        {t for o, t, d in shares if o == origin != t and data in d} if received else set())  # never itself
    assert set(tenants) == expected
    if own:
        assert tenants[0] == origin


@dataclass
class Record:
    key: bytes
    value: bytes
    headers: list
    topic: str = "pdz.registry.v1"
    partition: int = 0
    offset: int = 3
    extra: dict = field(default_factory=dict)


def _record(tenant, type_=REGISTERED):
    sid = str(uuid.uuid4())
    return Record(*to_kafka(new_event(type=type_, service="registry", tenant=tenant, aggregate_id=sid, data={
        "stakeholder_id": sid, "name": "APS Pollino Solidale", "type": "ets", "runts_section": "b",
        "registered_at": "2026-03-02T10:15:00+00:00"})))


def _catalogue():
    return Catalogue([Tenant(slug=s, name=s, region="basilicata") for s in "abc"],
                     "postgresql://pdz@127.0.0.1:55432/postgres")


def _items(record, projectors, only=None):
    route = TenantRoute(_catalogue(), "consultation", sharing=MERGER)
    return expand(prepare(record, catalogue=EVENTS, projectors=projectors, route=route, only=only))


def _rows(event):
    return [Upsert("organisations", key={"origin": event.tenantid, "id": event.id})]


def test_one_record_becomes_one_item_per_database_sharing_the_rows():
    items = _items(_record("a"), own_and_received({REGISTERED: _rows}))
    assert [i.tenant for i in items] == ["a", "c"]
    assert ["dbname=consultation__a" in items[0].target, "dbname=consultation__c" in items[1].target] == [True, True]
    assert all(i.record is items[0].record and i.rows == items[0].rows and not i.outcome for i in items)
    assert [i.tenant for i in _items(_record("c"), own_and_received({REGISTERED: _rows}))] == ["c"]
    assert [i.tenant for i in _items(_record("a"), own_and_received({REGISTERED: _rows}), only="c")] == ["c"]


def test_applying_nowhere_is_skipped_and_an_unknown_tenant_still_refused():
    [item] = _items(_record("c"), received_only({REGISTERED: _rows}))
    assert item.outcome == "skipped" and item.target is None
    [item] = _items(_record("nowhere"), received_only({REGISTERED: _rows}))
    assert (item.outcome, item.kind) == ("deadlettered", "unknown_tenant")
    [item] = _items(_record("a"), {})  # catalogued, but no projector: skipped, as before sharing
    assert item.outcome == "skipped"


def test_the_common_case_needs_no_sharing_lookup():
    route = TenantRoute(_catalogue(), "consultation", sharing=None)
    event = new_event(type=REGISTERED, service="registry", tenant="a", aggregate_id="x", data={})
    assert route.targets(event) == (("a", route(event)),)
    assert route.sharing.shares == ()  # a catalogue without `sharing` shares nothing


def test_a_parked_or_dead_lettered_copy_names_its_target_and_a_new_parking_replaces_it():
    record = _record("a")
    parked = Record(record.key, record.value, park_headers(record, consumer="g", reason="down", now=1.0, target="c"),
                    topic="pdz.retry.v1")
    assert header(parked, RETRY_TARGET) == "c"
    again = park_headers(parked, consumer="g", reason="down", now=2.0, target="c")
    assert [k for k, _ in again].count(RETRY_TARGET) == 1
    letter = Record(record.key, record.value, deadletter_headers(parked, reason="r", kind="read_model",
                                                                 consumer="g", target="c"))
    assert header(letter, DLQ_TARGET) == "c" and header(letter, RETRY_TARGET) is None
    assert header(Record(record.key, record.value, park_headers(record, consumer="g", reason="r", now=1.0)),
                  RETRY_TARGET) is None  # a regional database has no tenant to name


def test_a_blocked_record_holds_back_all_its_targets():
    from shared.consumer.runner import Batch, ConsumerRunner

    first, second, third = (_record("a") for _ in range(3))
    items = [Item(first, outcome="applied"), Item(second, outcome="parked"), Item(second, outcome="blocked"),
             Item(third, outcome="parked")]
    batch = Batch({"tp": items}, now=0.0, started=0.0)
    assert ConsumerRunner._defer_after_blocked(batch) == {"tp": 1}
    # The blocked record's other copy is not parked now: the whole record is read again.
    assert [i.outcome for i in items] == ["applied", "deferred", "blocked", "deferred"]


def test_a_record_read_back_from_the_retry_topic_goes_only_to_the_database_it_was_parked_for():
    from shared.consumer.runner import ConsumerRunner

    runner = ConsumerRunner(name="g", consumer=None, producer=None, pools=None, events=EVENTS,
                            route=TenantRoute(_catalogue(), "consultation", sharing=MERGER),
                            projectors=own_and_received({REGISTERED: _rows}))
    record = _record("a")

    def parked(**kwargs):
        return Record(record.key, record.value, park_headers(record, consumer="g", reason="down", now=5.0, **kwargs),
                      topic=runner.retry_topic)
    [item] = runner._prepare(parked(target="c"))
    assert (item.tenant, item.parked_at, item.outcome) == ("c", 5.0, "")
    # Parked before targets were named: every target again (where it was applied, a duplicate).
    assert [i.tenant for i in runner._prepare(parked())] == ["a", "c"]
    # Parked by another consumer group: not this one's.
    other = Record(record.key, record.value, park_headers(record, consumer="h", reason="down", now=5.0, target="c"),
                   topic=runner.retry_topic)
    assert [i.outcome for i in runner._prepare(other)] == ["skipped"]
    assert [i.tenant for i in runner._prepare(record)] == ["a", "c"]
    runner._database.shutdown()


def test_the_consultation_consumer_places_its_projectors():
    from services.consultation.projectors import PROJECTORS

    assert where(PROJECTORS["it.pdz.registry.stakeholder.updated.v1"]) == (True, True)
    assert where(PROJECTORS["it.pdz.registry.profile.updated.v1"]) == (True, True)
    assert where(PROJECTORS[NEED]) == (False, True)
    consultation = [t for t in PROJECTORS if t.startswith("it.pdz.consultation.")]
    assert consultation and all(where(PROJECTORS[t]) == (False, True) for t in consultation)
    assert not any("personal_data" in t for t in PROJECTORS)
    # A projector placed where received for a type in no data set would never apply: a mistake.
    from shared.sharing import data_set_of
    assert all(data_set_of(t) for t, p in PROJECTORS.items() if where(p)[1])


def test_without_a_fixed_sharing_the_route_follows_the_catalogues_merger():
    catalogue = Catalogue([Tenant(slug="a", name="a", region="basilicata"),
                           Tenant(slug="b", name="b", region="basilicata"),
                           Tenant(slug="c", name="c", region="basilicata", merged_from=("a", "b"))],
                          "postgresql://pdz@127.0.0.1:55432/postgres")
    route = TenantRoute(catalogue, "consultation")
    [item] = expand(prepare(_record("a"), catalogue=EVENTS, projectors=received_only({REGISTERED: _rows}),
                            route=route))
    assert item.tenant == "c"
    assert [i.tenant for i in expand(prepare(_record("c"), catalogue=EVENTS, route=route,
                                             projectors=own_and_received({REGISTERED: _rows})))] == ["c"]
