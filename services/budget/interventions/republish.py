"""Re-publication (backfill) of `budget.interventions`: every intervention as it stands, as snapshot events.

A merged Ambito declared today must receive its former Ambiti's interventions even when their events
left Kafka long ago (docs/federation.md, Backfill). Each intervention goes out as
`it.pdz.budget.intervention.updated.v1` with `changed: []` (a full snapshot that names no change; the
envelope marks it `pdzreplay`), which the receivers' projector applies with its version guard.

`python -m services.budget.interventions.republish --tenant T --data budget.interventions`; the budget
service's `services/budget/republish.py` (for `pdz republish --service budget`) takes BUILDERS from here.
"""
from __future__ import annotations

import sys

import psycopg
from psycopg.rows import dict_row

from shared.outbox.republish import Page, main as republish_main

from services.budget import SERVICE
from services.budget.interventions import events, store
from services.budget.interventions.domain import INTERVENTIONS_DATA_SET
from services.budget.interventions.service import detailed


def interventions(conn: psycopg.Connection, *, tenant: str, after: int | None, limit: int) -> Page:
    """One page of interventions of every plan, in creation order, each as it stands."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {store.COLUMNS} FROM interventions WHERE seq > %s ORDER BY seq LIMIT %s",
                           (after or 0, limit)).fetchall()
    page = [events.intervention_event(events.UPDATED, tenant=tenant, intervention=row, changed=[])
            for row in detailed(conn, rows)]
    return page, (rows[-1]["seq"] if len(rows) == limit else None)


BUILDERS = {INTERVENTIONS_DATA_SET: interventions}


def main(argv: list[str] | None = None) -> int:
    return republish_main(SERVICE, BUILDERS, argv)


if __name__ == "__main__":
    sys.exit(main())
