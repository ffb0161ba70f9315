"""Ballot validity, pure: an organisation distributes exactly the round's points over the round's proposals.

All the points must be used (not "at most"): every organisation that votes weighs the same in the totals,
and a ballot of 3 points out of 10 cannot be read as an abstention on the rest. A proposal given no points
may be left out or given 0; what is kept is the proposals given points, in the order sent.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping


class InvalidBallot(ValueError):
    """The ballot breaks the rules; `errors` are (field, message) pairs (the API answers 422 naming them)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


def ballot_errors(allocations: Iterable[Mapping], *, points: int, proposal_ids: Iterable) -> list[tuple[str, str]]:
    """What is wrong with the allocations [{proposal_id, points}] for a round of `points` over `proposal_ids`."""
    allowed, seen, errors, total = set(proposal_ids), set(), [], 0
    for index, item in enumerate(allocations):
        proposal_id, given = item.get("proposal_id"), item.get("points")
        if proposal_id not in allowed:
            errors.append((f"allocations.{index}.proposal_id", "not a proposal of this round"))
        elif proposal_id in seen:
            errors.append((f"allocations.{index}.proposal_id", "the proposal appears twice"))
        seen.add(proposal_id)
        if type(given) is not int or given < 0:
            errors.append((f"allocations.{index}.points", "points are whole numbers, 0 or more"))
        else:
            total += given
    if not errors and total != points:
        errors.append(("allocations", f"the points given add up to {total}: all {points} must be distributed"))
    return errors


def valid_ballot(allocations: list[Mapping], *, points: int, proposal_ids: Iterable) -> dict:
    """{proposal_id: points} of the proposals given points, in the order sent; a fresh InvalidBallot otherwise."""
    errors = ballot_errors(allocations, points=points, proposal_ids=proposal_ids)
    if errors:
        raise InvalidBallot(errors)
    return {item["proposal_id"]: item["points"] for item in allocations if item["points"] > 0}
