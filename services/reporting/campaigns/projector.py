"""Plan transitions -> plan_transition_facts (migration 009), pure; budget's plan state rows first.

it.pdz.budget.plan.transitioned.v1 already feeds budget_plan_states (budget_projector.plan_state,
the version's latest state); the campaigns also need when a version was first sent and last
returned, so this projector gives budget's rows and one row of the transition, keyed by the plan's
version after it: a duplicate or a late event writes the same row again.
"""
from __future__ import annotations

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent
from shared.events.readers import a_uuid as _uuid, integer as _int, timestamp as _timestamp

from services.reporting import budget_projector
from services.reporting.budget_projector import PLAN_TRANSITIONED


def transition(event: CloudEvent) -> list:
    """The transition's own row (who is never kept: the role and the account stay in budget)."""
    data = event.data
    to_state, action = data["to"], data["action"]
    if not isinstance(to_state, str) or not isinstance(action, str):
        raise ValueError("to and action must be text")
    return [Upsert("plan_transition_facts",
                   key={"tenant": event.tenantid, "plan_id": _uuid(data, "plan_id"),
                        "plan_version": _int(data, "version")},
                   values={"number": _int(data, "number"), "action": action, "to_state": to_state,
                           "at": _timestamp(data, "at")})]


def plan_transitioned(event: CloudEvent) -> list:
    """Budget's plan state row(s), then the transition's row."""
    return [*budget_projector.PROJECTORS[PLAN_TRANSITIONED](event), *transition(event)]


PROJECTORS = {PLAN_TRANSITIONED: plan_transitioned}
