"""pdz-consultation revocation: remove (or mark revoked) the replicas a revoked or narrowed share brought.

    python -m services.consultation.revoke [--tenant SLUG]

Run by the operator after the catalogue's change has been rolled out (the consumers, restarted with it,
no longer bring the data: docs/federation.md "Revocation"). For each tenant (or the one named) it compares
what its consultation database holds with the catalogue's shares in force and applies
shared_replicas/revocation.py's decision, in one transaction per tenant. Idempotent: a second run
changes nothing.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from shared.consumer.revocation import main as revocation_main

from services.consultation import SERVICE
from services.consultation.shared_replicas.revocation import REPLICA_TABLES, restored, revocations

# the table of each data set whose origins say what the database holds of it
_PRESENT = {data: tables[-1] for data, tables in REPLICA_TABLES.items()}


@dataclass
class Outcome:
    """What one run did in one tenant's database: rows deleted per table, organisations marked and unmarked."""

    deleted: dict[str, int] = field(default_factory=dict)
    marked: int = 0
    unmarked: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.marked or self.unmarked or any(self.deleted.values()))


def present(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(data set, origin) for every origin a replica table of the data set holds rows of."""
    found = []
    for data, table in _PRESENT.items():
        rows = conn.execute(sql.SQL("SELECT DISTINCT origin FROM {}").format(sql.Identifier(table))).fetchall()
        found += [(data, row[0]) for row in rows]
    return found


def _references(conn: psycopg.Connection) -> sql.Composable:
    """`EXISTS` over every foreign key that points at organisations, read from the catalogue so that a
    table added by a later migration is covered without touching this module."""
    rows = conn.execute(
        "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.contype = 'f' AND c.confrelid = 'organisations'::regclass ORDER BY 1, 2").fetchall()
    if not rows:
        return sql.SQL("false")
    return sql.SQL(" OR ").join(
        sql.SQL("EXISTS (SELECT 1 FROM {} r WHERE r.{} = o.organisation_id)").format(
            sql.SQL(table), sql.Identifier(column)) for table, column in rows)


def _retire_register(conn: psycopg.Connection, origin: str, outcome: Outcome) -> None:
    referenced = _references(conn)
    outcome.marked += conn.execute(sql.SQL(
        "UPDATE organisations o SET revoked_at = now() WHERE origin = %s AND revoked_at IS NULL AND ({})"
    ).format(referenced), (origin,)).rowcount
    gone = conn.execute(sql.SQL("DELETE FROM organisations o WHERE origin = %s AND NOT ({})").format(referenced),
                        (origin,)).rowcount
    outcome.deleted["organisations"] = outcome.deleted.get("organisations", 0) + gone
    # the status history goes with its organisation; a marked one keeps it (memberships' states need it)
    gone = conn.execute("DELETE FROM organisation_statuses s WHERE origin = %s AND NOT EXISTS"
                        " (SELECT 1 FROM organisations o WHERE o.origin = s.origin"
                        "  AND o.organisation_id = s.organisation_id)", (origin,)).rowcount
    outcome.deleted["organisation_statuses"] = outcome.deleted.get("organisation_statuses", 0) + gone


def revoke(conn: psycopg.Connection, *, tenant: str, sharing) -> Outcome:
    """Apply the shares in force to `tenant`'s consultation database (the caller commits)."""
    outcome = Outcome()
    for revocation in revocations(tenant=tenant, sharing=sharing, present=present(conn)):
        if revocation.marks:
            _retire_register(conn, revocation.origin, outcome)
            continue
        for table in revocation.tables:
            gone = conn.execute(sql.SQL("DELETE FROM {} WHERE origin = %s").format(sql.Identifier(table)),
                                (revocation.origin,)).rowcount
            outcome.deleted[table] = outcome.deleted.get(table, 0) + gone
    marked = [row[0] for row in conn.execute(
        "SELECT DISTINCT origin FROM organisations WHERE revoked_at IS NOT NULL").fetchall()]
    for origin in restored(tenant=tenant, sharing=sharing, marked=marked):
        outcome.unmarked += conn.execute("UPDATE organisations SET revoked_at = NULL WHERE origin = %s"
                                         " AND revoked_at IS NOT NULL", (origin,)).rowcount
    return outcome


def summary(outcome: Outcome) -> str:
    """One line for the operator: rows deleted per table, organisations marked and unmarked."""
    if not outcome.changed:
        return "nothing to revoke"
    done = ", ".join(f"{table} -{n}" for table, n in outcome.deleted.items() if n)
    return f"{done or 'nothing deleted'}; {outcome.marked} organisations marked revoked, {outcome.unmarked} unmarked"


def main(argv: list[str] | None = None) -> int:
    """The command line: every tenant of the catalogue, or the one named."""
    return revocation_main(SERVICE, revoke, summary, argv)


if __name__ == "__main__":
    sys.exit(main())
