"""Registry use cases: one transaction each, the connection passed in."""
from __future__ import annotations

import base64
import uuid

import psycopg

from shared.outbox.store import add_event

from services.registry.stakeholders import events, store
from services.registry.taxcodes import normalise_tax_code


class DuplicateTaxCode(Exception):
    """A stakeholder with this tax code is already registered in the Ambito."""


def register_stakeholder(*, conn: psycopg.Connection, tenant: str, name: str, type: str,
                         tax_code: str, runts_section: str | None) -> dict:
    """Register an organisation and record its `stakeholder.registered` event."""
    try:
        # One transaction for the row and its event: neither exists without the other.
        with conn.transaction():
            row = store.insert_stakeholder(conn, id=uuid.uuid4(), name=name.strip(), type=type,
                                           tax_code=normalise_tax_code(tax_code),
                                           runts_section=runts_section)
            add_event(conn, events.stakeholder_registered(tenant=tenant, stakeholder=row))
    except psycopg.errors.UniqueViolation as exc:
        raise DuplicateTaxCode(tax_code) from exc
    return row


def get_stakeholder(*, conn: psycopg.Connection, stakeholder_id: uuid.UUID) -> dict | None:
    """One stakeholder, or None."""
    return store.get_stakeholder(conn, stakeholder_id)


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor names; ValueError if it is not one of ours."""
    if not cursor:
        return 0
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    if not raw.startswith("s") or not raw[1:].isdigit():
        raise ValueError("not a cursor")
    return int(raw[1:])


def list_stakeholders(*, conn: psycopg.Connection, type: str | None, after: str | None,
                      limit: int) -> dict:
    """A page of stakeholders in registration order, with the cursor of the next page."""
    rows = store.list_stakeholders(conn, type=type, after_seq=decode_cursor(after), limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1]["seq"]) if more else None}
