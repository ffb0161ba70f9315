"""The proposal life cycle's use cases (item 7): evaluation, assessments, decisions. One transaction each."""
from __future__ import annotations

import uuid
from decimal import Decimal

import psycopg

from shared.outbox.store import add_event

from services.consultation.contributions import domain, events, lifecycle
from services.consultation.contributions import proposals_store as store
from services.consultation.contributions import store as context
from services.consultation.contributions.proposals_service import (ProposalNotFound, StaleProposal, detailed,
                                                                     locked)
from services.consultation.shared_replicas import store as replicas
from services.consultation.tables import access
from services.consultation.tables.access import Caller


def _machine(row: dict, assessments: list | None = None) -> lifecycle.Proposal:
    """The life cycle's view of a proposal row."""
    return lifecycle.Proposal(id=str(row["id"]), status=row["status"], valuators=tuple(row["valuators"]),
                              assessors=frozenset(a["valuator"] for a in assessments or ()),
                              answer=row["answer"], merged_into=str(row["merged_into"]) if row["merged_into"] else None)


def _now(conn) -> object:
    return conn.execute("SELECT now()").fetchone()[0]


def start_evaluation(*, conn: psycopg.Connection, tenant: str, caller: Caller, proposal_id: uuid.UUID,
                     version: int, valuators: list[str]) -> dict:
    """submitted -> under_evaluation, naming the valuators: the office or the table's coordinator."""
    with conn.transaction():
        row = locked(conn, proposal_id, version)
        access.ensure_manages(caller, context.get_table(conn, row["table_id"]))
        moved = lifecycle.start_evaluation(_machine(row), valuators)
        author_accounts = [a for m in context.table_members(conn, row["table_id"])
                           if m["organisation_id"] == row["organisation_id"] for a in m["accounts"]]
        domain.check_valuators(moved.valuators, author_accounts)
        row = store.update(conn, proposal_id, status=moved.status, valuators=list(moved.valuators),
                           evaluation_started_at=_now(conn), updated_by=caller.subject)
        proposal = detailed(conn, [row])[0]
        add_event(conn, events.evaluation_started(tenant=tenant, proposal=proposal))
    return proposal


def record_assessment(*, conn: psycopg.Connection, tenant: str, caller: Caller, proposal_id: uuid.UUID,
                      feasibility: str, feasibility_note: str, assessed_cost: Decimal, cost_note: str) -> dict:
    """An assigned valuator records (or replaces) their feasibility and cost assessment."""
    if not isinstance(assessed_cost, Decimal):
        raise TypeError("assessed_cost must be a Decimal")
    with conn.transaction():
        row = locked(conn, proposal_id, None)
        lifecycle.assess(_machine(row), caller.subject, feasibility)
        assessment = store.upsert_assessment(conn, proposal_id=proposal_id, valuator=caller.subject,
                                             feasibility=feasibility, feasibility_note=feasibility_note,
                                             assessed_cost=assessed_cost, cost_note=cost_note)
        # The version moves: an office deciding with an older ETag has not read this assessment (412).
        proposal = detailed(conn, [store.update(conn, proposal_id, updated_by=caller.subject)])[0]
        add_event(conn, events.assessed(tenant=tenant, proposal=proposal, assessment=assessment))
    return proposal


def decide(*, conn: psycopg.Connection, tenant: str, caller: Caller, proposal_id: uuid.UUID, version: int,
           outcome: str, answer: str, merged_into: uuid.UUID | None = None) -> dict:
    """under_evaluation -> accepted / rejected / merged, with the reasoned answer: the Ufficio di Piano only."""
    with conn.transaction():
        # Both rows locked in id order, so two merges naming each other cannot deadlock (one waits, then fails).
        ids = sorted({proposal_id, *([merged_into] if merged_into else [])}, key=str)
        rows = {pid: store.get(conn, pid, for_update=True) for pid in ids}
        row = rows[proposal_id]
        if row is None:
            replicas.ensure_not_replica(conn, "proposals", proposal_id)  # a former Ambito's: 409 naming it
            raise ProposalNotFound(proposal_id)
        if row["version"] != version:
            raise StaleProposal(row["version"])
        domain.ensure_may_decide(caller)
        target = rows.get(merged_into) if merged_into else None
        if merged_into and target is None:
            raise domain.InvalidField("merged_into", "no such proposal in this Ambito")
        assessments = store.assessments_of(conn, [proposal_id])[proposal_id]
        moved = lifecycle.decide(_machine(row, assessments), outcome, answer,
                                 target=_machine(target) if target else None)
        row = store.update(conn, proposal_id, status=moved.status, answer=moved.answer,
                           merged_into=merged_into if moved.status == lifecycle.MERGED else None,
                           decided_at=_now(conn), decided_by=caller.subject, updated_by=caller.subject)
        proposal = detailed(conn, [row])[0]
        add_event(conn, events.decided(tenant=tenant, proposal=proposal))
    return proposal
