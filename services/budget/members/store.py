"""The register replica's queries: plain SQL on the tenant's budget database (read only here: the
consumer writes it through the projector's rows)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

COLUMNS = "seq, organisation_id AS id, origin, name, type, tax_code, runts_section, status, version, as_of"


def contains_pattern(text: str | None) -> str | None:
    """A LIKE pattern for values containing `text` as typed (its %, _ and \\ match only themselves); None if blank."""
    term = (text or "").strip()
    if not term:
        return None
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def get(conn: psycopg.Connection, organisation_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM organisations WHERE organisation_id = %s",
                           (organisation_id,)).fetchone()


def page(conn: psycopg.Connection, *, status: str | None, type: str | None, origin: str | None,
         text: str | None, after_seq: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM organisations WHERE seq > %(after)s"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " AND (%(type)s::text IS NULL OR type = %(type)s)"
            " AND (%(origin)s::text IS NULL OR origin = %(origin)s)"
            " AND (%(pattern)s::text IS NULL OR name ILIKE %(pattern)s)"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq, "status": status, "type": type, "origin": origin,
             "pattern": contains_pattern(text), "limit": limit}).fetchall()
