"""Stakeholder persistence: plain SQL on the tenant's registry database."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from services.registry.sql import update_versioned
from services.registry.text import contains_pattern
from psycopg.types.json import Jsonb

COLUMNS = ("seq, id, name, type, tax_code, runts_section, runts_number, seat_istat, areas, status,"
           " version, created_at, updated_at")
EDITABLE = ("name", "type", "runts_section", "runts_number", "seat_istat", "areas", "status")


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO stakeholders (id, name, type, tax_code, runts_section, runts_number, seat_istat, areas)"
            " VALUES (%(id)s, %(name)s, %(type)s, %(tax_code)s, %(runts_section)s, %(runts_number)s,"
            f" %(seat_istat)s, %(areas)s) RETURNING {COLUMNS}", values).fetchone()


def get(conn: psycopg.Connection, stakeholder_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM stakeholders WHERE id = %s{lock}",
                           (stakeholder_id,)).fetchone()


def find_by_tax_code(conn: psycopg.Connection, tax_code: str, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM stakeholders WHERE tax_code = %s{lock}",
                           (tax_code,)).fetchone()


def update(conn: psycopg.Connection, stakeholder_id, changes: dict) -> dict:
    assert set(changes) <= set(EDITABLE), changes
    return update_versioned(conn, table="stakeholders", row_id=stakeholder_id, changes=changes,
                            returning=COLUMNS, stamp="updated_at")


def page(conn: psycopg.Connection, *, type: str | None, area: str | None, status: str | None,
         text: str | None, after_seq: int, limit: int) -> list[dict]:
    pattern = contains_pattern(text)  # the user's % and _ are text, not wildcards
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM stakeholders WHERE seq > %(after)s"
            " AND (%(type)s::text IS NULL OR type = %(type)s)"
            " AND (%(area)s::text IS NULL OR %(area)s = ANY(areas))"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " AND (%(pattern)s::text IS NULL OR name ILIKE %(pattern)s OR tax_code = upper(%(text)s))"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq, "type": type, "area": area, "status": status, "pattern": pattern,
             "text": (text or "").strip(), "limit": limit}).fetchall()


def all_for_export(conn: psycopg.Connection) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM stakeholders ORDER BY name, seq").fetchall()


def register_version(conn: psycopg.Connection) -> dict:
    """What changes whenever any stakeholder row does: row count, sum of xmin, last updated_at (one scan)."""
    # xmin is the transaction that wrote a row's current version: every INSERT/UPDATE, from the API, a data
    # migration or psql, gives the row a newer one, so the sum moves even when version/updated_at do not
    # (e.g. migration 010's NFC rewrite); a DELETE changes the count. No text is built: ~10x cheaper than
    # hashing the rows.
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT count(*) AS rows, coalesce(sum(xmin::text::bigint), 0) AS xmin_sum,"
                           " max(updated_at) AS last_changed FROM stakeholders").fetchone()


def add_history(conn: psycopg.Connection, *, stakeholder_id, version: int, change: str, changes: dict,
                changed_by: str, source: dict | None = None) -> None:
    """One history entry; `source` names the application an admission came from."""
    source = source or {}
    conn.execute("INSERT INTO stakeholder_history (stakeholder_id, version, change, changes, changed_by,"
                 " application_id, protocol_number) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                 (stakeholder_id, version, change, Jsonb(changes), changed_by, source.get("application_id"),
                  source.get("protocol_number")))


def history(conn: psycopg.Connection, stakeholder_id, *, after_id: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT id AS seq, version, change, changes, changed_by, changed_at, application_id,"
                           " protocol_number FROM stakeholder_history WHERE stakeholder_id = %s AND id > %s"
                           " ORDER BY id LIMIT %s", (stakeholder_id, after_id, limit)).fetchall()
