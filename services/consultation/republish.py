"""Consultation's re-publication (backfill): its shared data sets as they stand, as snapshot events.

`pdz-consultation-republish --tenant T --data consultation.needs [--data consultation.services]`
(or `python -m services.consultation.republish ...`). Read-only SQL on the tenant's own
consultation database, the events built by the package's own builders:
- consultation.needs: `need.snapshot.v1`, one per need (need.updated cannot say "no change":
  its `changed_by_role` names who changed it, and a backfill is nobody's change), every status;
- consultation.services: `service_offer.updated.v1` with `changed: []` (a full snapshot of the
  offer, retired ones included: their status says so).
Tables (with their members) and proposals are not re-published yet (docs/federation.md).
"""
from __future__ import annotations

import sys

import psycopg

from shared.outbox.republish import Page, main as republish_main

from services.consultation import SERVICE
from services.consultation.contributions import needs_store
from services.consultation.contributions.events import need_event
from services.consultation.offer import store as offer_store
from services.consultation.offer.events import OFFER_UPDATED, offer_event

NEED_SNAPSHOT = "it.pdz.consultation.need.snapshot.v1"
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


BUILDERS = {"consultation.needs": needs, "consultation.services": services}


def main(argv: list[str] | None = None) -> int:
    return republish_main(SERVICE, BUILDERS, argv)


if __name__ == "__main__":
    sys.exit(main())
