"""The map of services' queries: plain SQL on the tenant's consultation database."""
from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

FIELDS = ("name", "description", "area", "target_group", "comuni", "capacity_amount", "capacity_unit",
          "opening_hours", "opening_notes", "accredited", "accredited_by", "accredited_since", "contact_phone",
          "contact_email", "contact_website", "address")
COLUMNS = ("s.id, s.seq, s.organisation_id, " + ", ".join(f"s.{name}" for name in FIELDS)
           + ", s.status, s.retired_at, s.retired_reason, s.recorded_by_office, s.version, s.created_at,"
             " s.updated_at, o.name AS organisation_name, o.status AS organisation_status")
FROM = "FROM service_offers s JOIN organisations o ON o.organisation_id = s.organisation_id"
# The current map: what domain.is_current says, in SQL.
CURRENT = "s.status = 'active' AND o.status <> 'withdrawn'"
FILTERS = (
    " AND (%(area)s::text IS NULL OR s.area = %(area)s)"
    " AND (%(target_group)s::text IS NULL OR s.target_group = %(target_group)s)"
    # comuni @> ARRAY[...] rather than = ANY(comuni): the GIN index serves it
    " AND (%(comune)s::text IS NULL OR s.comuni @> ARRAY[%(comune)s::text])"
    " AND (%(organisation_id)s::uuid IS NULL OR s.organisation_id = %(organisation_id)s)"
    " AND (%(accredited)s::boolean IS NULL OR s.accredited = %(accredited)s)"
    f" AND (NOT %(current)s OR ({CURRENT}))")


def _db(values: dict) -> dict:
    return {k: Jsonb(v) if k == "opening_hours" else v for k, v in values.items()}


def insert(conn: psycopg.Connection, *, id, organisation_id, recorded_by_office: bool, by: str, **fields) -> dict:
    names = ["id", "organisation_id", "recorded_by_office", "created_by", "updated_by", *fields]
    values = {"id": id, "organisation_id": organisation_id, "recorded_by_office": recorded_by_office,
              "created_by": by, "updated_by": by, **_db(fields)}
    conn.execute(sql.SQL("INSERT INTO service_offers ({}) VALUES ({})").format(
        sql.SQL(", ").join(map(sql.Identifier, names)), sql.SQL(", ").join(map(sql.Placeholder, names))), values)
    return get(conn, id)


def get(conn: psycopg.Connection, offer_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE OF s" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} {FROM} WHERE s.id = %s{lock}", (offer_id,)).fetchone()


def update(conn: psycopg.Connection, offer_id, *, by: str, changes: dict) -> dict:
    """Set `changes`, bump `version` (the ETag), stamp who and when; the row after the change."""
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()"),
             sql.SQL("updated_by = %(__by)s")]
    conn.execute(sql.SQL("UPDATE service_offers SET {} WHERE id = %(__id)s").format(sql.SQL(", ").join(sets)),
                 {**_db(changes), "__id": offer_id, "__by": by})
    return get(conn, offer_id)


def retire(conn: psycopg.Connection, offer_id, *, by: str, reason: str | None) -> dict:
    conn.execute("UPDATE service_offers SET status = 'retired', retired_at = now(), retired_reason = %s,"
                 " version = version + 1, updated_at = now(), updated_by = %s WHERE id = %s",
                 (reason, by, offer_id))
    return get(conn, offer_id)


def page(conn: psycopg.Connection, *, after_seq: int, limit: int, **filters) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} {FROM} WHERE s.seq > %(after)s{FILTERS} ORDER BY s.seq"
                           " LIMIT %(limit)s", {**filters, "after": after_seq, "limit": limit}).fetchall()


def figures(conn: psycopg.Connection, **filters) -> list[dict]:
    """What the summary adds up, of every matching entry (an Ambito's map is hundreds of rows, not millions)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT s.area, s.target_group, s.comuni, s.capacity_amount, s.capacity_unit {FROM}"
                           f" WHERE true{FILTERS} ORDER BY s.seq", {**filters, "after": 0}).fetchall()


def memberships(conn: psycopg.Connection, organisation_id, account: str) -> list[dict]:
    """The organisation's standing table memberships that list `account` among those acting for it."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT organisation_id, accounts, state, joined_version FROM table_members"
                           " WHERE organisation_id = %s AND state = 'member' AND accounts @> ARRAY[%s::text]",
                           (organisation_id, account)).fetchall()
