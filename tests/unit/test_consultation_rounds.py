"""Prioritisation rounds, pure rules: ballot validity, exact totals, the tie-break, the round's life."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from services.consultation.rounds import ballots, domain, events, results
from tests.contract.catalogue import assert_valid_event

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=timezone.utc)
PROPOSALS = [uuid.UUID(int=i) for i in range(1, 6)]

proposal_sets = st.lists(st.uuids(), min_size=2, max_size=8, unique=True)


def allocations_for(ids, points):
    """Valid allocations: `points` split over some of `ids` (zeros allowed), in any order."""
    return st.lists(st.sampled_from(ids), min_size=points, max_size=points).flatmap(
        lambda picks: st.permutations([{"proposal_id": p, "points": picks.count(p)} for p in dict.fromkeys(picks)]))


# --- ballot validity -------------------------------------------------------------------------------------

@given(data=st.data(), points=st.integers(1, 30))
def test_a_ballot_distributing_exactly_the_points_over_the_round_is_valid(data, points):
    ids = data.draw(proposal_sets)
    allocations = data.draw(allocations_for(ids, points))
    kept = ballots.valid_ballot(allocations, points=points, proposal_ids=ids)
    assert sum(kept.values()) == points and all(v > 0 for v in kept.values()) and set(kept) <= set(ids)


@given(data=st.data(), points=st.integers(1, 30))
def test_validity_is_exactly_the_rules(data, points):
    ids = data.draw(proposal_sets)
    outsider = data.draw(st.uuids().filter(lambda u: u not in ids))
    allocations = data.draw(st.lists(st.fixed_dictionaries({
        "proposal_id": st.sampled_from([*ids, outsider]), "points": st.integers(-3, points + 3)}), max_size=6))
    errors = ballots.ballot_errors(allocations, points=points, proposal_ids=ids)
    chosen = [a["proposal_id"] for a in allocations]
    expected_valid = (sum(a["points"] for a in allocations) == points and all(a["points"] >= 0 for a in allocations)
                      and outsider not in chosen and len(set(chosen)) == len(chosen))
    assert (errors == []) == expected_valid


def test_each_broken_rule_is_named():
    p, q = PROPOSALS[:2]
    assert ballots.ballot_errors([{"proposal_id": p, "points": 6}, {"proposal_id": q, "points": 3}],
                                 points=10, proposal_ids=[p, q]) == [
        ("allocations", "the points given add up to 9: all 10 must be distributed")]
    errors = ballots.ballot_errors([{"proposal_id": p, "points": -1}, {"proposal_id": PROPOSALS[4], "points": 11},
                                    {"proposal_id": p, "points": 0}, {"proposal_id": q, "points": True}],
                                   points=10, proposal_ids=[p, q])
    assert [field for field, _ in errors] == ["allocations.0.points", "allocations.1.proposal_id",
                                              "allocations.2.proposal_id", "allocations.3.points"]
    with pytest.raises(ballots.InvalidBallot) as first:
        ballots.valid_ballot([], points=10, proposal_ids=[p, q])
    with pytest.raises(ballots.InvalidBallot) as second:
        ballots.valid_ballot([], points=10, proposal_ids=[p, q])
    assert first.value is not second.value
    # Zeros are allowed and dropped; the order sent is kept.
    assert list(ballots.valid_ballot([{"proposal_id": q, "points": 10}, {"proposal_id": p, "points": 0}],
                                     points=10, proposal_ids=[p, q]).items()) == [(q, 10)]


# --- results ---------------------------------------------------------------------------------------------

@st.composite
def rounds(draw):
    ids = draw(proposal_sets)
    base = datetime(2026, 3, 1, tzinfo=timezone.utc)
    # Few distinct submission times, so that ties reach the last key too.
    proposals = {p: base + timedelta(minutes=draw(st.integers(0, 2))) for p in ids}
    points = draw(st.integers(1, 12))
    cast = draw(st.lists(allocations_for(ids, points), max_size=7))
    return proposals, points, [ballots.valid_ballot(a, points=points, proposal_ids=ids) for a in cast]


@settings(max_examples=200)
@given(round_=rounds())
def test_totals_are_exactly_the_sums_of_the_ballots(round_):
    proposals, points, cast = round_
    ranking = results.tally(proposals, cast)
    assert sorted(r.proposal_id for r in ranking) == sorted(proposals)
    for r in ranking:
        assert r.points == sum(b.get(r.proposal_id, 0) for b in cast)
        assert r.organisations == sum(1 for b in cast if b.get(r.proposal_id, 0) > 0)
    assert sum(r.points for r in ranking) == points * len(cast)


@settings(max_examples=200)
@given(round_=rounds())
def test_the_ranking_is_a_total_order_by_the_tie_break(round_):
    proposals, _points, cast = round_
    ranking = results.tally(proposals, cast)
    assert [r.rank for r in ranking] == list(range(1, len(proposals) + 1))
    for better, worse in zip(ranking, ranking[1:]):
        a = (better.points, better.organisations)
        b = (worse.points, worse.organisations)
        assert a > b or (a == b and (better.submitted_at, str(better.proposal_id)) <
                         (worse.submitted_at, str(worse.proposal_id)))


@settings(max_examples=200)
@given(round_=rounds(), data=st.data())
def test_the_order_of_ballots_and_proposals_changes_nothing(round_, data):
    proposals, _points, cast = round_
    shuffled = dict(data.draw(st.permutations(list(proposals.items()))))
    assert results.tally(shuffled, data.draw(st.permutations(cast))) == results.tally(proposals, cast)


def test_the_tie_break_worked_example():
    a, b, c, d, e = PROPOSALS
    early, late = datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 3, 2, tzinfo=timezone.utc)
    proposals = {e: late, d: late, c: early, b: late, a: late}
    cast = [{a: 6, b: 4}, {b: 4, c: 3, d: 3}, {c: 5, d: 5}]
    ranking = [(r.rank, r.proposal_id, r.points, r.organisations) for r in results.tally(proposals, cast)]
    # b, c and d have 8 points each from two organisations: c was submitted earlier; b and d tie on everything
    # but the id, and b's is smaller. e, given nothing, is ranked too.
    assert ranking == [(1, c, 8, 2), (2, b, 8, 2), (3, d, 8, 2), (4, a, 6, 1), (5, e, 0, 0)]
    with pytest.raises(ValueError):
        results.tally({a: early, b: early}, [{c: 10}])


# --- the round's life ------------------------------------------------------------------------------------

def test_a_round_closes_at_its_closing_time_without_anyone_closing_it():
    closes = NOW + timedelta(hours=1)
    assert domain.effective_status(status="open", closes_at=closes, now=NOW) == "open"
    assert domain.effective_status(status="open", closes_at=closes, now=closes) == "closed"
    assert domain.due(status="open", closes_at=closes, now=closes) and not domain.due(
        status="closed", closes_at=closes, now=closes)
    assert domain.effective_status(status="cancelled", closes_at=closes, now=closes) == "cancelled"
    domain.ensure_open(status="open", closes_at=closes, now=NOW)
    with pytest.raises(domain.RoundClosed) as first:
        domain.ensure_open(status="open", closes_at=closes, now=closes)
    with pytest.raises(domain.RoundClosed) as second:
        domain.ensure_open(status="closed", closes_at=closes, now=NOW)
    assert first.value is not second.value and first.value.code == "round-closed"
    with pytest.raises(domain.RoundCancelled):
        domain.ensure_open(status="cancelled", closes_at=closes, now=NOW)


def test_closing_time_and_proposals_are_checked():
    with pytest.raises(domain.InvalidField, match="closes_at"):
        domain.check_closing_time(NOW, now=NOW)
    with pytest.raises(domain.InvalidField, match="within a year"):
        domain.check_closing_time(NOW + timedelta(days=400), now=NOW)
    table, other = uuid.uuid4(), uuid.uuid4()
    a, b, c, d = PROPOSALS[:4]
    found = {a: {"table_id": table, "status": "submitted"}, b: {"table_id": table, "status": "under_evaluation"},
             c: {"table_id": other, "status": "submitted"}, d: {"table_id": table, "status": "accepted"}}
    assert domain.check_proposals([b, a, b], found, table_id=table) == [b, a]
    for ids, field in (([a, c], "proposal_ids.1"), ([d, a], "proposal_ids.0"), ([a, PROPOSALS[4]], "proposal_ids.1"),
                       ([a, a], "proposal_ids")):
        with pytest.raises(domain.InvalidField) as refused:
            domain.check_proposals(ids, found, table_id=table)
        assert refused.value.field == field


def test_the_events_are_valid_and_name_no_voter():
    round_ = {"id": uuid.uuid4(), "table_id": uuid.uuid4(), "title": "Priorità 2026", "points": 10,
              "closes_at": NOW, "status": "closed", "ballots_count": 2, "version": 2, "opened_by_role": "operator",
              "created_at": NOW, "closed_at": NOW, "closed_early": True, "cancelled_at": NOW}
    ranking = [{"rank": 1, "proposal_id": PROPOSALS[0], "points": 12, "organisations": 2},
               {"rank": 2, "proposal_id": PROPOSALS[1], "points": 8, "organisations": 2}]
    built = [events.opened(tenant="t", round_={**round_, "status": "open"}, proposal_ids=PROPOSALS[:2]),
             events.ballot_cast(tenant="t", round_={**round_, "status": "open"}, replaced=True, on_behalf=False,
                                at=NOW),
             events.closed(tenant="t", round_=round_, ranking=ranking),
             events.cancelled(tenant="t", round_={**round_, "status": "cancelled"})]
    for event in built:
        assert_valid_event(event.type, event.data)
        assert "organisation_id" not in str(event.data) and event.subject == str(round_["id"])
    assert built[2].data["total_points"] == 20
