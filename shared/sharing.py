"""Who shares which data with whom: the sharing declarations of the tenant catalogue (issue 9).

A merged Ambito (`merged_from`) receives its predecessors' data through events
into read-only replicas in its own databases, marked with their origin; no
service ever reads another tenant's database. What can be shared is named by a
data set (`registry.stakeholders`, `consultation.needs`, ...); each data set is
the events of some types. Pure: no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# data set -> the event type prefixes it is made of. Personal data is in none of them: events
# never carry it (docs/events.md), and nothing here may name a type that does.
DATA_SETS: dict[str, tuple[str, ...]] = {
    "registry.stakeholders": ("it.pdz.registry.stakeholder.",),
    "registry.profile": ("it.pdz.registry.profile.",),
    "consultation.tables": ("it.pdz.consultation.table.", "it.pdz.consultation.table_member."),
    "consultation.needs": ("it.pdz.consultation.need.",),
    "consultation.proposals": ("it.pdz.consultation.proposal.",),
    "consultation.services": ("it.pdz.consultation.service_offer.",),
    "budget.interventions": ("it.pdz.budget.intervention.",),
}
# What `merged_from` implies when the predecessor declares nothing else: everything non-personal.
EVERYTHING = tuple(DATA_SETS)


@dataclass(frozen=True)
class Share:
    """`origin` shares `data` with `to` from `since` (None: since always)."""

    origin: str
    to: str
    data: tuple[str, ...]
    since: date | None = None
    implied: bool = False  # from merged_from, not declared


def data_set_of(event_type: str) -> str | None:
    """The data set an event type belongs to, or None if it is never shared."""
    for name, prefixes in DATA_SETS.items():
        if event_type.startswith(prefixes):
            return name
    return None


class Sharing:
    """The shares in force, looked up by origin and data set, or by receiver."""

    def __init__(self, shares: list[Share]):
        self.shares = tuple(shares)
        self._receivers: dict[tuple[str, str], tuple[str, ...]] = {}
        for share in self.shares:
            for name in share.data:
                key = (share.origin, name)
                self._receivers[key] = (*self._receivers.get(key, ()), share.to)

    def receivers(self, origin: str, data: str) -> tuple[str, ...]:
        """The tenants that receive `origin`'s `data` (its own tenant not included)."""
        return self._receivers.get((origin, data), ())

    def receivers_of_event(self, origin: str, event_type: str) -> tuple[str, ...]:
        name = data_set_of(event_type)
        return self.receivers(origin, name) if name else ()

    def into(self, receiver: str) -> tuple[Share, ...]:
        """What `receiver` gets, from whom."""
        return tuple(s for s in self.shares if s.to == receiver)

    def out_of(self, origin: str) -> tuple[Share, ...]:
        """What `origin` gives, to whom."""
        return tuple(s for s in self.shares if s.origin == origin)

    def on(self, day: date) -> "Sharing":
        """The shares in force on `day`: those without a date, or dated `day` or before."""
        return Sharing([s for s in self.shares if s.since is None or s.since <= day])
