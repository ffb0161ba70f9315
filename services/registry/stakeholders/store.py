"""Registry persistence: plain SQL on the tenant's registry database."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

COLUMNS = "seq, id, name, type, tax_code, runts_section, created_at"


def insert_stakeholder(conn: psycopg.Connection, *, id, name, type, tax_code, runts_section) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"INSERT INTO stakeholders (id, name, type, tax_code, runts_section)"
            f" VALUES (%s, %s, %s, %s, %s) RETURNING {COLUMNS}",
            (id, name, type, tax_code, runts_section)).fetchone()


def get_stakeholder(conn: psycopg.Connection, stakeholder_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM stakeholders WHERE id = %s",
                           (stakeholder_id,)).fetchone()


def list_stakeholders(conn: psycopg.Connection, *, type: str | None, after_seq: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM stakeholders WHERE seq > %s AND (%s::text IS NULL OR type = %s)"
            " ORDER BY seq LIMIT %s", (after_seq, type, type, limit)).fetchall()
