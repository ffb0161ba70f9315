"""Minutes rules, pure: the state machine of a version and the numbering of corrections.

Version 1 is drafted, edited while it is a draft, then approved. Approved
minutes never change: a correction is a new version, numbered after the last,
that names the approved version it corrects (the one in force, i.e. the last
approved) and the reason. At most one draft exists at a time.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DRAFT, APPROVED = "draft", "approved"
STATUSES = (DRAFT, APPROVED)
TRANSITIONS = {DRAFT: {APPROVED}, APPROVED: set()}


class MinutesRuleError(ValueError):
    """What was asked of the minutes breaks a rule; `code` names it (the API's problem type)."""

    code = "minutes-state"


class MinutesApproved(MinutesRuleError):
    """Approved minutes are immutable: write a correction instead."""

    code = "minutes-approved"


class MinutesExist(MinutesRuleError):
    code = "minutes-exist"


class DraftPending(MinutesRuleError):
    code = "minutes-draft-pending"


class NotInForce(MinutesRuleError):
    code = "minutes-not-in-force"


@dataclass(frozen=True)
class Version:
    number: int
    status: str


def check_editable(status: str) -> None:
    """Only a draft can be edited; an approved version is refused whatever the change."""
    if status == APPROVED:
        raise MinutesApproved("approved minutes are immutable: write a correction (a new version)")


def check_approvable(status: str) -> None:
    if APPROVED not in TRANSITIONS[status]:
        raise MinutesApproved("these minutes are already approved")


def first_number(versions: Sequence[Version]) -> int:
    """The number of the first draft (1); refused if the session has minutes already."""
    if versions:
        raise MinutesExist("the session has minutes already: edit the draft or write a correction")
    return 1


def in_force(versions: Sequence[Version]) -> int | None:
    """The number of the version in force: the last approved one (None before any approval)."""
    approved = [v.number for v in versions if v.status == APPROVED]
    return max(approved) if approved else None


def correction_number(versions: Sequence[Version], *, corrects: int) -> int:
    """The number of a correction of version `corrects`: the next one, if `corrects` is the version in force."""
    if any(v.status == DRAFT for v in versions):
        raise DraftPending("a draft is pending: approve or edit it before writing another version")
    current = in_force(versions)
    if current is None:
        raise NotInForce("there are no approved minutes to correct")
    if corrects != current:
        raise NotInForce(f"only the version in force ({current}) can be corrected")
    return max(v.number for v in versions) + 1
