"""The tables' persistence: plain SQL on the tenant's consultation database."""
from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

COLUMNS = ("id, seq, kind, title, description, areas, coordinator, membership, status, version, created_at,"
           " created_by, updated_at, closed_at")


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO consultation_tables (id, kind, title, description, areas, coordinator, membership,"
            " created_by) VALUES (%(id)s, %(kind)s, %(title)s, %(description)s, %(areas)s, %(coordinator)s,"
            f" %(membership)s, %(created_by)s) RETURNING {COLUMNS}", values).fetchone()


def get(conn: psycopg.Connection, table_id, *, lock: str | None = None) -> dict | None:
    """One table; `lock` "update" to change it, "share" to hold it while its members change."""
    suffix = {None: "", "update": " FOR UPDATE", "share": " FOR SHARE"}[lock]
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM consultation_tables WHERE id = %s{suffix}",
                           (table_id,)).fetchone()


def update(conn: psycopg.Connection, table_id, **changes) -> dict:
    """Set `changes`, bump the version (the ETag) and updated_at; the row after."""
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
    query = sql.SQL("UPDATE consultation_tables SET {} WHERE id = %(__id)s RETURNING ").format(
        sql.SQL(", ").join(sets)) + sql.SQL(COLUMNS)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {**changes, "__id": table_id}).fetchone()


def page(conn: psycopg.Connection, *, kind: str | None, area: str | None, status: str | None, after_seq: int,
         limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM consultation_tables WHERE seq > %(after)s"
            " AND (%(kind)s::text IS NULL OR kind = %(kind)s)"
            # areas @> ARRAY[...] rather than = ANY(areas): the GIN index serves it
            " AND (%(area)s::text IS NULL OR areas @> ARRAY[%(area)s::text])"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq, "kind": kind, "area": area, "status": status, "limit": limit}).fetchall()
