"""Use cases on the register replica: reads only (the consumer is its one writer)."""
from __future__ import annotations

import uuid

import psycopg

from shared.http.pagination import decode_cursor, page

from services.consultation.members import domain, store


class OrganisationNotFound(LookupError):
    """No organisation with this id in the Ambito's replica."""


def get_organisation(*, conn: psycopg.Connection, organisation_id: uuid.UUID) -> dict:
    """One organisation of the replica."""
    row = store.get(conn, organisation_id)
    if row is None:
        raise OrganisationNotFound(organisation_id)
    return row


def with_participation(row: dict, *, tenant: str) -> dict:
    """The row and whether the organisation may take part now (the reason if not), for the API's readers."""
    refusal = domain.refusal(row, tenant=tenant)
    return {**row, "may_take_part": refusal is None, "not_allowed_because": None if refusal is None else refusal.code}


def list_organisations(*, conn: psycopg.Connection, status: str | None = None, type: str | None = None,
                       area: str | None = None, text: str | None = None, origin: str | None = None,
                       after: str | None = None, limit: int = 50) -> dict:
    """A page of the replica in arrival order, filtered, with the cursor of the next page."""
    rows = store.page(conn, status=status, type=type, area=area, text=text, origin=origin,
                      after_seq=decode_cursor(after), limit=limit + 1)
    return page(rows, limit)
