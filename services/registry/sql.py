"""The one UPDATE every versioned registry row goes through."""
from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row


def update_versioned(conn: psycopg.Connection, *, table: str, row_id, changes: dict, returning: str,
                     stamp: str) -> dict:
    """Set `changes`, bump `version` (the ETag), set `stamp` to now(); the row after the change."""
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets += [sql.SQL("version = version + 1"), sql.SQL("{} = now()").format(sql.Identifier(stamp))]
    query = sql.SQL("UPDATE {} SET {} WHERE id = %(__id)s RETURNING ").format(
        sql.Identifier(table), sql.SQL(", ").join(sets)) + sql.SQL(returning)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {**changes, "__id": row_id}).fetchone()
