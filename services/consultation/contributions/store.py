"""What the contributions read around them (tables, memberships, the replicas), and the versioned UPDATE.

Tables and memberships are the shared contract of migration 003 (services/consultation/tables/ owns
their API); they are read here with plain SQL so that the packages stay apart.
"""
from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from services.consultation.members import store as replica


def get_table(conn: psycopg.Connection, table_id) -> dict | None:
    # FOR SHARE: a contribution being recorded holds the table, so a concurrent closure waits for it.
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT id, kind, title, areas, coordinator, status FROM consultation_tables"
                           " WHERE id = %s FOR SHARE", (table_id,)).fetchone()


def table_members(conn: psycopg.Connection, table_id) -> list[dict]:
    """The table's memberships in force (state member), with the accounts acting for each organisation."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT organisation_id, accounts, state, joined_version FROM table_members"
                           " WHERE table_id = %s AND state = 'member' ORDER BY seq", (table_id,)).fetchall()


def session_table(conn: psycopg.Connection, session_id):
    """The table a session (migration 004) belongs to, or None if there is no such session."""
    row = conn.execute("SELECT table_id FROM sessions WHERE id = %s", (session_id,)).fetchone()
    return row[0] if row else None


def organisation(conn: psycopg.Connection, organisation_id) -> dict | None:
    """The replica row (id, origin, status, ...) or None."""
    return replica.get(conn, organisation_id)


def organisations(conn: psycopg.Connection, ids) -> dict:
    """Replica rows by id, for the ids the replica holds."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute("SELECT organisation_id AS id, origin, status FROM organisations"
                           " WHERE organisation_id = ANY(%s)", (list(ids),)).fetchall()
    return {row["id"]: row for row in rows}


def status_history(conn: psycopg.Connection, organisation_id) -> list[tuple[int, str]]:
    return replica.status_history(conn, organisation_id)


def ambito_comuni(conn: psycopg.Connection, tenant: str) -> set[str] | None:
    """The ISTAT codes of the Ambito's comuni now, or None while no profile has been replicated."""
    if conn.execute("SELECT 1 FROM territory_profiles WHERE origin = %s", (tenant,)).fetchone() is None:
        return None
    return {row[0] for row in conn.execute("SELECT istat_code FROM territory_comuni_now WHERE origin = %s",
                                           (tenant,)).fetchall()}


def update_versioned(conn: psycopg.Connection, *, table: str, row_id, changes: dict, returning: str) -> dict:
    """Set `changes`, bump `version` (the ETag) and `updated_at`; the row after the change."""
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
    query = sql.SQL("UPDATE {} SET {} WHERE id = %(__id)s RETURNING ").format(
        sql.Identifier(table), sql.SQL(", ").join(sets)) + sql.SQL(returning)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {**changes, "__id": row_id}).fetchone()
