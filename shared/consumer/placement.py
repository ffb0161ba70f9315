"""Where a projector applies: in the event's own tenant database, in the databases of the tenants that
receive the event's data set from it (shared/sharing.py), or both (issue 9). Pure: no I/O.

A plain function is a projector of the event's own database (what every consumer did before sharing).
A service wraps the ones that apply elsewhere:

    PROJECTORS = {**own_and_received(REGISTER), **received_only(SHARED_REPLICAS)}

The rows a projector returns are the same in every database it applies to (each row carries its
`origin`, the event's tenant), so an event is projected once and its rows written to each target.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from shared.events.envelope import CloudEvent

Projector = Callable[[CloudEvent], list]


@dataclass(frozen=True)
class Placed:
    """A projector and where it applies."""

    project: Projector
    own: bool = True        # in the event's own tenant database
    received: bool = False  # in the databases of the tenants the event's tenant shares its data set with

    def __call__(self, event: CloudEvent) -> list:
        return self.project(event)


def where(projector) -> tuple[bool, bool]:
    """(own, received) of a projector: a plain function applies in the event's own database only."""
    return getattr(projector, "own", True), getattr(projector, "received", False)


def own_and_received(projectors: Mapping[str, Projector]) -> dict[str, Placed]:
    """Replicas a tenant keeps of its own events AND receives from the tenants sharing with it."""
    return {t: Placed(_bare(p), own=True, received=True) for t, p in projectors.items()}


def received_only(projectors: Mapping[str, Projector]) -> dict[str, Placed]:
    """Replicas of other tenants' data only: the owner's database already holds the data itself."""
    return {t: Placed(_bare(p), own=False, received=True) for t, p in projectors.items()}


def _bare(projector) -> Projector:
    return projector.project if isinstance(projector, Placed) else projector
