"""Consultation's re-publication (backfill): its shared data sets as they stand, as snapshot events.

`pdz-consultation-republish --tenant T --data consultation.needs [--data consultation.services]`
(or `python -m services.consultation.republish ...`). Read-only SQL on the tenant's own
consultation database, the events built by the package's own builders:
- consultation.needs: `need.snapshot.v1`, one per need (need.updated cannot say "no change":
  its `changed_by_role` names who changed it, and a backfill is nobody's change), every status;
- consultation.services: `service_offer.updated.v1` with `changed: []` (a full snapshot of the
  offer, retired ones included: their status says so);
- consultation.tables: `table.snapshot.v1` per table (table.updated must name a change), followed
  by one `table_member.changed.v1` per membership (already a full snapshot: state and version),
  all under the table's key as the membership events always are;
- consultation.proposals: `proposal.snapshot.v1`, the content of proposal.updated and, once
  decided, the answer, `decided_at` and `merged_into`.
Never an account (`accounts`, `recorded_by`, `decided_by`...): the event builders leave them out.
"""
from __future__ import annotations

import sys

import psycopg

from shared.outbox.republish import Page, main as republish_main

from services.consultation import SERVICE
from services.consultation.contributions import needs_store, proposals_store
from services.consultation.contributions.events import need_event, proposal_event
from services.consultation.contributions.proposals_service import detailed
from services.consultation.offer import store as offer_store
from services.consultation.offer.events import OFFER_UPDATED, offer_event
from services.consultation.tables import member_store, store as tables_store
from services.consultation.tables.events import MEMBER_CHANGED, member_event, table_event

NEED_SNAPSHOT = "it.pdz.consultation.need.snapshot.v1"
PROPOSAL_SNAPSHOT = "it.pdz.consultation.proposal.snapshot.v1"
TABLE_SNAPSHOT = "it.pdz.consultation.table.snapshot.v1"
MEMBERS_SCAN = 500
NO_FILTER = {"area": None, "target_group": None, "comune": None, "organisation_id": None, "accredited": None,
             "current": False}


def _next(rows: list[dict], limit: int) -> int | None:
    return rows[-1]["seq"] if len(rows) == limit else None


def needs(conn: psycopg.Connection, *, tenant: str, after: int | None, limit: int) -> Page:
    """One page of needs in recording order, each as it stands (no `changed`: nothing changed)."""
    rows = needs_store.page(conn, filters={}, after_seq=after or 0, limit=limit)
    return [need_event(NEED_SNAPSHOT, tenant=tenant, need=row) for row in rows], _next(rows, limit)


def services(conn: psycopg.Connection, *, tenant: str, after: int | None, limit: int) -> Page:
    """One page of the map of services, every status, each as it stands."""
    rows = offer_store.page(conn, after_seq=after or 0, limit=limit, **NO_FILTER)
    return [offer_event(OFFER_UPDATED, tenant=tenant, offer=row, changed=[]) for row in rows], _next(rows, limit)


def _members(conn: psycopg.Connection, table_id) -> list[dict]:
    found, after = [], 0
    while True:
        rows = member_store.page(conn, table_id=table_id, stored_states=None, organisation_id=None,
                                 after_seq=after, limit=MEMBERS_SCAN)
        found += rows
        if len(rows) < MEMBERS_SCAN:
            return found
        after = rows[-1]["seq"]


def tables(conn: psycopg.Connection, *, tenant: str, after: int | None, limit: int) -> Page:
    """One page of tables, each followed by its memberships (stored state, as the membership events say)."""
    rows = tables_store.page(conn, kind=None, area=None, status=None, after_seq=after or 0, limit=limit)
    events = []
    for table in rows:
        events.append(table_event(TABLE_SNAPSHOT, tenant=tenant, table=table))
        events += [member_event(MEMBER_CHANGED, tenant=tenant, reason=m["ended_reason"], member={
            "table_id": m["table_id"], "id": m["id"], "organisation_id": m["organisation_id"],
            "state": m["stored_state"], "version": m["version"]}) for m in _members(conn, table["id"])]
    return events, _next(rows, limit)


def _decision(proposal: dict) -> dict:
    if proposal["decided_at"] is None:
        return {}
    merged = {"merged_into": str(proposal["merged_into"])} if proposal["merged_into"] else {}
    return {"answer": proposal["answer"], "decided_at": proposal["decided_at"].isoformat(), **merged}


def proposals(conn: psycopg.Connection, *, tenant: str, after: int | None, limit: int) -> Page:
    """One page of proposals, each with what it says and, once decided, its answer."""
    rows = proposals_store.page(conn, filters={}, after_seq=after or 0, limit=limit)
    events = []
    for proposal in detailed(conn, rows):
        event = proposal_event(PROPOSAL_SNAPSHOT, tenant=tenant, proposal=proposal)
        event.data.update(_decision(proposal))
        events.append(event)
    return events, _next(rows, limit)


BUILDERS = {"consultation.needs": needs, "consultation.services": services, "consultation.tables": tables,
            "consultation.proposals": proposals}


def main(argv: list[str] | None = None) -> int:
    return republish_main(SERVICE, BUILDERS, argv)


if __name__ == "__main__":
    sys.exit(main())
