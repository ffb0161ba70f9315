"""The plan's life cycle, pure: which action moves a version from which state to which, and whose it is.

draft --adopt--> adopted --approve--> approved --send--> sent --accept--> accepted --sign--> signed
                                                          sent --return--> returned --adopt--> adopted
signed --supersede--> superseded (taken by the service when the next version is signed)

The Ufficio di Piano (`operator`) adopts, records the Assemblea dei Sindaci's approval, sends to the
Region and records the accordo di programma; the Region (`regional-reviewer`) returns with remarks or
accepts. Role names are plain strings here: the domain knows nothing of HTTP.
"""
from __future__ import annotations

OPERATOR = "operator"
REGIONAL_REVIEWER = "regional-reviewer"

STATES = ("draft", "adopted", "approved", "sent", "returned", "accepted", "signed", "superseded")

# action -> (the states it may start from, the state it leads to, the role that takes it)
ACTIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "adopt": (frozenset({"draft", "returned"}), "adopted", OPERATOR),
    "approve": (frozenset({"adopted"}), "approved", OPERATOR),
    "send": (frozenset({"approved"}), "sent", OPERATOR),
    "return": (frozenset({"sent"}), "returned", REGIONAL_REVIEWER),
    "accept": (frozenset({"sent"}), "accepted", REGIONAL_REVIEWER),
    "sign": (frozenset({"accepted"}), "signed", OPERATOR),
    "supersede": (frozenset({"signed"}), "superseded", OPERATOR),
}
# What a caller may ask for through the API; `supersede` follows from signing the next version.
PUBLIC_ACTIONS = ("adopt", "approve", "send", "return", "accept", "sign")
REVIEW_ACTIONS = frozenset({"return", "accept"})

# The content (interventions, allocations, co-financing) changes only in these (editable.py says the same).
EDITABLE_STATES = frozenset({"draft", "returned"})
# From approval on, a version's snapshot and approval act never change (migration 006 enforces it too).
FROZEN_STATES = frozenset({"approved", "sent", "accepted", "signed", "superseded"})
# A yearly update amends the plan in force: it opens only when the current version is signed.
OPENS_NEXT_VERSION = frozenset({"signed"})


class InvalidTransition(Exception):
    """The action is not allowed from the version's state; `allowed` lists those that are."""

    def __init__(self, *, state: str, action: str, allowed: list[str], reason: str | None = None):
        self.state, self.action, self.allowed = state, action, allowed
        super().__init__(reason or f"a version in state {state} cannot be {_PAST.get(action, action)}; "
                                   f"allowed now: {', '.join(allowed) or 'nothing'}")


_PAST = {"adopt": "adopted", "approve": "approved", "send": "sent", "return": "returned",
         "accept": "accepted", "sign": "signed", "supersede": "superseded", "open": "opened"}


def allowed_actions(state: str) -> list[str]:
    """The actions a caller may take on a version in `state`, in the order of the cycle."""
    return [a for a in PUBLIC_ACTIONS if state in ACTIONS[a][0]]


def next_state(state: str, action: str) -> str:
    """The state `action` leads to from `state`, or InvalidTransition."""
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    spec = ACTIONS.get(action)
    if spec is None or state not in spec[0]:
        raise InvalidTransition(state=state, action=action, allowed=allowed_actions(state))
    return spec[1]


def role_for(action: str) -> str:
    """The role that takes `action` (and is written in the history)."""
    return ACTIONS[action][2]


def action_of(from_state: str | None, to_state: str, *, number: int) -> str:
    """The action a history row records: `create` (version 1), `open` (a yearly update), or a cycle step."""
    if from_state is None:
        return "create" if number == 1 else "open"
    for action, (sources, target, _role) in ACTIONS.items():
        if from_state in sources and target == to_state:
            return action
    raise ValueError(f"no action leads from {from_state} to {to_state}")


def check_can_open_next(state: str, *, current: int) -> None:
    """A new version (yearly update) is opened only on a signed current version."""
    if state not in OPENS_NEXT_VERSION:
        raise InvalidTransition(state=state, action="open", allowed=allowed_actions(state), reason=(
            f"version {current} is {state}: a yearly update opens only once the current version is signed "
            f"(accordo di programma); allowed now: {', '.join(allowed_actions(state)) or 'nothing'}"))


def check_reference_year(reference_year: int, *, first_year: int, last_year: int, previous: int) -> str | None:
    """Why a yearly update cannot refer to `reference_year`, or None: a later year of the triennium."""
    if not first_year < reference_year <= last_year:
        return f"a yearly update refers to a year after the first of the triennium: {first_year + 1}-{last_year}"
    if reference_year < previous:
        return f"the current version already refers to {previous}"
    return None
