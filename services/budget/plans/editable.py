"""The one rule every content write obeys: a plan's content changes only while its open version is editable.

Interventions, allocations and co-financing are the plan's content. They may be
written while the plan's current version is `draft` or `returned` (the Region sent
it back with remarks); from adoption on, the version's snapshot is what was
decided, and a change needs a new version (a yearly update). Callers take this
check inside their own transaction: it locks the plan row FOR SHARE, and a state
transition locks it FOR UPDATE, so an edit and an adoption never interleave.
"""
from __future__ import annotations

import uuid

import psycopg
from psycopg.rows import tuple_row

EDITABLE_STATES = frozenset({"draft", "returned"})


class PlanNotFound(LookupError):
    """No plan with this id in the Ambito."""

    def __init__(self, plan_id: uuid.UUID):
        super().__init__(f"no plan {plan_id}")
        self.plan_id = plan_id


class PlanNotEditable(Exception):
    """The plan's current version is adopted or further on: its content is frozen."""

    def __init__(self, plan_id: uuid.UUID, number: int, state: str):
        super().__init__(f"plan {plan_id} version {number} is {state}: open a new version to change it")
        self.plan_id, self.number, self.state = plan_id, number, state


def ensure_editable(conn: psycopg.Connection, *, plan_id: uuid.UUID) -> int:
    """Lock the plan FOR SHARE and return its current version number, or raise if it cannot change now."""
    # A tuple cursor whatever the connection's row factory (callers often use dict_row).
    row = conn.cursor(row_factory=tuple_row).execute(
        "SELECT p.current_version, v.state FROM plans p"
        " JOIN plan_versions v ON v.plan_id = p.id AND v.number = p.current_version"
        " WHERE p.id = %s FOR SHARE OF p", (plan_id,)).fetchone()
    if row is None:
        raise PlanNotFound(plan_id)
    number, state = row
    if state not in EDITABLE_STATES:
        raise PlanNotEditable(plan_id, number, state)
    return number
