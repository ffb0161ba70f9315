"""Seat allocation with a waiting list, pure.

A registration asks for a number of seats. The rule is first come, first
served, strictly: a registration gets its seats only if they are free and
nobody registered before it is waiting (a small request never overtakes a
larger one that came first). When seats are freed (a cancellation, a higher
limit) the waiting list is promoted from its head, in order, as long as the
head fits; the first one that does not fit stops the promotion.
No limit (None) means everyone gets a seat.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Waiting:
    """A registration on the waiting list (in registration order)."""

    id: object
    seats: int


def free_seats(*, limit: int | None, taken: int) -> int | None:
    """Seats still free (None: unlimited)."""
    return None if limit is None else max(limit - taken, 0)


def admits(*, limit: int | None, taken: int, waiting: int, seats: int) -> bool:
    """Whether a new registration for `seats` gets them now (else it waits at the end of the list)."""
    if seats < 1:
        raise ValueError("a registration asks for at least one seat")
    if limit is None:
        return True
    return waiting == 0 and taken + seats <= limit


def promotions(*, limit: int | None, taken: int, waiting: Sequence[Waiting]) -> list:
    """The ids of the waiting registrations that get a seat now, a prefix of `waiting` in its order."""
    promoted = []
    for entry in waiting:
        if limit is not None and taken + entry.seats > limit:
            break
        taken += entry.seats
        promoted.append(entry.id)
    return promoted
