"""Rules of the tables (tavoli) and their memberships: pure, no I/O.

A table is thematic, the plenary or a standing table (tavolo permanente); it
works one or more of the region's thematic areas (a plenary may work none). A
membership's state as stored (requested / member / left) is not the whole
story: the register replica decides whether it is in force now
(members/domain.py membership_state), so the state readers see is computed
here from both, every time it is read.
"""
from __future__ import annotations

from collections.abc import Iterable

from services.consultation.members.domain import ENDED, PAUSED, membership_state

THEMATIC, PLENARY, STANDING = "thematic", "plenary", "standing"
KINDS = (THEMATIC, PLENARY, STANDING)
OPEN, CLOSED = "open", "closed"
MEMBERSHIPS = (OPEN, CLOSED)
ACTIVE = "active"
TABLE_STATUSES = (ACTIVE, CLOSED)
MAX_AREAS = 20

# Stored states (003_tables.sql) and how a membership ended (008).
REQUESTED, MEMBER, LEFT = "requested", "member", "left"
REMOVED, REFUSED, WITHDRAWN = "removed", "refused", "withdrawn"
# The states readers see: the stored one, with the register's say applied.
SUSPENDED, ENDED_STATE = "suspended", "ended"
MEMBER_STATES = (REQUESTED, MEMBER, SUSPENDED, ENDED_STATE, LEFT, REFUSED)
# Which stored states each visible state can come from (a list filter narrows in SQL first).
STORED_FOR = {REQUESTED: (REQUESTED,), MEMBER: (MEMBER,), SUSPENDED: (MEMBER,),
              ENDED_STATE: (REQUESTED, MEMBER, LEFT), LEFT: (LEFT,), REFUSED: (LEFT,)}

# What the table's coordinator may change on its own table; the rest is the office's.
COORDINATOR_FIELDS = frozenset({"description"})


class TableRuleError(Exception):
    """A table or membership cannot do what was asked; `code` names why (the API's problem slug)."""

    code = "table-rule"

    def __init__(self, detail: str | None = None):
        super().__init__(detail or self.__doc__)
        self.detail = detail or self.__doc__


class TableClosed(TableRuleError):
    """The table is closed: it changes no more and takes no members."""

    code = "table-closed"


class MembershipClosed(TableRuleError):
    """The table's membership is closed: only the office adds members."""

    code = "membership-closed"


class AlreadyMember(TableRuleError):
    """The organisation is already a member of this table, or has asked to join it."""

    code = "already-member"


class NotForEveryone(TableRuleError):
    """Only a standing table or the plenary takes every organisation of the register at once."""

    code = "table-kind"


class MemberState(TableRuleError):
    """The membership is not in a state that allows this."""

    code = "member-state"


def area_errors(kind: str, codes: Iterable[str], known: set[str] | None) -> list[tuple[int | None, str]]:
    """(index or None, message) for each area code the region does not plan by, and for a missing one.

    `known` is None when the Ambito's region configures no areas. A thematic or
    standing table works at least one area; the plenary, where everyone meets,
    may work none."""
    codes = list(codes)
    if known is None:
        return [(None, "No thematic areas are configured for this Ambito's region.")] if codes else []
    errors: list[tuple[int | None, str]] = [
        (i, f"Unknown thematic area {code!r}; known: {', '.join(sorted(known))}")
        for i, code in enumerate(codes) if code not in known]
    if not codes and kind != PLENARY:
        errors.append((None, "A thematic or standing table works at least one thematic area."))
    return errors


def unique(codes: Iterable[str]) -> list[str]:
    """The codes without repeats, in their order."""
    return list(dict.fromkeys(codes))


def check_open(table: dict) -> None:
    """Raise TableClosed if the table is closed."""
    if table["status"] != ACTIVE:
        raise TableClosed()


def check_coordinator_change(changes: Iterable[str]) -> None:
    """The table's coordinator may change only its description; the office changes the rest.

    Raises PermissionError naming the fields the coordinator may not change."""
    others = sorted(set(changes) - COORDINATOR_FIELDS)
    if others:
        raise PermissionError(f"the coordinator may change only the description, not: {', '.join(others)}")


# The kinds that gather every social actor: the tavolo permanente open to all of them (seed 000) and the
# plenary; a thematic table gathers those working its areas, chosen one by one.
FOR_EVERYONE = (STANDING, PLENARY)


def check_may_take_everyone(table: dict) -> None:
    """An active standing table or plenary may take every organisation of the register in one step."""
    check_open(table)
    if table["kind"] not in FOR_EVERYONE:
        raise NotForEveryone()


def check_may_request(table: dict) -> None:
    """A representative may ask to join an active table whose membership is open."""
    check_open(table)
    if table["membership"] != OPEN:
        raise MembershipClosed()


def member_state(*, stored: str, ended_reason: str | None, joined_version: int,
                 history: Iterable[tuple[int, str]], status: str) -> str:
    """The state readers see: requested, member, suspended, ended, left or refused.

    `history` and `status` are the organisation's replicated (version, status)
    pairs and its status now. A withdrawal after the membership (or request)
    was taken ends it for good; a suspension pauses a membership."""
    if stored == LEFT:
        return {REFUSED: REFUSED, WITHDRAWN: ENDED_STATE}.get(ended_reason, LEFT)
    effect = membership_state(joined_version=joined_version, history=history, status=status)
    if effect == ENDED:
        return ENDED_STATE
    if stored == MEMBER and effect == PAUSED:
        return SUSPENDED
    return stored


def standing(stored: str) -> bool:
    """True while the row holds the table's one place for its organisation (the unique index of 003)."""
    return stored in (REQUESTED, MEMBER)


def check_transition(*, state: str, action: str) -> None:
    """admit / refuse a request, change accounts or remove a membership: only from the states that allow it.

    `state` is the visible state (member_state)."""
    allowed = {"admit": (REQUESTED,), "refuse": (REQUESTED,),
               "change": (REQUESTED, MEMBER, SUSPENDED), "remove": (MEMBER, SUSPENDED)}[action]
    if state not in allowed:
        raise MemberState(f"a membership that is {state} cannot be {_PAST[action]}")


_PAST = {"admit": "admitted", "refuse": "refused", "change": "changed", "remove": "removed"}


def sees_accounts(*, manages: bool, subject: str, accounts: Iterable[str]) -> bool:
    """The accounts acting for a member are the office's business, and the member's own representatives'."""
    return manages or subject in set(accounts)
