"""pdz-budget revocation: remove (or mark revoked) the replicas a revoked or narrowed share brought.

    python -m services.budget.revoke [--tenant SLUG]      (pdz-budget-revoke, pdz revoke --service budget)

Run by the operator after the catalogue's change has been rolled out (the budget consumer, restarted with
it, no longer brings the data: docs/federation.md "Revocation"). For each tenant (or the one named) it
compares the origins the budget database's replicas hold with the catalogue's shares in force and, in one
transaction per tenant, deletes the rows no longer shared, except those the Ambito's own records point at
(an intervention's managing body, a commitment's supplier, a signatory, a proposal an intervention answers,
an intervention continued, also in a version's frozen snapshot): those are marked `revoked_at` (migration
013) and kept, and the writes refuse to name them again. Idempotent: a second run changes nothing.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Iterable

import psycopg
from psycopg import sql

from shared.consumer.revocation import main as revocation_main

from services.budget import SERVICE

REGISTER, PROFILE, PROPOSALS, INTERVENTIONS = ("registry.stakeholders", "registry.profile",
                                               "consultation.proposals", "budget.interventions")

# data set -> the replica tables of the budget database that hold it, children first (the order of deletion)
REPLICA_TABLES: dict[str, tuple[str, ...]] = {
    REGISTER: ("organisations",),
    PROFILE: ("territory_comuni", "territory_profiles"),
    PROPOSALS: ("accepted_proposals",),
    INTERVENTIONS: ("replica_interventions",),
    # The Piano's chapter on the consultation (migration 011): nothing of the Ambito's points at them.
    "consultation.tables": ("consultation_tables",),
    "consultation.needs": ("consultation_needs",),
}


@dataclass(frozen=True)
class Markable:
    """A replica table the Ambito's own records may point at: its key, and the references that are not
    foreign keys (those are read from PostgreSQL's catalogue), as SQL over the replica row `r`."""

    table: str
    key: str
    references: tuple[str, ...]


# Snapshots are the plan's frozen versions (an approved one is an act): what they name is kept too.
MARKABLE = {
    REGISTER: Markable("organisations", "organisation_id", (
        "EXISTS (SELECT 1 FROM plan_versions v WHERE r.organisation_id = ANY (v.signatories))",
        "EXISTS (SELECT 1 FROM plan_versions v WHERE jsonb_path_exists(v.snapshot,"
        " '$.interventions[*] ? (@.managing_body == $id)', jsonb_build_object('id', r.organisation_id::text)))")),
    PROPOSALS: Markable("accepted_proposals", "proposal_id", (
        "EXISTS (SELECT 1 FROM plan_versions v WHERE jsonb_path_exists(v.snapshot,"
        " '$.interventions[*].proposals[*] ? (@ == $id)', jsonb_build_object('id', r.proposal_id::text)))",)),
    INTERVENTIONS: Markable("replica_interventions", "id", (
        "EXISTS (SELECT 1 FROM interventions i WHERE i.continues_origin = r.origin"
        " AND i.continues_intervention = r.id)",
        "EXISTS (SELECT 1 FROM plan_versions v WHERE jsonb_path_exists(v.snapshot,"
        " '$.interventions[*] ? (@.continues_origin == $o && @.continues_intervention == $id)',"
        " jsonb_build_object('o', r.origin, 'id', r.id::text)))")),
}


@dataclass(frozen=True)
class Revocation:
    """The rows of `origin` in `tables` are no longer shared with this Ambito (`data` is not, any more)."""

    origin: str
    data: str
    tables: tuple[str, ...]


def sharing_origins(sharing, *, tenant: str, data: str) -> frozenset[str]:
    """The other tenants that share `data` with `tenant` today (none without a sharing declared)."""
    if sharing is None:
        return frozenset()
    return frozenset(share.origin for share in sharing.into(tenant) if data in share.data and share.origin != tenant)


def revocations(*, tenant: str, sharing, present: Iterable[tuple[str, str]]) -> tuple[Revocation, ...]:
    """What to remove: each (data set, origin) the database holds that `sharing` no longer gives `tenant`.

    Own data (origin = tenant) is never touched. Without a sharing (no catalogue declares any) nothing is
    revoked: an absent declaration must not wipe replicas by accident.
    """
    if sharing is None:
        return ()
    found = set()
    for data, origin in present:
        if origin != tenant and origin not in sharing_origins(sharing, tenant=tenant, data=data):
            found.add(Revocation(origin=origin, data=data, tables=REPLICA_TABLES[data]))
    return tuple(sorted(found, key=lambda r: (r.origin, r.data)))


def restored(*, tenant: str, sharing, data: str, marked: Iterable[str]) -> tuple[str, ...]:
    """The origins with rows of `data` marked revoked whose `data` is shared again: unmark them."""
    if sharing is None:
        return ()
    shared = sharing_origins(sharing, tenant=tenant, data=data)
    return tuple(sorted({origin for origin in marked if origin in shared and origin != tenant}))


@dataclass
class Outcome:
    """What one run did in one tenant's database: rows deleted, marked and unmarked, per table."""

    deleted: dict[str, int] = field(default_factory=dict)
    marked: dict[str, int] = field(default_factory=dict)
    unmarked: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.deleted or self.marked or self.unmarked)

    def add(self, counts: dict[str, int], table: str, n: int) -> None:
        if n:   # only what changed, so an outcome compares to what the operator reads
            counts[table] = counts.get(table, 0) + n


def present(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(data set, origin) for every origin some replica table of the data set holds rows of."""
    found = set()
    for data, tables in REPLICA_TABLES.items():
        for table in tables:
            rows = conn.execute(sql.SQL("SELECT DISTINCT origin FROM {}").format(sql.Identifier(table))).fetchall()
            found |= {(data, row[0]) for row in rows}
    return sorted(found)


def _referenced(conn: psycopg.Connection, markable: Markable) -> sql.Composable:
    """`EXISTS` over every foreign key that points at the table (read from the catalogue, so that a table a
    later migration adds is covered without touching this module), or the other references."""
    rows = conn.execute(
        "SELECT c.conrelid::regclass::text, a.attname, t.attname FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " JOIN pg_attribute t ON t.attrelid = c.confrelid AND t.attnum = c.confkey[1]"
        " WHERE c.contype = 'f' AND c.confrelid = %s::regclass ORDER BY 1, 2", (markable.table,)).fetchall()
    parts = [sql.SQL("EXISTS (SELECT 1 FROM {} f WHERE f.{} = r.{})").format(
        sql.SQL(table), sql.Identifier(column), sql.Identifier(target)) for table, column, target in rows]
    parts += [sql.SQL(reference) for reference in markable.references]
    return sql.SQL(" OR ").join(parts) if parts else sql.SQL("false")


def _retire(conn: psycopg.Connection, markable: Markable, origin: str, outcome: Outcome) -> None:
    """Mark the origin's rows the Ambito's own records point at; delete the others."""
    referenced = _referenced(conn, markable)
    table = sql.Identifier(markable.table)
    outcome.add(outcome.marked, markable.table, conn.execute(sql.SQL(
        "UPDATE {} r SET revoked_at = now() WHERE origin = %s AND revoked_at IS NULL AND ({})"
    ).format(table, referenced), (origin,)).rowcount)
    outcome.add(outcome.deleted, markable.table, conn.execute(
        sql.SQL("DELETE FROM {} r WHERE origin = %s AND NOT ({})").format(table, referenced), (origin,)).rowcount)


def revoke(conn: psycopg.Connection, *, tenant: str, sharing) -> Outcome:
    """Apply the shares in force to `tenant`'s budget database, in one transaction."""
    outcome = Outcome()
    with conn.transaction():
        for revocation in revocations(tenant=tenant, sharing=sharing, present=present(conn)):
            if revocation.data in MARKABLE:
                _retire(conn, MARKABLE[revocation.data], revocation.origin, outcome)
                continue
            for table in revocation.tables:
                gone = conn.execute(sql.SQL("DELETE FROM {} WHERE origin = %s").format(sql.Identifier(table)),
                                    (revocation.origin,)).rowcount
                outcome.add(outcome.deleted, table, gone)
        for data, markable in MARKABLE.items():
            table = sql.Identifier(markable.table)
            marked = [row[0] for row in conn.execute(
                sql.SQL("SELECT DISTINCT origin FROM {} WHERE revoked_at IS NOT NULL").format(table)).fetchall()]
            for origin in restored(tenant=tenant, sharing=sharing, data=data, marked=marked):
                outcome.add(outcome.unmarked, markable.table, conn.execute(sql.SQL(
                    "UPDATE {} SET revoked_at = NULL WHERE origin = %s AND revoked_at IS NOT NULL").format(table),
                    (origin,)).rowcount)
    return outcome


def summary(outcome: Outcome) -> str:
    """One line for the operator: what was deleted, marked and unmarked, per table."""
    if not outcome.changed:
        return "nothing to revoke"
    said = [f"{what} " + ", ".join(f"{table} {n}" for table, n in counts.items())
            for what, counts in (("deleted", outcome.deleted), ("marked revoked", outcome.marked),
                                 ("unmarked", outcome.unmarked)) if counts]
    return "; ".join(said)


def main(argv: list[str] | None = None) -> int:
    """The command line: every tenant of the catalogue, or the one named."""
    return revocation_main(SERVICE, revoke, summary, argv)


if __name__ == "__main__":
    sys.exit(main())
