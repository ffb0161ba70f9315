"""The tables' pure rules: areas by kind, who changes what, the state a membership is in now."""
import pytest
from hypothesis import given, strategies as st

from services.consultation.members.domain import STATUSES
from services.consultation.tables import domain

PUGLIA = {"socio-educativa", "assistenziale-welfare-accesso", "socio-sanitaria"}


def test_a_thematic_or_standing_table_works_at_least_one_known_area():
    assert domain.area_errors("thematic", ["socio-educativa"], PUGLIA) == []
    for kind in ("thematic", "standing"):
        assert domain.area_errors(kind, [], PUGLIA) == [
            (None, "A thematic or standing table works at least one thematic area.")]
    [(index, message)] = domain.area_errors("standing", ["socio-educativa", "dipendenze"], PUGLIA)
    assert index == 1 and "'dipendenze'" in message and "socio-sanitaria" in message


def test_a_plenary_may_work_no_area_but_not_an_unknown_one():
    assert domain.area_errors("plenary", [], PUGLIA) == []
    assert domain.area_errors("plenary", ["1"], PUGLIA)[0][0] == 0


def test_a_region_without_areas_takes_none():
    assert domain.area_errors("plenary", [], None) == []
    assert domain.area_errors("plenary", ["socio-educativa"], None)[0][0] is None
    assert domain.area_errors("thematic", ["socio-educativa"], None)


def test_the_coordinator_changes_only_the_description():
    domain.check_coordinator_change(["description"])
    domain.check_coordinator_change([])
    with pytest.raises(PermissionError, match="areas, title"):
        domain.check_coordinator_change(["description", "title", "areas"])


def test_a_closed_table_changes_no_more_and_a_closed_membership_takes_no_request():
    with pytest.raises(domain.TableClosed):
        domain.check_open({"status": "closed"})
    domain.check_may_request({"status": "active", "membership": "open"})
    with pytest.raises(domain.MembershipClosed):
        domain.check_may_request({"status": "active", "membership": "closed"})
    with pytest.raises(domain.TableClosed):
        domain.check_may_request({"status": "closed", "membership": "open"})


def test_refusals_are_fresh_instances_with_their_code():
    first, second = domain.AlreadyMember(), domain.AlreadyMember()
    assert first is not second and first.code == "already-member" and first.detail


def state(stored, *, history=(), status="active", joined=1, reason=None):
    return domain.member_state(stored=stored, ended_reason=reason, joined_version=joined, history=list(history),
                               status=status)


def test_the_register_decides_whether_a_membership_is_in_force():
    assert state("member", history=[(1, "active")]) == "member"
    assert state("member", history=[(1, "active"), (2, "suspended")], status="suspended") == "suspended"
    # Reactivated: in force again, as it was.
    assert state("member", history=[(1, "active"), (2, "suspended"), (3, "active")]) == "member"
    # Withdrawn: ended, and a re-admission since does not bring it back.
    assert state("member", history=[(1, "active"), (2, "withdrawn")], status="withdrawn") == "ended"
    assert state("member", history=[(1, "active"), (2, "withdrawn"), (3, "active")]) == "ended"
    # Taken after the re-admission: in force.
    assert state("member", history=[(1, "active"), (2, "withdrawn"), (3, "active")], joined=3) == "member"
    # A request lapses with a withdrawal too, and a suspension leaves it pending.
    assert state("requested", history=[(1, "active"), (2, "withdrawn")], status="withdrawn") == "ended"
    assert state("requested", history=[(2, "suspended")], status="suspended") == "requested"


def test_how_an_ended_row_ended_is_what_readers_see():
    assert state("left", reason="removed") == "left"
    assert state("left", reason="refused") == "refused"
    assert state("left", reason="withdrawn") == "ended"


versions = st.lists(st.tuples(st.integers(1, 12), st.sampled_from(STATUSES)), max_size=8)


@given(history=versions, status=st.sampled_from(STATUSES), joined=st.integers(1, 12),
       stored=st.sampled_from(("requested", "member")))
def test_states_readers_see_come_from_the_stored_ones_the_list_filter_reads(history, status, joined, stored):
    seen = state(stored, history=history, status=status, joined=joined)
    assert seen in domain.MEMBER_STATES
    assert stored in domain.STORED_FOR[seen]
    # Only a membership in force lets its accounts act (access.acting_for reads "member").
    in_force = seen == "member"
    withdrawn_since = any(v > joined and s == "withdrawn" for v, s in history)
    assert in_force == (stored == "member" and status == "active" and not withdrawn_since)


@given(reason=st.sampled_from(("removed", "refused", "withdrawn")))
def test_an_ended_row_maps_back_to_left(reason):
    assert "left" in domain.STORED_FOR[state("left", reason=reason)]


def test_transitions():
    domain.check_transition(state="requested", action="admit")
    domain.check_transition(state="suspended", action="remove")
    domain.check_transition(state="requested", action="change")
    for seen, action in [("member", "admit"), ("refused", "refuse"), ("left", "remove"), ("ended", "change"),
                         ("requested", "remove")]:
        with pytest.raises(domain.MemberState, match=seen):
            domain.check_transition(state=seen, action=action)


def test_accounts_are_for_the_office_and_the_members_own_representatives():
    assert domain.sees_accounts(manages=True, subject="op", accounts=["rep-a"])
    assert domain.sees_accounts(manages=False, subject="rep-a", accounts=["rep-a", "rep-b"])
    assert not domain.sees_accounts(manages=False, subject="rep-c", accounts=["rep-a"])


def test_unique_keeps_the_order():
    assert domain.unique(["b", "a", "b"]) == ["b", "a"]


def test_every_event_built_here_matches_its_catalogue_schema_and_names_no_account():
    import uuid

    from services.consultation.tables import events
    from tests.contract.catalogue import assert_valid_event

    table = {"id": uuid.uuid4(), "kind": "plenary", "title": "Sessione plenaria", "areas": [], "membership": "closed",
             "status": "active", "version": 1, "coordinator": "coord-segreto"}
    member = {"id": uuid.uuid4(), "table_id": table["id"], "organisation_id": uuid.uuid4(), "state": "member",
              "version": 1, "accounts": ["rep-segreto"]}
    built = [events.table_event(events.TABLE_CREATED, tenant="fasano", table=table),
             events.table_event(events.TABLE_UPDATED, tenant="fasano", table=table, changed=["title"]),
             events.table_event(events.TABLE_CLOSED, tenant="fasano", table={**table, "status": "closed"}),
             events.member_event(events.MEMBER_ADDED, tenant="fasano", member=member),
             events.member_event(events.MEMBER_CHANGED, tenant="fasano", member=member),
             events.member_event(events.MEMBER_REQUESTED, tenant="fasano", member={**member, "state": "requested"}),
             events.member_event(events.MEMBER_ADMITTED, tenant="fasano", member=member),
             events.member_event(events.MEMBER_REFUSED, tenant="fasano", member={**member, "state": "left"},
                                 reason="refused")]
    built += [events.member_event(events.MEMBER_LEFT, tenant="fasano", member={**member, "state": "left"},
                                  reason=reason) for reason in ("removed", "withdrawn")]
    for event in built:
        assert_valid_event(event.type, event.data)
        assert event.subject == str(table["id"]) and "segreto" not in str(event.data)
    # A left event without its reason, or a table event of a kind we do not have, is refused by the schema.
    with pytest.raises(AssertionError, match="reason"):
        assert_valid_event(events.MEMBER_LEFT, events.member_event(events.MEMBER_LEFT, tenant="fasano",
                                                                   member={**member, "state": "left"}).data)
    with pytest.raises(AssertionError, match="kind"):
        assert_valid_event(events.TABLE_CREATED, {**built[0].data, "kind": "round"})
