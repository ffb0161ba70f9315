"""What a revoked or narrowed share leaves behind in the receiver's consultation database, and what to do
with it (issue 9, docs/federation.md "Revocation"). Pure: no I/O.

The replicas are copies of another Ambito's data with no life of their own: once the share of a data set
ends, its rows of that origin are removed. The one exception is the register (`organisations`): this
Ambito's own records may point at a former Ambito's organisation (a membership of its tables, a need, an
attendance row: foreign keys), so those organisations are marked revoked instead (kept for the history,
out of the lists, unable to take part) and only the ones nobody references are deleted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from services.consultation.shared_replicas.origins import REGISTER, sharing_origins

# data set -> the replica tables of this database that hold it, children first (the order of deletion)
REPLICA_TABLES: dict[str, tuple[str, ...]] = {
    REGISTER: ("organisations",),
    "registry.profile": ("territory_comuni", "territory_profiles"),
    "consultation.tables": ("replica_table_members", "replica_tables"),
    "consultation.needs": ("replica_needs",),
    "consultation.proposals": ("replica_proposals",),
    "consultation.services": ("replica_offer",),
}


@dataclass(frozen=True)
class Revocation:
    """The rows of `origin` in `tables` are no longer shared with this Ambito (`data` is not, any more)."""

    origin: str
    data: str
    tables: tuple[str, ...]

    @property
    def marks(self) -> bool:
        """True for the register: referenced organisations are marked revoked, the rest deleted."""
        return self.data == REGISTER


def revocations(*, tenant: str, sharing, present: Iterable[tuple[str, str]]) -> tuple[Revocation, ...]:
    """What to remove: each (data set, origin) the database holds that `sharing` no longer gives `tenant`.

    Own data (origin = tenant) is never touched. Without a sharing (no catalogue declares any) nothing is
    revoked: an absent declaration must not wipe replicas by accident.
    """
    if sharing is None:
        return ()
    found = set()
    for data, origin in present:
        if data not in REPLICA_TABLES:
            raise ValueError(f"no replica tables for data set {data!r}")
        if origin != tenant and origin not in sharing_origins(sharing, tenant=tenant, data=data):
            found.add(Revocation(origin=origin, data=data, tables=REPLICA_TABLES[data]))
    return tuple(sorted(found, key=lambda r: (r.origin, r.data)))


def restored(*, tenant: str, sharing, marked: Iterable[str]) -> tuple[str, ...]:
    """The origins whose organisations are marked revoked but whose register is shared again: unmark them."""
    if sharing is None:
        return ()
    shared = sharing_origins(sharing, tenant=tenant, data=REGISTER)
    return tuple(sorted({origin for origin in marked if origin in shared and origin != tenant}))
