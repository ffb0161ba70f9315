"""Every event type the budget consumer reads, its projector, and where it applies (issue 9).

- The registry's stakeholder and profile events, and consultation's accepted proposals: in the
  event's own Ambito's budget database AND in those of the Ambiti its data set is shared with
  (`registry.stakeholders`, `registry.profile`, `consultation.proposals`): a merged Ambito holds its
  predecessors' organisations, territories and accepted proposals, keyed by `origin`.
- Budget's own intervention events: only where RECEIVED (a former Ambito's interventions that the
  merged one may continue, issue 10 item 7): the owner's database already holds them, written by its API.
"""
from __future__ import annotations

from shared.consumer.placement import own_and_received, received_only
from shared.events.envelope import CloudEvent
from shared.territory.projector import PROJECTORS as TERRITORY

from services.budget.consultation_replicas.projector import OWN_ONLY as MILESTONES, SHARED as CONSULTATION
from services.budget.interventions.projector import PROJECTORS as INTERVENTIONS
from services.budget.members.projector import PROJECTORS as MEMBERS
from services.budget.proposals.projector import PROJECTORS as PROPOSALS

# The replicas an Ambito keeps of its own register, territory, accepted proposals, tables and needs
# (the cronoprogramma's milestones: its own only, they are in no data set).
OWN = {**MEMBERS, **TERRITORY, **PROPOSALS, **CONSULTATION}
PROJECTORS = {**own_and_received(OWN), **received_only(INTERVENTIONS), **MILESTONES}


def project(event: CloudEvent) -> list:
    """Rows for an event budget reads into its own tenant's database; another type gives none."""
    projector = OWN.get(event.type) or MILESTONES.get(event.type)
    return projector(event) if projector else []
