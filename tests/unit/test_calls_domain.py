from datetime import datetime, timedelta, timezone

import pytest

from services.registry.calls.domain import (CallRuleError, check_publishable, check_transition, check_window,
                                            effective_status, refusal)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
OPENS, CLOSES = NOW - timedelta(days=10), NOW + timedelta(days=10)


@pytest.mark.parametrize("current, target", [("draft", "published"), ("published", "closed")])
def test_allowed_transitions(current, target):
    check_transition(current, target)


@pytest.mark.parametrize("current, target", [("draft", "closed"), ("published", "draft"), ("closed", "published"),
                                             ("closed", "draft"), ("published", "published")])
def test_forbidden_transitions(current, target):
    with pytest.raises(CallRuleError):
        check_transition(current, target)


def test_the_window_must_be_ordered():
    with pytest.raises(CallRuleError):
        check_window(CLOSES, OPENS)
    with pytest.raises(CallRuleError):
        check_window(OPENS, OPENS)


def test_a_call_past_its_deadline_cannot_be_published():
    with pytest.raises(CallRuleError, match="already passed"):
        check_publishable(opens_at=OPENS, closes_at=NOW - timedelta(seconds=1), now=NOW)
    check_publishable(opens_at=OPENS, closes_at=CLOSES, now=NOW)


def test_a_published_call_closes_by_itself_at_the_deadline():
    assert effective_status(status="published", closes_at=CLOSES, now=NOW) == "published"
    assert effective_status(status="published", closes_at=CLOSES, now=CLOSES) == "closed"
    assert effective_status(status="draft", closes_at=CLOSES, now=CLOSES) == "draft"


@pytest.mark.parametrize("status, at, expected", [
    ("published", NOW, None),
    ("published", OPENS, None),                       # the opening instant is inside the window
    ("published", CLOSES, "closed at"),               # the deadline instant is outside
    ("published", OPENS - timedelta(seconds=1), "opens at"),
    ("draft", NOW, "not been published"),
    ("closed", NOW, "closed"),
])
def test_when_applications_are_accepted(status, at, expected):
    reason = refusal(status=status, opens_at=OPENS, closes_at=CLOSES, now=at)
    if expected is None:
        assert reason is None
    else:
        assert expected in reason


def test_a_late_refusal_names_the_deadline():
    assert CLOSES.isoformat() in refusal(status="published", opens_at=OPENS, closes_at=CLOSES,
                                         now=CLOSES + timedelta(minutes=1))
    early_close = NOW - timedelta(days=1)
    assert early_close.isoformat() in refusal(status="closed", opens_at=OPENS, closes_at=CLOSES, now=NOW,
                                              closed_at=early_close)
