"""Call rules, pure: the life cycle and the window in which applications are accepted."""
from __future__ import annotations

from datetime import datetime

TRANSITIONS = {"draft": {"published"}, "published": {"closed"}, "closed": set()}


class CallRuleError(ValueError):
    """A call cannot do what was asked; the message says why."""


def check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise CallRuleError("closes_at must come after opens_at")


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise CallRuleError(f"a {current} call cannot become {target}")


def check_publishable(*, opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    check_window(opens_at, closes_at)
    if closes_at <= now:
        raise CallRuleError(f"the closing time {closes_at.isoformat()} has already passed")


def effective_status(*, status: str, closes_at: datetime, now: datetime) -> str:
    """A published call whose closing time has passed is closed, whether or not someone closed it."""
    if status == "published" and now >= closes_at:
        return "closed"
    return status


def refusal(*, status: str, opens_at: datetime, closes_at: datetime, now: datetime,
            closed_at: datetime | None = None) -> str | None:
    """Why an application cannot be accepted now, or None if the call is open."""
    if status == "draft":
        return "the call has not been published"
    if status == "closed" and closed_at is not None and closed_at < closes_at:
        return f"the call was closed early, at {closed_at.isoformat()}"
    if effective_status(status=status, closes_at=closes_at, now=now) == "closed":
        return f"the call closed at {closes_at.isoformat()} (deadline)"
    if now < opens_at:
        return f"the call opens at {opens_at.isoformat()}"
    return None
