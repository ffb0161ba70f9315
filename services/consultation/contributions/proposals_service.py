"""Proposal use cases (submission, edits, reads): one transaction each, the connection passed in."""
from __future__ import annotations

import uuid
from decimal import Decimal

import psycopg

from shared.outbox.store import add_event

from services.consultation.contributions import domain, events, lifecycle, needs_store, participation
from services.consultation.contributions import proposals_store as store
from services.consultation.shared_replicas import proposals as shared_proposals
from services.consultation.shared_replicas import store as replicas
from services.consultation.tables.access import Caller

EDITABLE = ("title", "description", "expected_outcome", "deliverers", "estimated_cost", "need_ids")


class ProposalNotFound(LookupError):
    """No proposal with this id in the Ambito."""


class StaleProposal(Exception):
    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def detailed(conn: psycopg.Connection, rows: list[dict]) -> list[dict]:
    """The rows with their needs, the areas, target groups and comuni of those needs, assessments, merges."""
    ids = [row["id"] for row in rows]
    needs, assessments = store.needs_of(conn, ids), store.assessments_of(conn, ids)
    merged = store.merged_from(conn, ids)
    result = []
    for row in rows:
        answered = needs[row["id"]]
        result.append({**row, "needs": answered, "assessments": assessments[row["id"]],
                       "merged_from": merged[row["id"]],
                       "areas": domain.unique_in_order(n["area"] for n in answered),
                       "target_groups": domain.unique_in_order(n["target_group"] for n in answered),
                       "comuni": domain.unique_in_order(c for n in answered for c in n["comuni"])})
    return result


def _check_needs(conn, need_ids: list) -> list:
    need_ids = domain.unique_in_order(need_ids)
    if not need_ids:
        raise domain.InvalidField("need_ids", "a proposal answers at least one need")
    known = needs_store.get_many(conn, need_ids)
    for index, need_id in enumerate(need_ids):
        if need_id not in known:
            raise domain.InvalidField(f"need_ids.{index}", "no such need in this Ambito")
    return need_ids


def submit_proposal(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID,
                    organisation_id: uuid.UUID, on_behalf: bool, title: str, description: str,
                    expected_outcome: str, need_ids: list, deliverers: list, estimated_cost: Decimal) -> dict:
    """Submit a proposal of a member organisation answering one or more needs."""
    if not isinstance(estimated_cost, Decimal):
        raise TypeError("estimated_cost must be a Decimal")   # a float must never reach NUMERIC
    with conn.transaction():
        role = participation.recorder_role(conn, tenant=tenant, caller=caller, table_id=table_id,
                                           organisation_id=organisation_id, on_behalf=on_behalf)
        need_ids = _check_needs(conn, need_ids)
        proposal = store.insert(conn, id=uuid.uuid4(), table_id=table_id, organisation_id=organisation_id,
                                title=title, description=description, expected_outcome=expected_outcome,
                                deliverers=participation.check_deliverers(conn, deliverers),
                                estimated_cost=estimated_cost, on_behalf=on_behalf, recorded_by=caller.subject,
                                recorded_by_role=role)
        store.set_needs(conn, proposal["id"], need_ids)
        proposal = detailed(conn, [proposal])[0]
        add_event(conn, events.proposal_event(events.PROPOSAL_SUBMITTED, tenant=tenant, proposal=proposal))
    return proposal


def get_proposal(*, conn: psycopg.Connection, proposal_id: uuid.UUID) -> dict:
    """One proposal with its needs, assessments and answer: the Ambito's own, or a former Ambito's replica."""
    proposal = store.get(conn, proposal_id)
    if proposal is None:
        replica = shared_proposals.get(conn, proposal_id)
        if replica is None:
            raise ProposalNotFound(proposal_id)
        return shared_proposals.detailed(conn, replica)
    return detailed(conn, [proposal])[0]


def list_proposals(*, conn: psycopg.Connection, filters: dict, after_seq: int, limit: int,
                   tenant: str | None = None) -> list[dict]:
    """Proposals after `after_seq` in submission order, filtered, with their details (at most `limit`); with
    `tenant`, the former Ambiti's replicas too, in the same order (filter `origin`)."""
    if tenant is None:
        return detailed(conn, store.page(conn, filters=filters, after_seq=after_seq, limit=limit))
    rows = shared_proposals.page(conn, own_columns=store.COLUMNS, tenant=tenant, filters=filters,
                                 after_seq=after_seq, limit=limit)
    own = iter(detailed(conn, [{k: v for k, v in r.items() if not k.startswith("replica_")}
                               for r in rows if r["origin"] == tenant]))
    return [next(own) if r["origin"] == tenant else shared_proposals.detailed(conn, r) for r in rows]


def locked(conn: psycopg.Connection, proposal_id, version: int | None) -> dict:
    """The proposal row, locked; StaleProposal unless `version` (if given) is its version."""
    proposal = store.get(conn, proposal_id, for_update=True)
    if proposal is None:
        replicas.ensure_not_replica(conn, "proposals", proposal_id)  # a former Ambito's: 409 naming it
        raise ProposalNotFound(proposal_id)
    if version is not None and proposal["version"] != version:
        raise StaleProposal(proposal["version"])
    return proposal


def edit_proposal(*, conn: psycopg.Connection, tenant: str, caller: Caller, proposal_id: uuid.UUID,
                  version: int, changes: dict) -> dict:
    """Change a submitted proposal: its organisation's representatives at the table, or the office."""
    with conn.transaction():
        current = locked(conn, proposal_id, version)
        role = participation.editor_role(conn, tenant=tenant, caller=caller, table_id=current["table_id"],
                                         organisation_id=current["organisation_id"])
        lifecycle.check_editable(current["status"])
        before = detailed(conn, [current])[0]
        changes = {k: v for k, v in changes.items() if k in EDITABLE}
        if "estimated_cost" in changes and not isinstance(changes["estimated_cost"], Decimal):
            raise TypeError("estimated_cost must be a Decimal")
        if "deliverers" in changes:
            changes["deliverers"] = participation.check_deliverers(conn, changes["deliverers"])
        need_ids = changes.pop("need_ids", None)
        changed = [k for k in EDITABLE if k in changes and changes[k] != before[k]]
        if need_ids is not None:
            need_ids = _check_needs(conn, need_ids)
            if need_ids != [n["id"] for n in before["needs"]]:
                changed.append("need_ids")
            store.set_needs(conn, proposal_id, need_ids)
        proposal = detailed(conn, [store.update(conn, proposal_id, updated_by=caller.subject, **changes)])[0]
        add_event(conn, events.proposal_event(events.PROPOSAL_UPDATED, tenant=tenant, proposal=proposal,
                                              changed=changed, changed_by_role=role))
    return proposal
