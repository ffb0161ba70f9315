"""A round's results, pure and exact (integers only), and the tie-break that makes the ranking a total order.

The ranking (docs/consultation.md "Prioritisation rounds"): more points first; then more organisations
that gave the proposal points; then the proposal submitted earlier; then the smaller proposal id (its
canonical lowercase text). Every proposal of the round is ranked, those given no points too; ranks are
1..n with no two proposals sharing one.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

TIE_BREAK = ("points", "organisations", "submitted_at", "proposal_id")


@dataclass(frozen=True)
class Result:
    proposal_id: object
    points: int
    organisations: int
    submitted_at: datetime
    rank: int = 0


def order_key(result: Result) -> tuple:
    """The tie-break as a sort key: ascending order is the ranking."""
    return (-result.points, -result.organisations, result.submitted_at, str(result.proposal_id).lower())


def tally(proposals: Mapping, ballots: Iterable[Mapping]) -> list[Result]:
    """The ranking of `proposals` ({proposal_id: submitted_at}) under `ballots` ({proposal_id: points} each).

    Ballots are already valid (ballots.valid_ballot); points on a proposal outside the round are an error."""
    points = {proposal_id: 0 for proposal_id in proposals}
    organisations = dict.fromkeys(proposals, 0)
    for ballot in ballots:
        for proposal_id, given in ballot.items():
            if proposal_id not in points:
                raise ValueError(f"a ballot gives points to {proposal_id}, not a proposal of the round")
            points[proposal_id] += given
            organisations[proposal_id] += 1 if given > 0 else 0
    unranked = [Result(p, points[p], organisations[p], submitted_at) for p, submitted_at in proposals.items()]
    return [Result(r.proposal_id, r.points, r.organisations, r.submitted_at, rank)
            for rank, r in enumerate(sorted(unranked, key=order_key), start=1)]
