"""A proposal's life cycle, pure: submitted -> under_evaluation -> accepted / rejected / merged.

Who does what (docs/consultation.md "Needs and proposals"):
- the author organisation's representatives, or the office on its behalf, submit and edit it while
  it is `submitted`;
- the Ufficio di Piano (operator) or the table's coordinator starts the evaluation, naming the valuators
  (accounts);
- each assigned valuator records one feasibility and cost assessment (again: it replaces theirs);
- the Ufficio di Piano (operator) decides: accepted (at least one assessment first), rejected, or merged
  into another proposal; every decision has a reasoned answer. Decisions are final.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

SUBMITTED, UNDER_EVALUATION = "submitted", "under_evaluation"
ACCEPTED, REJECTED, MERGED = "accepted", "rejected", "merged"
STATUSES = (SUBMITTED, UNDER_EVALUATION, ACCEPTED, REJECTED, MERGED)
OUTCOMES = (ACCEPTED, REJECTED, MERGED)
FINAL = frozenset(OUTCOMES)
TRANSITIONS = {SUBMITTED: frozenset({UNDER_EVALUATION}), UNDER_EVALUATION: FINAL,
               ACCEPTED: frozenset(), REJECTED: frozenset(), MERGED: frozenset()}
FEASIBILITY = ("high", "medium", "low")
MAX_VALUATORS = 20


class LifecycleError(ValueError):
    """The proposal cannot do this in its state; `code` names the problem type."""

    code = "proposal-state"


class MergeTargetError(LifecycleError):
    """The proposal named to merge into cannot take it."""

    code = "merge-target"


class NotAValuator(Exception):
    """Only the valuators assigned to the proposal record assessments (the API answers 403)."""

    def __init__(self):
        super().__init__(self.__doc__)


@dataclass(frozen=True)
class Proposal:
    """What the life cycle needs to know about a proposal."""

    id: str
    status: str = SUBMITTED
    valuators: tuple[str, ...] = ()
    assessors: frozenset[str] = frozenset()   # the valuators who recorded an assessment
    answer: str | None = None
    merged_into: str | None = None


def check_transition(current: str, target: str) -> None:
    """Raise a fresh LifecycleError unless `current` may become `target`."""
    if target not in TRANSITIONS[current]:
        raise LifecycleError(f"a {current} proposal cannot become {target}")


def check_editable(status: str) -> None:
    """Only a submitted proposal may be edited: once evaluated, it is what the valuators read."""
    if status != SUBMITTED:
        raise LifecycleError(f"a {status} proposal can no longer be edited")


def start_evaluation(proposal: Proposal, valuators) -> Proposal:
    """submitted -> under_evaluation with the valuators named (deduplicated, at least one)."""
    check_transition(proposal.status, UNDER_EVALUATION)
    named = tuple(dict.fromkeys(v.strip() for v in valuators if v and v.strip()))
    if not named:
        raise LifecycleError("name at least one valuator")
    if len(named) > MAX_VALUATORS:
        raise LifecycleError(f"at most {MAX_VALUATORS} valuators")
    return replace(proposal, status=UNDER_EVALUATION, valuators=named)


def assess(proposal: Proposal, valuator: str, feasibility: str) -> Proposal:
    """Record (or replace) an assigned valuator's assessment, while under evaluation."""
    if proposal.status != UNDER_EVALUATION:
        raise LifecycleError(f"a {proposal.status} proposal is not under evaluation")
    if valuator not in proposal.valuators:
        raise NotAValuator()
    if feasibility not in FEASIBILITY:
        raise LifecycleError(f"feasibility must be one of {', '.join(FEASIBILITY)}")
    return replace(proposal, assessors=proposal.assessors | {valuator})


def decide(proposal: Proposal, outcome: str, answer: str, *, target: Proposal | None = None) -> Proposal:
    """under_evaluation -> accepted / rejected / merged (into `target`), with the reasoned answer."""
    if outcome not in OUTCOMES:
        raise LifecycleError(f"the outcome must be one of {', '.join(OUTCOMES)}")
    check_transition(proposal.status, outcome)
    if not (answer or "").strip():
        raise LifecycleError("a decision needs a reasoned answer")
    if outcome == ACCEPTED and not proposal.assessors:
        raise LifecycleError("a proposal is accepted after at least one valuator's assessment")
    if outcome != MERGED:
        if target is not None:
            raise MergeTargetError("only a merge names another proposal")
        return replace(proposal, status=outcome, answer=answer.strip())
    check_merge_target(proposal, target)
    return replace(proposal, status=MERGED, answer=answer.strip(), merged_into=target.id)


def check_merge_target(proposal: Proposal, target: Proposal | None) -> None:
    """The target exists, is another proposal, and is still standing (not merged, not rejected)."""
    if target is None:
        raise MergeTargetError("name the proposal to merge into (merged_into): it must exist in this Ambito")
    if target.id == proposal.id:
        raise MergeTargetError("a proposal cannot be merged into itself")
    if target.status in (MERGED, REJECTED):
        raise MergeTargetError(f"the proposal to merge into is {target.status}")
