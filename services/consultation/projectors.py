"""Every event type the consultation consumer reads, its projector, and where it applies (issue 9).

- The registry's stakeholder and profile events: in the event's own Ambito's consultation database
  (its register and territory replicas) AND in those of the Ambiti its data sets are shared with (a
  merged Ambito holds its predecessors' organisations and territories, keyed by `origin`).
- Consultation's own events (tables, members, needs, proposals, service offers): only where RECEIVED
  (shared_replicas/): the owner's database already holds the data itself, written by its API.
"""
from __future__ import annotations

from shared.consumer.placement import own_and_received, received_only
from shared.events.envelope import CloudEvent
from shared.territory.projector import PROJECTORS as TERRITORY

from services.consultation.members.projector import PROJECTORS as MEMBERS
from services.consultation.shared_replicas import PROJECTORS as SHARED

# The replicas of an Ambito's own register and territory (applied in its own database).
OWN = {**MEMBERS, **TERRITORY}
PROJECTORS = {**own_and_received(OWN), **received_only(SHARED)}


def project(event: CloudEvent) -> list:
    """Rows for an event consultation reads into its own tenant's database; another type gives none."""
    projector = OWN.get(event.type)
    return projector(event) if projector else []
