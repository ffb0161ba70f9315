"""The accepted proposals replica's queries: plain SQL on the tenant's budget database (read only here)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

COLUMNS = ("seq, proposal_id AS id, origin, table_id, organisation_id, title, status, areas, target_groups,"
           " comuni, need_ids, needs, estimated_cost, decided_at, version")


def get(conn: psycopg.Connection, proposal_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM accepted_proposals WHERE proposal_id = %s",
                           (proposal_id,)).fetchone()


def page(conn: psycopg.Connection, *, origin: str | None, area: str | None, target_group: str | None,
         after_seq: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM accepted_proposals WHERE seq > %(after)s"
            " AND (%(origin)s::text IS NULL OR origin = %(origin)s)"
            " AND (%(area)s::text IS NULL OR areas @> ARRAY[%(area)s::text])"
            " AND (%(target_group)s::text IS NULL OR target_groups @> ARRAY[%(target_group)s::text])"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq, "origin": origin, "area": area, "target_group": target_group,
             "limit": limit}).fetchall()
