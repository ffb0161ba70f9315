"""Consultation's shared replicas, pure: each shared event type -> rows keyed by (origin, id), guarded by version;
who may take part from a former Ambito's register (members/domain.py with shared_registers)."""
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.consumer.rows import Upsert
from shared.events.envelope import new_event
from shared.sharing import Share, Sharing, data_set_of

from services.consultation.members import domain as members
from services.consultation.shared_replicas import PROJECTORS
from services.consultation.shared_replicas.origins import known_origins, shared_registers

EVENTS = Path(__file__).resolve().parents[2] / "events"
CONSULTATION_SHARED = ("consultation.tables", "consultation.needs", "consultation.proposals",
                       "consultation.services")


def example(event_type: str, tenant="pollino", **data):
    payload = {**json.loads((EVENTS / event_type / "example.json").read_text()), **data}
    return new_event(type=event_type, service="consultation", tenant=tenant, aggregate_id=str(uuid.uuid4()),
                     data=payload)


def shared_types():
    return sorted(p.name for p in EVENTS.iterdir() if data_set_of(p.name) in CONSULTATION_SHARED)


def test_every_shared_consultation_event_type_has_a_projector_and_no_other():
    assert set(PROJECTORS) == set(shared_types())


@pytest.mark.parametrize("event_type", shared_types())
def test_each_example_becomes_upserts_keyed_by_origin_and_id_guarded_by_a_version(event_type):
    event = example(event_type)
    rows = PROJECTORS[event_type](event)
    assert rows and all(isinstance(r, Upsert) for r in rows)
    for row in rows:
        assert row.table.startswith("replica_")
        assert set(row.key) == {"origin", "id"} and row.key["origin"] == "pollino"
        assert isinstance(row.key["id"], uuid.UUID)
        assert row.newer_than in ("version", "content_version")
        assert row.values[row.newer_than] == event.data["version"]


def test_a_table_event_becomes_the_table_row():
    event = example("it.pdz.consultation.table.updated.v1")
    [row] = PROJECTORS[event.type](event)
    assert row == Upsert("replica_tables", key={"origin": "pollino", "id": uuid.UUID(event.data["table_id"])},
                         newer_than="version", values={
                             "kind": "thematic", "title": "Tavolo tematico area socio-educativa",
                             "areas": ["socio-educativa", "assistenziale-welfare-accesso"], "membership": "open",
                             "status": "active", "version": 2, "source_event_id": event.id})


def test_a_member_that_left_keeps_its_reason():
    event = example("it.pdz.consultation.table_member.left.v1")
    [row] = PROJECTORS[event.type](event)
    assert row.table == "replica_table_members" and row.key["id"] == uuid.UUID(event.data["member_id"])
    assert row.values["state"] == "left" and row.values["reason"] == "removed"


def test_a_need_keeps_what_the_merged_ambito_reads():
    event = example("it.pdz.consultation.need.updated.v1")
    [row] = PROJECTORS[event.type](event)
    assert row.table == "replica_needs"
    assert row.values["status"] == "closed" and row.values["comuni"] == ["076042", "076097"]
    assert row.values["session_id"] is None and row.values["version"] == 2


def test_a_proposal_snapshot_is_two_rows_status_first_then_content():
    event = example("it.pdz.consultation.proposal.updated.v1")
    status, content = PROJECTORS[event.type](event)
    assert status.key == content.key and status.table == content.table == "replica_proposals"
    assert status.newer_than == "version" and content.newer_than == "content_version"
    # the content never carries the status: a late snapshot must not undo a newer decision
    assert "status" not in content.values and "version" not in content.values
    assert content.values["estimated_cost"] == Decimal("17250.50")


def test_a_decision_carries_its_answer():
    event = example("it.pdz.consultation.proposal.merged.v1")
    [row] = PROJECTORS[event.type](event)
    assert row.values["status"] == "merged" and row.values["merged_into"] == uuid.UUID(event.data["merged_into"])
    assert row.values["answer"].startswith("Confluisce")


def test_a_service_offer_keeps_its_capacity():
    event = example("it.pdz.consultation.service_offer.retired.v1")
    [row] = PROJECTORS[event.type](event)
    assert row.table == "replica_offer"
    assert (row.values["capacity_amount"], row.values["capacity_unit"], row.values["status"]) == (25, "posti",
                                                                                                  "retired")


@pytest.mark.parametrize("event_type", shared_types())
def test_unknown_fields_are_ignored(event_type):
    plain = example(event_type)
    extra = example(event_type, future_field={"x": 1}, another="y")
    strip = lambda rows: [(r.table, r.key, {k: v for k, v in r.values.items() if k != "source_event_id"})
                          for r in rows]
    assert strip(PROJECTORS[event_type](plain)) == strip(PROJECTORS[event_type](extra))


@pytest.mark.parametrize("event_type", shared_types())
def test_accounts_and_people_are_never_read_even_if_an_event_carried_them(event_type):
    event = example(event_type, accounts=["mario.rossi"], recorded_by="mario.rossi", updated_by="mario.rossi",
                    created_by="mario.rossi", coordinator="mario.rossi", attendees=[{"name": "Mario Rossi"}])
    for row in PROJECTORS[event_type](event):
        assert "mario" not in repr(row.values).lower()
        assert not {"accounts", "recorded_by", "updated_by", "created_by", "coordinator"} & set(row.values)


def test_a_missing_required_field_is_an_error_for_the_dead_letter_topic():
    event = example("it.pdz.consultation.need.recorded.v1")
    del event.data["title"]
    with pytest.raises(KeyError):
        PROJECTORS[event.type](event)


def test_the_origin_is_the_events_tenant():
    event = example("it.pdz.consultation.need.recorded.v1", tenant="lagonegrese")
    [row] = PROJECTORS[event.type](event)
    assert row.key["origin"] == "lagonegrese"


SHARING = Sharing([Share("lagonegrese", "lagonegrese-pollino", ("registry.stakeholders", "consultation.needs")),
                   Share("pollino", "lagonegrese-pollino", ("consultation.needs",)),
                   Share("lagonegrese", "altro", ("registry.stakeholders",))])


def test_shared_registers_are_the_origins_that_share_their_register_with_the_tenant():
    assert shared_registers(SHARING, tenant="lagonegrese-pollino") == {"lagonegrese"}
    assert shared_registers(SHARING, tenant="pollino") == frozenset()
    assert shared_registers(None, tenant="lagonegrese-pollino") == frozenset()
    assert known_origins(SHARING, tenant="lagonegrese-pollino", data="consultation.needs") == {
        "lagonegrese", "pollino", "lagonegrese-pollino"}


def organisation(origin, status="active"):
    return {"id": uuid.uuid4(), "origin": origin, "status": status}


def test_a_former_ambitos_organisation_may_be_invited_only_where_its_register_is_shared():
    registers = shared_registers(SHARING, tenant="lagonegrese-pollino")
    members.ensure_may_be_invited(organisation("lagonegrese"), tenant="lagonegrese-pollino",
                                  shared_registers=registers)
    with pytest.raises(members.SharedOrganisation):  # pollino shares its needs, not its register
        members.ensure_may_be_invited(organisation("pollino"), tenant="lagonegrese-pollino",
                                      shared_registers=registers)
    with pytest.raises(members.SharedOrganisation):  # without a sharing, as before
        members.ensure_may_be_invited(organisation("lagonegrese"), tenant="lagonegrese-pollino")
    with pytest.raises(members.SuspendedOrganisation):  # its status still counts
        members.ensure_may_be_invited(organisation("lagonegrese", "suspended"), tenant="lagonegrese-pollino",
                                      shared_registers=registers)


def apply(store: dict, rows) -> None:
    """shared/consumer/rows.py's upsert, in memory: insert, or update only if `newer_than` grows (0 if unset)."""
    for row in rows:
        key = (row.table, tuple(sorted((k, str(v)) for k, v in row.key.items())))
        current = store.get(key)
        if current is None:
            store[key] = dict(row.values)
        elif row.newer_than is None or current.get(row.newer_than, 0) < row.values[row.newer_than]:
            current.update(row.values)


PROPOSAL_HISTORY = [
    ("it.pdz.consultation.proposal.submitted.v1", {"version": 1, "status": "submitted"}),
    ("it.pdz.consultation.proposal.updated.v1", {"version": 2, "status": "submitted", "estimated_cost": "17000.00"}),
    ("it.pdz.consultation.proposal.evaluation_started.v1", {"version": 3, "status": "under_evaluation"}),
    ("it.pdz.consultation.proposal.rejected.v1", {"version": 5, "status": "rejected"}),
]


@given(st.lists(st.sampled_from(range(len(PROPOSAL_HISTORY))), min_size=len(PROPOSAL_HISTORY),
                max_size=3 * len(PROPOSAL_HISTORY)).filter(lambda order: set(order) == set(range(len(PROPOSAL_HISTORY)))))
def test_any_order_of_arrival_with_duplicates_ends_at_the_newest_status_and_content(order):
    pid = str(uuid.uuid4())
    events = [example(t, proposal_id=pid, **data) for t, data in PROPOSAL_HISTORY]
    store: dict = {}
    for i in order:
        apply(store, PROJECTORS[events[i].type](events[i]))
    [row] = store.values()
    assert (row["status"], row["version"], row["content_version"]) == ("rejected", 5, 2)
    assert row["estimated_cost"] == Decimal("17000.00") and row["answer"]


@given(st.permutations([1, 2, 3]), st.integers(min_value=0, max_value=2))
def test_a_need_ends_at_its_newest_version_whatever_the_order(order, repeat):
    nid = str(uuid.uuid4())
    events = {v: example("it.pdz.consultation.need.updated.v1", need_id=nid, version=v, title=f"Versione {v}")
              for v in (1, 2, 3)}
    store: dict = {}
    for v in [*order, order[repeat]]:
        apply(store, PROJECTORS[events[v].type](events[v]))
    [row] = store.values()
    assert (row["version"], row["title"]) == (3, "Versione 3")
