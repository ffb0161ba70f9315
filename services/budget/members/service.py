"""Use cases on the register replica: reads only (the consumer is its one writer)."""
from __future__ import annotations

import uuid

import psycopg

from services.budget.members import store


class OrganisationNotFound(LookupError):
    """No organisation with this id in the Ambito's replica (its own register or a shared one)."""


def get_organisation(*, conn: psycopg.Connection, organisation_id: uuid.UUID) -> dict:
    """One organisation of the replica."""
    row = store.get(conn, organisation_id)
    if row is None:
        raise OrganisationNotFound(organisation_id)
    return row


def list_organisations(*, conn: psycopg.Connection, status: str | None = None, type: str | None = None,
                       origin: str | None = None, text: str | None = None, after_seq: int = 0,
                       limit: int = 50) -> list[dict]:
    """Up to `limit` organisations after `after_seq`, in arrival order, filtered."""
    return store.page(conn, status=status, type=type, origin=origin, text=text, after_seq=after_seq, limit=limit)
