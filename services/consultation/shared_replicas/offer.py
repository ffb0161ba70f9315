"""The map of services of the former Ambiti beside the Ambito's own: one list order (seq), replica rows shaped
as own ones. A replica holds what the events carry: no description, opening hours, contacts or address
(ask the owner Ambito); the organisation's name comes from the register replica when that is shared too."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

REPLICA = ("r.id, r.seq, r.organisation_id, r.name, '' AS description, r.area, r.target_group, r.comuni,"
           " r.capacity_amount, r.capacity_unit, '[]'::jsonb AS opening_hours, '' AS opening_notes, r.accredited,"
           " NULL::text AS accredited_by, NULL::date AS accredited_since, NULL::text AS contact_phone,"
           " NULL::text AS contact_email, NULL::text AS contact_website, NULL::text AS address, r.status,"
           " CASE WHEN r.status = 'retired' THEN r.at END AS retired_at, NULL::text AS retired_reason,"
           " r.recorded_by_office, r.version, r.at AS created_at, r.at AS updated_at,"
           " o.name AS organisation_name, o.status AS organisation_status, r.origin")
FROM = "FROM replica_offer r LEFT JOIN organisations o ON o.organisation_id = r.organisation_id"
FILTERS = (
    " AND (%(area)s::text IS NULL OR r.area = %(area)s)"
    " AND (%(target_group)s::text IS NULL OR r.target_group = %(target_group)s)"
    " AND (%(comune)s::text IS NULL OR r.comuni @> ARRAY[%(comune)s::text])"
    " AND (%(organisation_id)s::uuid IS NULL OR r.organisation_id = %(organisation_id)s)"
    " AND (%(accredited)s::boolean IS NULL OR r.accredited = %(accredited)s)"
    # current: active, and its organisation not withdrawn (unknown here if the register is not shared)
    " AND (NOT %(current)s OR (r.status = 'active' AND coalesce(o.status, 'active') <> 'withdrawn'))"
    " AND (%(origin)s::text IS NULL OR r.origin = %(origin)s)")


def page(conn: psycopg.Connection, *, own_columns: str, own_from: str, own_filters: str, tenant: str,
         origin: str | None, after_seq: int, limit: int, **filters) -> list[dict]:
    """Own entries (origin = tenant) and replicas, in one seq order; filters as offer/store.page + origin."""
    params = {**filters, "origin": origin, "tenant": tenant, "after": after_seq, "limit": limit}
    query = (f"SELECT * FROM (SELECT {own_columns}, %(tenant)s::text AS origin {own_from} WHERE s.seq > %(after)s"
             f"{own_filters} AND (%(origin)s::text IS NULL OR %(origin)s = %(tenant)s)"
             f" UNION ALL SELECT {REPLICA} {FROM} WHERE r.seq > %(after)s{FILTERS}) AS rows"
             " ORDER BY seq LIMIT %(limit)s")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def get(conn: psycopg.Connection, offer_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {REPLICA} {FROM} WHERE r.id = %s", (offer_id,)).fetchone()
