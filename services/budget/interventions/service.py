"""Intervention use cases (plan, read, list, change): one transaction each, the connection passed in."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Mapping

import psycopg

from shared.outbox.store import add_event

from services.budget.interventions import domain, events, store
from services.budget.plans.editable import ensure_editable

REGISTER, PROFILE, PROPOSALS = "registry.stakeholders", "registry.profile", "consultation.proposals"


class InterventionNotFound(LookupError):
    """No intervention with this id in the Ambito (or not in the plan named)."""


class StaleIntervention(Exception):
    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


class DuplicateCode(Exception):
    """Another intervention of the plan has this code."""


@dataclass(frozen=True)
class Context:
    """What the caller's Ambito brings: its slug, its vocabularies, and who shares which data set with it."""

    tenant: str
    vocabulary: domain.Vocabulary
    shared: Mapping[str, frozenset[str]] = field(default_factory=dict)   # data set -> former Ambiti

    def origins(self, data_set: str) -> frozenset[str]:
        """This Ambito and the former Ambiti that share `data_set` with it."""
        return frozenset(self.shared.get(data_set, frozenset())) | {self.tenant}


def detailed(conn: psycopg.Connection, rows: list[dict]) -> list[dict]:
    """The rows as clients see them: proposals with their needs, the link continued, the latest progress."""
    ids = [row["id"] for row in rows]
    proposals, latest = store.proposals_of(conn, ids), store.latest_progress(conn, ids)
    result = []
    for row in rows:
        answered = proposals[row["id"]]
        # need_ids, not needs: a proposal that reached the replica by a backfill snapshot has the ids only.
        need_ids = domain.unique_in_order(str(n) for p in answered for n in p["need_ids"])
        continues = ({"origin": row["continues_origin"], "intervention_id": row["continues_intervention"]}
                     if row["continues_origin"] else None)
        result.append({**row, "proposals": answered, "proposal_ids": [p["proposal_id"] for p in answered],
                       "need_ids": need_ids, "continues": continues, "progress": latest.get(row["id"])})
    return result


def _check(conn, context: Context, plan: dict, changes: dict, merged: dict) -> None:
    """The rules for the fields being set (`changes`) and those across fields (on `merged`, the row after)."""
    domain.check_classification(changes, context.vocabulary)
    if "comuni" in changes:
        changes["comuni"] = domain.check_comuni(changes["comuni"], store.comuni(conn, sorted(context.origins(PROFILE))))
    if changes.get("managing_body") is not None:
        domain.check_managing_body(store.organisation(conn, changes["managing_body"]),
                                   origins=context.origins(REGISTER))
    if "proposal_ids" in changes:
        found = store.accepted_proposals(conn, changes["proposal_ids"])
        changes["proposal_ids"] = domain.check_proposals(changes["proposal_ids"], found,
                                                         origins=context.origins(PROPOSALS))
    if "continues" in changes:
        link = changes.pop("continues")
        replica = store.replica_intervention(conn, link["origin"], link["intervention_id"]) if link else None
        domain.check_continues(link, tenant=context.tenant, replica=replica,
                               sharing_origins=frozenset(context.shared.get(domain.INTERVENTIONS_DATA_SET, ())))
        changes["continues_origin"] = link["origin"] if link else None
        changes["continues_intervention"] = link["intervention_id"] if link else None
    domain.check_cup(kind=merged["kind"], investment=merged["investment"], cup=merged["cup"])
    domain.check_planned(planned_start=merged["planned_start"], planned_end=merged["planned_end"],
                         first_year=plan["first_year"], last_year=plan["last_year"])
    domain.check_monitoring(status=merged["status"], actual_start=merged["actual_start"],
                            actual_end=merged["actual_end"])


def _unique_code(action):
    try:
        return action()
    except psycopg.errors.UniqueViolation as exc:
        if exc.diag.constraint_name == "interventions_plan_id_code_key":
            raise DuplicateCode() from None
        raise


DEFAULTS = {"description": "", "leps": [], "comuni": [], "investment": False, "managing_body": None, "cup": None,
            "status": "planned", "planned_start": None, "planned_end": None, "actual_start": None,
            "actual_end": None, "proposal_ids": [], "continues": None}


def plan_intervention(*, conn: psycopg.Connection, context: Context, by: str, plan_id: uuid.UUID,
                      values: dict) -> dict:
    """Add an intervention to an editable plan, with the proposals it answers (event `planned`)."""
    def run():
        with conn.transaction():
            ensure_editable(conn, plan_id=plan_id)
            plan = store.plan(conn, plan_id)
            changes = {**DEFAULTS, **values}
            _check(conn, context, plan, changes, merged={**changes})
            proposal_ids = changes.pop("proposal_ids")
            row = store.insert(conn, {**changes, "id": uuid.uuid4(), "plan_id": plan_id, "created_by": by,
                                      "updated_by": by})
            store.set_proposals(conn, row["id"], proposal_ids)
            intervention = detailed(conn, [row])[0]
            add_event(conn, events.intervention_event(events.PLANNED, tenant=context.tenant,
                                                      intervention=intervention))
        return intervention
    return _unique_code(run)


def get_intervention(*, conn: psycopg.Connection, intervention_id: uuid.UUID) -> dict:
    """One intervention with its proposals, needs, link and latest progress."""
    row = store.get(conn, intervention_id)
    if row is None:
        raise InterventionNotFound(intervention_id)
    return detailed(conn, [row])[0]


def list_interventions(*, conn: psycopg.Connection, plan_id: uuid.UUID, filters: dict, after_seq: int,
                       limit: int) -> list[dict]:
    """The plan's interventions after `after_seq`, filtered (at most `limit`); 404 if there is no such plan."""
    if store.plan(conn, plan_id) is None:
        raise InterventionNotFound(plan_id)
    return detailed(conn, store.page(conn, plan_id=plan_id, filters=filters, after_seq=after_seq, limit=limit))


def locked(conn: psycopg.Connection, intervention_id, version: int | None) -> dict:
    """The intervention row, locked; StaleIntervention unless `version` (if given) is its version."""
    row = store.get(conn, intervention_id, for_update=True)
    if row is None:
        raise InterventionNotFound(intervention_id)
    if version is not None and row["version"] != version:
        raise StaleIntervention(row["version"])
    return row


def change_intervention(*, conn: psycopg.Connection, context: Context, by: str, intervention_id: uuid.UUID,
                        version: int, changes: dict) -> dict:
    """Change an intervention: content only while its plan is editable, monitoring (status, actual dates) always."""
    def run():
        with conn.transaction():
            current = store.get(conn, intervention_id)
            if current is None:
                raise InterventionNotFound(intervention_id)
            if any(name in domain.CONTENT_FIELDS for name in changes):
                ensure_editable(conn, plan_id=current["plan_id"])   # before the row lock, as every content write
            row = locked(conn, intervention_id, version)
            if not changes:
                return detailed(conn, [row])[0]   # nothing to change: no new version, no event
            if "status" in changes:
                domain.check_status_change(row["status"], changes["status"])
            work = dict(changes)
            merged = {**row, **{k: v for k, v in work.items() if k not in ("proposal_ids", "continues")}}
            _check(conn, context, store.plan(conn, row["plan_id"]), work, merged)
            proposal_ids = work.pop("proposal_ids", None)
            row = store.update(conn, intervention_id, work, by=by)
            if proposal_ids is not None:
                store.set_proposals(conn, intervention_id, proposal_ids)
            intervention = detailed(conn, [row])[0]
            add_event(conn, events.intervention_event(events.UPDATED, tenant=context.tenant,
                                                      intervention=intervention, changed=sorted(changes)))
        return intervention
    return _unique_code(run)
