"""The plan's life cycle (services/budget/plans/domain.py): the table, and random sequences of actions."""
import pytest
from hypothesis import given, settings, strategies as st

from services.budget.plans import domain
from services.budget.plans.domain import ACTIONS, STATES, InvalidTransition, allowed_actions, next_state

# Every arrow of the cycle the docs draw, and nothing else.
TABLE = {
    ("draft", "adopt"): "adopted", ("returned", "adopt"): "adopted", ("adopted", "approve"): "approved",
    ("approved", "send"): "sent", ("sent", "return"): "returned", ("sent", "accept"): "accepted",
    ("accepted", "sign"): "signed", ("signed", "supersede"): "superseded",
}
# The state each state can only be reached from (besides draft, the start).
PREDECESSORS = {"adopted": {"draft", "returned"}, "approved": {"adopted"}, "sent": {"approved"},
                "returned": {"sent"}, "accepted": {"sent"}, "signed": {"accepted"}, "superseded": {"signed"}}


def test_the_table_is_exactly_the_documented_cycle():
    found = {(s, a): next_state(s, a) for s in STATES for a in ACTIONS if s in ACTIONS[a][0]}
    assert found == TABLE


@pytest.mark.parametrize("state", STATES)
def test_a_refused_action_names_the_state_and_what_is_allowed(state):
    for action in ACTIONS:
        if (state, action) in TABLE:
            continue
        with pytest.raises(InvalidTransition) as refused:
            next_state(state, action)
        assert refused.value.state == state and refused.value.allowed == allowed_actions(state)
        assert state in str(refused.value)


def test_roles_the_region_reviews_the_office_does_the_rest():
    assert {a for a in domain.PUBLIC_ACTIONS if domain.role_for(a) == "regional-reviewer"} == {"return", "accept"}
    assert {domain.role_for(a) for a in ("adopt", "approve", "send", "sign")} == {"operator"}
    assert allowed_actions("sent") == ["return", "accept"] and allowed_actions("superseded") == []
    assert "supersede" not in allowed_actions("signed")   # it follows from signing the next version


def test_history_rows_name_their_action():
    assert domain.action_of(None, "draft", number=1) == "create"
    assert domain.action_of(None, "draft", number=2) == "open"
    for (state, action), target in TABLE.items():
        assert domain.action_of(state, target, number=1) == action
    with pytest.raises(ValueError):
        domain.action_of("draft", "signed", number=1)


def test_a_new_version_opens_only_on_a_signed_one():
    domain.check_can_open_next("signed", current=1)
    for state in set(STATES) - {"signed"}:
        with pytest.raises(InvalidTransition, match=state):
            domain.check_can_open_next(state, current=1)


def test_reference_year_of_a_yearly_update():
    assert domain.check_reference_year(2025, first_year=2024, last_year=2026, previous=2024) is None
    assert domain.check_reference_year(2024, first_year=2024, last_year=2026, previous=2024)
    assert domain.check_reference_year(2027, first_year=2024, last_year=2026, previous=2024)
    assert domain.check_reference_year(2025, first_year=2024, last_year=2026, previous=2026)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(sorted(ACTIONS)), max_size=40))
def test_random_sequences_never_leave_the_table(actions):
    state, path = "draft", ["draft"]
    for action in actions:
        if (state, action) in TABLE:
            state = next_state(state, action)
            path.append(state)
        else:
            with pytest.raises(InvalidTransition):
                next_state(state, action)
        assert state in STATES
    for before, after in zip(path, path[1:]):
        assert before in PREDECESSORS[after], path
    if "signed" in path:
        i = path.index("signed")
        # Signed only right after accepted, which came right after sent, after approved, after adopted.
        assert path[i - 4:i] == ["adopted", "approved", "sent", "accepted"], path
    if "superseded" in path:
        assert path[-1] == "superseded" and path[-2] == "signed"
    frozen_since = next((i for i, s in enumerate(path) if s in domain.FROZEN_STATES), None)
    if frozen_since is not None:
        # Once approved, the content is editable again only after the Region returned it.
        assert all(s not in domain.EDITABLE_STATES or path[i - 1] == "sent"
                   for i, s in enumerate(path) if i > frozen_since), path
