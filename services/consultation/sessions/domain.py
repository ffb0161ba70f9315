"""Session rules, pure: where it takes place, its life cycle, and what each status allows."""
from __future__ import annotations

from datetime import datetime

SCHEDULED, HELD, CANCELLED = "scheduled", "held", "cancelled"
STATUSES = (SCHEDULED, HELD, CANCELLED)
TRANSITIONS = {SCHEDULED: {HELD, CANCELLED}, HELD: set(), CANCELLED: set()}


class SessionRuleError(ValueError):
    """The session cannot do what was asked; `code` names why (the API's problem type)."""

    code = "session-state"


class SessionInputError(SessionRuleError):
    """The session's fields do not fit together (an input error: the API answers 422 naming `field`)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class SeatLimitTooLow(SessionRuleError):
    code = "seat-limit-below-registered"


def check_where(place: str | None, video_link: str | None) -> None:
    """A session takes place somewhere: a place, a video link, or both."""
    if not (place or "").strip() and not (video_link or "").strip():
        raise SessionInputError("place", "a session needs a place or a video link (or both)")


def check_times(starts_at: datetime, ends_at: datetime | None) -> None:
    if ends_at is not None and ends_at <= starts_at:
        raise SessionInputError("ends_at", "ends_at must come after starts_at")


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise SessionRuleError(f"a {current} session cannot become {target}")


def check_editable(status: str) -> None:
    if status != SCHEDULED:
        raise SessionRuleError(f"only a scheduled session can be changed; this one is {status}")


def check_holdable(*, status: str, starts_at: datetime, now: datetime) -> None:
    """Held means it took place: a scheduled session whose start has come."""
    check_transition(status, HELD)
    if now < starts_at:
        raise SessionRuleError(f"the session starts at {starts_at.isoformat()}: it cannot have been held yet")


def check_seat_limit(*, seat_limit: int | None, seats_taken: int) -> None:
    """A new limit may not take seats away from registrations that already hold them."""
    if seat_limit is not None and seat_limit < seats_taken:
        raise SeatLimitTooLow(f"{seats_taken} seats are already allotted; the limit cannot go below that")


def check_invitable(status: str) -> None:
    if status != SCHEDULED:
        raise SessionRuleError(f"invitations go to scheduled sessions only; this one is {status}")


def check_registrable(*, status: str, starts_at: datetime, now: datetime) -> None:
    """Registrations (and their cancellations) are open while the session is scheduled and has not started."""
    if status != SCHEDULED:
        raise SessionRuleError(f"registrations are closed: the session is {status}")
    if now >= starts_at:
        raise SessionRuleError("registrations are closed: the session has started")


def check_attendance(status: str) -> None:
    """The register is kept during and after the session, never for a cancelled one."""
    if status == CANCELLED:
        raise SessionRuleError("a cancelled session has no attendance register")


def check_minutes(status: str) -> None:
    """Minutes record a session that was held."""
    if status != HELD:
        raise SessionRuleError(f"minutes are written for a held session; this one is {status}")
