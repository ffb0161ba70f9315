"""Proposals of the former Ambiti beside the Ambito's own: one list order (seq), replica rows shaped as own ones.

A replica proposal lists only once its content has arrived (content_version > 0): a decision that arrives
before the submission it decides is kept, and shown when the submission comes. The replica holds no
assessments and no accounts (valuators, recorded_by, decided_by): those stay in the owner's database.
"""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

REPLICA = ("id, seq, table_id, organisation_id, title, description, expected_outcome, deliverers, estimated_cost,"
           " status, '{}'::text[] AS valuators, NULL::timestamptz AS evaluation_started_at, answer, merged_into,"
           " decided_at, NULL::text AS decided_by, on_behalf, NULL::text AS recorded_by, recorded_by_role, version,"
           " submitted_at AS created_at, coalesce(decided_at, submitted_at) AS updated_at, NULL::text AS updated_by,"
           " origin, need_ids AS replica_need_ids, areas AS replica_areas, target_groups AS replica_target_groups,"
           " comuni AS replica_comuni")
OWN_EXTRA = ("NULL::uuid[] AS replica_need_ids, NULL::text[] AS replica_areas, NULL::text[] AS replica_target_groups,"
             " NULL::text[] AS replica_comuni")
COMMON = (" AND (%(table_id)s::uuid IS NULL OR table_id = %(table_id)s)"
          " AND (%(status)s::text IS NULL OR status = %(status)s)"
          " AND (%(organisation_id)s::uuid IS NULL OR organisation_id = %(organisation_id)s)")
OWN_FILTERS = (" WHERE seq > %(after)s" + COMMON +
               " AND (%(need_id)s::uuid IS NULL OR EXISTS (SELECT 1 FROM proposal_needs pn"
               "      WHERE pn.proposal_id = p.id AND pn.need_id = %(need_id)s))"
               " AND (%(area)s::text IS NULL OR EXISTS (SELECT 1 FROM proposal_needs pn JOIN needs n"
               "      ON n.id = pn.need_id WHERE pn.proposal_id = p.id AND n.area = %(area)s))"
               " AND (%(origin)s::text IS NULL OR %(origin)s = %(tenant)s)")
REPLICA_FILTERS = (" WHERE content_version > 0 AND seq > %(after)s" + COMMON +
                   " AND (%(need_id)s::uuid IS NULL OR need_ids @> ARRAY[%(need_id)s::uuid])"
                   " AND (%(area)s::text IS NULL OR areas @> ARRAY[%(area)s::text])"
                   " AND (%(origin)s::text IS NULL OR origin = %(origin)s)")


def page(conn: psycopg.Connection, *, own_columns: str, tenant: str, filters: dict, after_seq: int,
         limit: int) -> list[dict]:
    """Own proposals (origin = tenant) and replicas, in one seq order; filters as proposals_store.page + origin."""
    params = {"after": after_seq, "limit": limit, "tenant": tenant, **{k: filters.get(k) for k in (
        "table_id", "status", "organisation_id", "need_id", "area", "origin")}}
    query = (f"SELECT * FROM (SELECT {own_columns}, %(tenant)s::text AS origin, {OWN_EXTRA} FROM proposals p"
             f" {OWN_FILTERS} UNION ALL SELECT {REPLICA} FROM replica_proposals {REPLICA_FILTERS}) AS rows"
             " ORDER BY seq LIMIT %(limit)s")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def get(conn: psycopg.Connection, proposal_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {REPLICA} FROM replica_proposals WHERE id = %s AND content_version > 0",
                           (proposal_id,)).fetchone()


def detailed(conn: psycopg.Connection, row: dict) -> dict:
    """A replica row as a proposal reads: its needs (with what the replica knows of them), no assessments."""
    need_ids = row.pop("replica_need_ids") or []
    with conn.cursor(row_factory=dict_row) as cur:
        known = {n["id"]: n for n in cur.execute(
            "SELECT id, area, target_group, comuni FROM replica_needs WHERE origin = %s AND id = ANY(%s)",
            (row["origin"], need_ids)).fetchall()}
        merged = [r["id"] for r in cur.execute(
            "SELECT id FROM replica_proposals WHERE origin = %s AND merged_into = %s ORDER BY seq",
            (row["origin"], row["id"])).fetchall()]
    return {**row, "needs": [known.get(n, {"id": n}) for n in need_ids], "assessments": [], "merged_from": merged,
            "areas": row.pop("replica_areas") or [], "target_groups": row.pop("replica_target_groups") or [],
            "comuni": row.pop("replica_comuni") or []}
