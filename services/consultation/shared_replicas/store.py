"""Reading own rows and shared replicas together: plain SQL, one list order.

The replica tables draw `seq` from the same sequence as the own rows (migration 013), so a list is
own rows UNION ALL replica rows ordered by seq: one order, one cursor (the last seq seen), and a row
never appears twice nor is skipped when a replica arrives between two pages (it gets a seq higher
than any already given). Own rows carry the tenant as `origin`.
"""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

# replica table -> the own table of the same records (the write guard looks there for an id)
REPLICAS = {"tables": "replica_tables", "needs": "replica_needs", "proposals": "replica_proposals",
            "offer": "replica_offer"}


class ReplicaReadOnly(Exception):
    """The record is a replica of another Ambito's: only its owner changes it."""

    code = "replica-read-only"

    def __init__(self, origin: str, record_id=None):
        super().__init__(f"This record belongs to the Ambito {origin!r} and is shared here to be read only.")
        self.origin = origin
        self.record_id = record_id


def replica_origin(conn: psycopg.Connection, kind: str, record_id) -> str | None:
    """The origin of the replica with this id, or None if it is no replica."""
    row = conn.execute(f"SELECT origin FROM {REPLICAS[kind]} WHERE id = %s", (record_id,)).fetchone()
    return row[0] if row else None


def ensure_not_replica(conn: psycopg.Connection, kind: str, record_id) -> None:
    """Raise ReplicaReadOnly (naming the owner) if `record_id` is a replica; called where an own row is missing."""
    origin = replica_origin(conn, kind, record_id)
    if origin is not None:
        raise ReplicaReadOnly(origin, record_id)


TABLE_REPLICA = ("id, seq, kind, title, '' AS description, areas, NULL::text AS coordinator, membership, status,"
                 " version, received_at AS created_at, NULL::text AS created_by, received_at AS updated_at,"
                 " NULL::timestamptz AS closed_at, origin")


def table(conn: psycopg.Connection, table_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {TABLE_REPLICA} FROM replica_tables WHERE id = %s", (table_id,)).fetchone()


def tables_page(conn: psycopg.Connection, *, own_columns: str, tenant: str, origin: str | None, kind, area, status,
                after_seq: int, limit: int) -> list[dict]:
    """The Ambito's tables and the replicas, in one seq order; `origin` narrows to one Ambito's."""
    where = (" WHERE seq > %(after)s AND (%(kind)s::text IS NULL OR kind = %(kind)s)"
             " AND (%(area)s::text IS NULL OR areas @> ARRAY[%(area)s::text])"
             " AND (%(status)s::text IS NULL OR status = %(status)s)")
    query = (f"SELECT * FROM (SELECT {own_columns}, %(tenant)s::text AS origin FROM consultation_tables {where}"
             f" AND (%(origin)s::text IS NULL OR %(origin)s = %(tenant)s)"
             f" UNION ALL SELECT {TABLE_REPLICA} FROM replica_tables {where}"
             f" AND (%(origin)s::text IS NULL OR origin = %(origin)s)) AS rows ORDER BY seq LIMIT %(limit)s")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {"after": after_seq, "kind": kind, "area": area, "status": status,
                                   "tenant": tenant, "origin": origin, "limit": limit}).fetchall()


NEED_REPLICA = ("id, seq, table_id, session_id, organisation_id, title, description, area, target_group, comuni,"
                " evidence, status, on_behalf, NULL::text AS recorded_by, recorded_by_role, version,"
                " recorded_at AS created_at, updated_at, NULL::text AS updated_by,"
                " CASE WHEN status = 'closed' THEN updated_at END AS closed_at, origin")
NEED_FILTERS = (" WHERE seq > %(after)s"
                " AND (%(table_id)s::uuid IS NULL OR table_id = %(table_id)s)"
                " AND (%(session_id)s::uuid IS NULL OR session_id = %(session_id)s)"
                " AND (%(area)s::text IS NULL OR area = %(area)s)"
                " AND (%(target_group)s::text IS NULL OR target_group = %(target_group)s)"
                " AND (%(organisation_id)s::uuid IS NULL OR organisation_id = %(organisation_id)s)"
                " AND (%(comune)s::text IS NULL OR comuni @> ARRAY[%(comune)s::text])"
                " AND (%(status)s::text IS NULL OR status = %(status)s)")


def need(conn: psycopg.Connection, need_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {NEED_REPLICA} FROM replica_needs WHERE id = %s", (need_id,)).fetchone()


def needs_page(conn: psycopg.Connection, *, own_columns: str, tenant: str, filters: dict, after_seq: int,
               limit: int) -> list[dict]:
    """The Ambito's needs and the replicas, in one seq order; filters as needs_store.page, plus `origin`."""
    params = {"after": after_seq, "limit": limit, "tenant": tenant, **{k: filters.get(k) for k in (
        "table_id", "session_id", "area", "target_group", "organisation_id", "comune", "status", "origin")}}
    query = (f"SELECT * FROM (SELECT {own_columns}, %(tenant)s::text AS origin FROM needs {NEED_FILTERS}"
             " AND (%(origin)s::text IS NULL OR %(origin)s = %(tenant)s)"
             f" UNION ALL SELECT {NEED_REPLICA} FROM replica_needs {NEED_FILTERS}"
             " AND (%(origin)s::text IS NULL OR origin = %(origin)s)) AS rows ORDER BY seq LIMIT %(limit)s")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()
