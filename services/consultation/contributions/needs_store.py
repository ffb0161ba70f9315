"""Needs persistence: plain SQL on the tenant's consultation database."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from services.consultation.contributions.store import update_versioned

COLUMNS = ("id, seq, table_id, session_id, organisation_id, title, description, area, target_group, comuni,"
           " evidence, status, on_behalf, recorded_by, recorded_by_role, version, created_at, updated_at,"
           " updated_by, closed_at")


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO needs (id, table_id, session_id, organisation_id, title, description, area, target_group,"
            " comuni, evidence, on_behalf, recorded_by, recorded_by_role, updated_by)"
            " VALUES (%(id)s, %(table_id)s, %(session_id)s, %(organisation_id)s, %(title)s, %(description)s,"
            " %(area)s, %(target_group)s, %(comuni)s, %(evidence)s, %(on_behalf)s, %(recorded_by)s,"
            f" %(recorded_by_role)s, %(recorded_by)s) RETURNING {COLUMNS}", values).fetchone()


def get(conn: psycopg.Connection, need_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM needs WHERE id = %s{lock}", (need_id,)).fetchone()


def get_many(conn: psycopg.Connection, ids) -> dict:
    """The needs by id, for the ids that exist."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {COLUMNS} FROM needs WHERE id = ANY(%s)", (list(ids),)).fetchall()
    return {row["id"]: row for row in rows}


def update(conn: psycopg.Connection, need_id, **changes) -> dict:
    return update_versioned(conn, table="needs", row_id=need_id, changes=changes, returning=COLUMNS)


def page(conn: psycopg.Connection, *, filters: dict, after_seq: int, limit: int) -> list[dict]:
    """Needs in recording order; each filter (table_id, session_id, area, target_group, organisation_id,
    comune, status) narrows the others."""
    params = {"after": after_seq, "limit": limit, **{k: filters.get(k) for k in (
        "table_id", "session_id", "area", "target_group", "organisation_id", "comune", "status")}}
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM needs WHERE seq > %(after)s"
            " AND (%(table_id)s::uuid IS NULL OR table_id = %(table_id)s)"
            " AND (%(session_id)s::uuid IS NULL OR session_id = %(session_id)s)"
            " AND (%(area)s::text IS NULL OR area = %(area)s)"
            " AND (%(target_group)s::text IS NULL OR target_group = %(target_group)s)"
            " AND (%(organisation_id)s::uuid IS NULL OR organisation_id = %(organisation_id)s)"
            # comuni @> ARRAY[...]: the GIN index serves it
            " AND (%(comune)s::text IS NULL OR comuni @> ARRAY[%(comune)s::text])"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " ORDER BY seq LIMIT %(limit)s", params).fetchall()
