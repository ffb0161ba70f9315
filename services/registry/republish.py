"""The registry's re-publication (backfill): its shared data sets as they stand, as snapshot events.

`pdz-registry-republish --tenant T --data registry.stakeholders [--data registry.profile]`
(or `python -m services.registry.republish ...`). Read-only SQL on the tenant's own
registry database; the events are the ones the registry already publishes, and
both carry a full snapshot:
- registry.stakeholders: `stakeholder.updated.v1` per organisation, `changed: []`
  (nothing changed: it is the state as it stands), every status included (a
  withdrawn organisation is part of the register's history, and replicas keep it);
- registry.profile: `profile.updated.v1`, the Ambito's one profile (if saved).
"""
from __future__ import annotations

import sys

import psycopg

from shared.outbox.republish import Page, main as republish_main

from services.registry import SERVICE
from services.registry.profile import events as profile_events
from services.registry.profile import service as profile_service
from services.registry.stakeholders import events as stakeholder_events
from services.registry.stakeholders import store as stakeholder_store


def stakeholders(conn: psycopg.Connection, *, tenant: str, after: int | None, limit: int) -> Page:
    """One page of the register in `seq` order (keyset: a page is one short read)."""
    rows = stakeholder_store.page(conn, type=None, area=None, status=None, text=None,
                                  after_seq=after or 0, limit=limit)
    events = [stakeholder_events.stakeholder_updated(tenant=tenant, stakeholder=row, changed=[]) for row in rows]
    return events, (rows[-1]["seq"] if len(rows) == limit else None)


def profile(conn: psycopg.Connection, *, tenant: str, after: None, limit: int) -> Page:
    """The Ambito's profile, one page of one event (none before the profile is first saved)."""
    current = profile_service.get_profile(conn=conn)
    return ([profile_events.profile_updated(tenant=tenant, profile=current)] if current else []), None


BUILDERS = {"registry.stakeholders": stakeholders, "registry.profile": profile}


def main(argv: list[str] | None = None) -> int:
    return republish_main(SERVICE, BUILDERS, argv)


if __name__ == "__main__":
    sys.exit(main())
