"""Pure rules of sessions: seat allocation with a waiting list (properties), the session life cycle,
and the minutes' state machine and numbering."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from services.consultation.sessions import domain, seats
from services.consultation.sessions.minutes import domain as minutes

T0 = datetime(2026, 3, 10, 16, 0, tzinfo=timezone.utc)


# --- seats ------------------------------------------------------------------------------------------

class Book:
    """A session's registrations driven only through the pure rules, as the service drives them."""

    def __init__(self, limit):
        self.limit = limit
        self.rows = []          # [id, seats, status] in registration order
        self.seated_order = []  # ids in the order they got their seats

    def taken(self):
        return sum(r[1] for r in self.rows if r[2] == "registered")

    def waiting(self):
        return [seats.Waiting(r[0], r[1]) for r in self.rows if r[2] == "waiting"]

    def register(self, wanted):
        new_id = len(self.rows)
        admitted = seats.admits(limit=self.limit, taken=self.taken(), waiting=len(self.waiting()), seats=wanted)
        self.rows.append([new_id, wanted, "registered" if admitted else "waiting"])
        if admitted:
            self.seated_order.append(new_id)
        return []

    def cancel(self, index):
        standing = [r for r in self.rows if r[2] != "cancelled"]
        if not standing:
            return []
        standing[index % len(standing)][2] = "cancelled"
        queue = self.waiting()
        promoted = seats.promotions(limit=self.limit, taken=self.taken(), waiting=queue)
        for row in self.rows:
            if row[0] in promoted:
                row[2] = "registered"
        self.seated_order += promoted
        return promoted, queue


operations = st.lists(st.one_of(st.tuples(st.just("register"), st.integers(1, 5)),
                                st.tuples(st.just("cancel"), st.integers(0, 50))), max_size=60)


@settings(max_examples=300)
@given(limit=st.one_of(st.none(), st.integers(1, 12)), ops=operations)
def test_never_more_seats_than_the_limit_order_kept_and_freed_seats_go_to_the_head(limit, ops):
    book = Book(limit)
    seated_before = 0
    for op, arg in ops:
        if op == "register":
            book.register(arg)
        else:
            result = book.cancel(arg)
            if result:
                promoted, queue = result
                # the promoted are the head of the waiting list, in its order
                assert promoted == [w.id for w in queue[:len(promoted)]]
        taken = book.taken()
        if limit is not None:
            assert taken <= limit
        waiting = book.waiting()
        # nobody waits without a limit; with one, freed seats are not left while the head would fit
        if limit is None:
            assert not waiting
        elif waiting:
            assert taken + waiting[0].seats > limit
        # first come, first served: whoever got a seat in this step registered before everyone still waiting
        newly = book.seated_order[seated_before:]
        assert all(seated < w.id for seated in newly for w in waiting)
        seated_before = len(book.seated_order)


@settings(max_examples=300)
@given(limit=st.integers(1, 12), wanted=st.lists(st.integers(1, 5), max_size=30))
def test_without_cancellations_seats_go_in_registration_order(limit, wanted):
    book = Book(limit)
    for n in wanted:
        book.register(n)
    seated = [r for r in book.rows if r[2] == "registered"]
    waiting = [r for r in book.rows if r[2] == "waiting"]
    # the seated are a prefix of the registrations: strict queue, nobody overtakes
    assert [r[0] for r in seated] == list(range(len(seated)))
    assert sum(r[1] for r in seated) <= limit
    if waiting:
        assert sum(r[1] for r in seated) + waiting[0][1] > limit


def test_a_cancellation_promotes_in_order_and_stops_at_the_first_that_does_not_fit():
    queue = [seats.Waiting("a", 2), seats.Waiting("b", 3), seats.Waiting("c", 1)]
    assert seats.promotions(limit=10, taken=5, waiting=queue) == ["a", "b"]
    assert seats.promotions(limit=10, taken=6, waiting=queue) == ["a"]     # b does not fit; c never overtakes
    assert seats.promotions(limit=10, taken=10, waiting=queue) == []
    assert seats.promotions(limit=None, taken=99, waiting=queue) == ["a", "b", "c"]


def test_a_new_registration_waits_behind_the_waiting_list_even_if_it_would_fit():
    assert seats.admits(limit=10, taken=9, waiting=0, seats=1)
    assert not seats.admits(limit=10, taken=9, waiting=0, seats=2)
    assert not seats.admits(limit=10, taken=5, waiting=1, seats=1)
    assert seats.admits(limit=None, taken=1000, waiting=0, seats=20)
    with pytest.raises(ValueError):
        seats.admits(limit=10, taken=0, waiting=0, seats=0)
    assert seats.free_seats(limit=10, taken=4) == 6
    assert seats.free_seats(limit=None, taken=4) is None


# --- sessions ---------------------------------------------------------------------------------------

def test_a_session_takes_place_somewhere():
    domain.check_where("Sala consiliare", None)
    domain.check_where(None, "https://meet.example.org/tavolo")
    with pytest.raises(domain.SessionInputError) as info:
        domain.check_where("  ", None)
    assert info.value.field == "place"
    with pytest.raises(domain.SessionInputError):
        domain.check_times(T0, T0)


def test_life_cycle():
    domain.check_transition("scheduled", "cancelled")
    for current, target in (("held", "cancelled"), ("cancelled", "held"), ("cancelled", "scheduled")):
        with pytest.raises(domain.SessionRuleError):
            domain.check_transition(current, target)
    with pytest.raises(domain.SessionRuleError, match="cannot have been held yet"):
        domain.check_holdable(status="scheduled", starts_at=T0, now=T0 - timedelta(minutes=1))
    domain.check_holdable(status="scheduled", starts_at=T0, now=T0)
    with pytest.raises(domain.SessionRuleError):
        domain.check_editable("held")


def test_registrations_close_when_the_session_starts_or_is_not_scheduled():
    domain.check_registrable(status="scheduled", starts_at=T0, now=T0 - timedelta(seconds=1))
    with pytest.raises(domain.SessionRuleError, match="started"):
        domain.check_registrable(status="scheduled", starts_at=T0, now=T0)
    with pytest.raises(domain.SessionRuleError, match="cancelled"):
        domain.check_registrable(status="cancelled", starts_at=T0, now=T0 - timedelta(days=1))


def test_a_lower_seat_limit_may_not_take_seats_away():
    domain.check_seat_limit(seat_limit=5, seats_taken=5)
    domain.check_seat_limit(seat_limit=None, seats_taken=500)
    with pytest.raises(domain.SeatLimitTooLow) as info:
        domain.check_seat_limit(seat_limit=4, seats_taken=5)
    assert info.value.code == "seat-limit-below-registered"


def test_attendance_and_minutes_follow_the_status():
    domain.check_attendance("scheduled")
    domain.check_attendance("held")
    with pytest.raises(domain.SessionRuleError):
        domain.check_attendance("cancelled")
    domain.check_minutes("held")
    for status in ("scheduled", "cancelled"):
        with pytest.raises(domain.SessionRuleError):
            domain.check_minutes(status)


# --- minutes ----------------------------------------------------------------------------------------

V = minutes.Version


def test_approved_minutes_are_immutable():
    minutes.check_editable("draft")
    with pytest.raises(minutes.MinutesApproved) as info:
        minutes.check_editable("approved")
    assert info.value.code == "minutes-approved"
    with pytest.raises(minutes.MinutesApproved):
        minutes.check_approvable("approved")
    minutes.check_approvable("draft")


def test_the_first_draft_is_number_one_and_only_once():
    assert minutes.first_number([]) == 1
    with pytest.raises(minutes.MinutesExist):
        minutes.first_number([V(1, "draft")])


def test_a_correction_is_the_next_number_and_corrects_the_version_in_force():
    assert minutes.in_force([V(1, "draft")]) is None
    assert minutes.correction_number([V(1, "approved")], corrects=1) == 2
    assert minutes.correction_number([V(1, "approved"), V(2, "approved")], corrects=2) == 3
    assert minutes.in_force([V(1, "approved"), V(2, "approved"), V(3, "draft")]) == 2
    with pytest.raises(minutes.NotInForce):      # an older version is no longer in force
        minutes.correction_number([V(1, "approved"), V(2, "approved")], corrects=1)
    with pytest.raises(minutes.NotInForce):      # nothing approved yet
        minutes.correction_number([V(1, "draft")][:0], corrects=1)
    with pytest.raises(minutes.DraftPending):
        minutes.correction_number([V(1, "approved"), V(2, "draft")], corrects=1)


@given(st.lists(st.sampled_from(["approve", "correct", "edit"]), max_size=30))
def test_numbers_grow_by_one_and_approved_versions_never_become_drafts(steps):
    versions = [V(minutes.first_number([]), "draft")]
    for step in steps:
        last = versions[-1]
        if step == "approve" and last.status == "draft":
            minutes.check_approvable(last.status)
            versions[-1] = V(last.number, "approved")
        elif step == "correct" and last.status == "approved":
            versions.append(V(minutes.correction_number(versions, corrects=minutes.in_force(versions)), "draft"))
        elif step == "edit":
            if last.status == "approved":
                with pytest.raises(minutes.MinutesApproved):
                    minutes.check_editable(last.status)
            else:
                minutes.check_editable(last.status)
    assert [v.number for v in versions] == list(range(1, len(versions) + 1))
    assert all(v.status == "approved" for v in versions[:-1])
