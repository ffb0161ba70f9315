"""A round's life, pure: open until its closing time (or closed early by the office), or cancelled before."""
from __future__ import annotations

from datetime import datetime, timedelta

OPEN, CLOSED, CANCELLED = "open", "closed", "cancelled"
STATUSES = (OPEN, CLOSED, CANCELLED)
# Proposals still being considered; accepted, rejected and merged ones are decided already.
RANKABLE = ("submitted", "under_evaluation")
MIN_PROPOSALS, MAX_PROPOSALS = 2, 50
MIN_POINTS, MAX_POINTS, DEFAULT_POINTS = 1, 1000, 10
LONGEST = timedelta(days=366)  # a round closes within a year of opening


class InvalidField(ValueError):
    """A request field the rules refuse (the API answers 422 naming it)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class RoundError(Exception):
    """The round's state does not allow it; `code` is the problem's slug (the API answers 409)."""

    code = "round-state"


class RoundClosed(RoundError):
    """The round is closed: no ballot changes, no cancellation."""

    code = "round-closed"


class RoundCancelled(RoundError):
    """The round was cancelled."""

    code = "round-cancelled"


class TableClosed(RoundError):
    """The table is closed: it opens no round and takes no ballot."""

    code = "table-closed"


def effective_status(*, status: str, closes_at: datetime, now: datetime) -> str:
    """An open round whose closing time has come is closed, whether or not its closure is stored yet."""
    if status == OPEN and now >= closes_at:
        return CLOSED
    return status


def due(*, status: str, closes_at: datetime, now: datetime) -> bool:
    """True when the round's closure (and results) must be stored: stored open, closing time passed."""
    return status == OPEN and now >= closes_at


def ensure_open(*, status: str, closes_at: datetime, now: datetime) -> None:
    """Raise a fresh RoundClosed / RoundCancelled unless the round takes ballots now."""
    state = effective_status(status=status, closes_at=closes_at, now=now)
    if state == CLOSED:
        raise RoundClosed(f"the round closed at {closes_at.isoformat()}")
    if state == CANCELLED:
        raise RoundCancelled("the round was cancelled")


def check_closing_time(closes_at: datetime, *, now: datetime) -> None:
    if closes_at <= now:
        raise InvalidField("closes_at", "must be in the future")
    if closes_at > now + LONGEST:
        raise InvalidField("closes_at", "a round closes within a year")


def check_proposals(proposal_ids: list, found: dict, *, table_id) -> list:
    """The distinct proposal ids in order, each a proposal of the table still being considered.

    `found` maps the ids that exist in the Ambito to their rows (table_id, status)."""
    unique = list(dict.fromkeys(proposal_ids))
    for index, proposal_id in enumerate(proposal_ids):
        row = found.get(proposal_id)
        if row is None or row["table_id"] != table_id:
            raise InvalidField(f"proposal_ids.{index}", "not a proposal of this table")
        if row["status"] not in RANKABLE:
            raise InvalidField(f"proposal_ids.{index}", f"the proposal is {row['status']}: already decided")
    if not MIN_PROPOSALS <= len(unique) <= MAX_PROPOSALS:
        raise InvalidField("proposal_ids", f"a round ranks {MIN_PROPOSALS} to {MAX_PROPOSALS} distinct proposals")
    return unique
