"""Use cases on the accepted proposals replica: reads only (the consumer is its one writer)."""
from __future__ import annotations

import uuid

import psycopg

from services.budget.proposals import store


class ProposalNotFound(LookupError):
    """No accepted proposal with this id in the Ambito's replica."""


def get_proposal(*, conn: psycopg.Connection, proposal_id: uuid.UUID) -> dict:
    """One accepted proposal of the replica, with the needs it answers."""
    row = store.get(conn, proposal_id)
    if row is None:
        raise ProposalNotFound(proposal_id)
    return row


def list_proposals(*, conn: psycopg.Connection, origin: str | None = None, area: str | None = None,
                   target_group: str | None = None, after_seq: int = 0, limit: int = 50) -> list[dict]:
    """Up to `limit` accepted proposals after `after_seq`, in arrival order, filtered."""
    return store.page(conn, origin=origin, area=area, target_group=target_group, after_seq=after_seq,
                      limit=limit)
