"""The register replica's queries: plain SQL on the tenant's consultation database (read only here:
the consumer writes it through the projector's rows)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from services.consultation.text import contains_pattern

COLUMNS = ("seq, organisation_id AS id, origin, name, type, runts_section, seat_istat, areas, status, version,"
           " as_of")


def get(conn: psycopg.Connection, organisation_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM organisations WHERE organisation_id = %s"
                           # a revoked replica (014) is kept for history only: unknown here, unable to take part
                           " AND revoked_at IS NULL",
                           (organisation_id,)).fetchone()


def page(conn: psycopg.Connection, *, status: str | None, type: str | None, area: str | None,
         text: str | None, origin: str | None, after_seq: int, limit: int) -> list[dict]:
    pattern = contains_pattern(text)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM organisations WHERE seq > %(after)s AND revoked_at IS NULL"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " AND (%(type)s::text IS NULL OR type = %(type)s)"
            # areas @> ARRAY[...] rather than = ANY(areas): the GIN index serves it
            " AND (%(area)s::text IS NULL OR areas @> ARRAY[%(area)s::text])"
            " AND (%(origin)s::text IS NULL OR origin = %(origin)s)"
            " AND (%(pattern)s::text IS NULL OR name ILIKE %(pattern)s)"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq, "status": status, "type": type, "area": area, "origin": origin,
             "pattern": pattern, "limit": limit}).fetchall()


def status_history(conn: psycopg.Connection, organisation_id) -> list[tuple[int, str]]:
    """(version, status) of every replicated version of the organisation, oldest first."""
    return conn.execute("SELECT version, status FROM organisation_statuses WHERE organisation_id = %s"
                        " ORDER BY version", (organisation_id,)).fetchall()
