"""Interventions persistence and what they read around them (plans, replicas): plain SQL."""
from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

COLUMNS = ("id, seq, plan_id, code, title, description, nomenclature_code, area, target_group, leps, kind,"
           " investment, comuni, managing_body, cup, continues_origin, continues_intervention, status,"
           " planned_start, planned_end, actual_start, actual_end, version, created_at, created_by, updated_at,"
           " updated_by")
WRITABLE = ("code", "title", "description", "nomenclature_code", "area", "target_group", "leps", "kind",
            "investment", "comuni", "managing_body", "cup", "continues_origin", "continues_intervention", "status",
            "planned_start", "planned_end", "actual_start", "actual_end")


def plan(conn: psycopg.Connection, plan_id) -> dict | None:
    """The plan's id and triennium, or None."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT id, first_year, last_year FROM plans WHERE id = %s", (plan_id,)).fetchone()


def insert(conn: psycopg.Connection, values: dict) -> dict:
    names = ["id", "plan_id", "created_by", "updated_by", *[n for n in WRITABLE if n in values]]
    query = sql.SQL("INSERT INTO interventions ({}) VALUES ({}) RETURNING ").format(
        sql.SQL(", ").join(map(sql.Identifier, names)), sql.SQL(", ").join(map(sql.Placeholder, names)))
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query + sql.SQL(COLUMNS), values).fetchone()


def get(conn: psycopg.Connection, intervention_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM interventions WHERE id = %s{lock}", (intervention_id,)).fetchone()


def by_codes(conn: psycopg.Connection, plan_id, codes: list[str]) -> dict:
    """The plan's interventions with these codes, locked (a progress upload changes them), by code."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {COLUMNS} FROM interventions WHERE plan_id = %s AND code = ANY(%s)"
                           " ORDER BY seq FOR UPDATE", (plan_id, codes)).fetchall()
    return {row["code"]: row for row in rows}


def update(conn: psycopg.Connection, intervention_id, changes: dict, *, by: str) -> dict:
    """Set `changes`, bump `version` (the ETag), stamp who and when; the row after the change."""
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()"), sql.SQL("updated_by = %(__by)s")]
    query = sql.SQL("UPDATE interventions SET {} WHERE id = %(__id)s RETURNING ").format(sql.SQL(", ").join(sets))
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query + sql.SQL(COLUMNS), {**changes, "__id": intervention_id, "__by": by}).fetchone()


def page(conn: psycopg.Connection, *, plan_id, filters: dict, after_seq: int, limit: int) -> list[dict]:
    """The plan's interventions in creation order; filters area, kind, leps (covers it), status."""
    params = {"plan": plan_id, "after": after_seq, "limit": limit,
              **{k: filters.get(k) for k in ("area", "kind", "leps", "status")}}
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM interventions WHERE plan_id = %(plan)s AND seq > %(after)s"
            " AND (%(area)s::text IS NULL OR area = %(area)s)"
            " AND (%(kind)s::text IS NULL OR kind = %(kind)s)"
            " AND (%(leps)s::text IS NULL OR %(leps)s = ANY(leps))"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " ORDER BY seq LIMIT %(limit)s", params).fetchall()


def set_proposals(conn: psycopg.Connection, intervention_id, proposal_ids: list) -> None:
    conn.execute("DELETE FROM intervention_proposals WHERE intervention_id = %s", (intervention_id,))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO intervention_proposals (intervention_id, proposal_id) VALUES (%s, %s)",
                        [(intervention_id, p) for p in proposal_ids])


def proposals_of(conn: psycopg.Connection, intervention_ids: list) -> dict:
    """For each intervention, the accepted proposals it answers with the needs they answer (from the replica)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT ip.intervention_id, a.proposal_id, a.origin, a.title, a.need_ids, a.needs"
            " FROM intervention_proposals ip"
            " JOIN accepted_proposals a ON a.proposal_id = ip.proposal_id"
            " WHERE ip.intervention_id = ANY(%s) ORDER BY a.seq", (list(intervention_ids),)).fetchall()
    found: dict = {i: [] for i in intervention_ids}
    for row in rows:
        found[row.pop("intervention_id")].append(row)
    return found


def latest_progress(conn: psycopg.Connection, intervention_ids: list) -> dict:
    """For each intervention, its latest period's progress record (or nothing)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT DISTINCT ON (intervention_id) intervention_id, year, quarter, percentage, status"
            " FROM intervention_progress WHERE intervention_id = ANY(%s)"
            " ORDER BY intervention_id, year DESC, quarter DESC", (list(intervention_ids),)).fetchall()
    return {row["intervention_id"]: row for row in rows}


def accepted_proposals(conn: psycopg.Connection, proposal_ids: list) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute("SELECT proposal_id, origin, status FROM accepted_proposals WHERE proposal_id = ANY(%s)",
                           (list(proposal_ids),)).fetchall()
    return {row["proposal_id"]: row for row in rows}


def organisation(conn: psycopg.Connection, organisation_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT organisation_id, origin, status, revoked_at FROM organisations"
                           " WHERE organisation_id = %s", (organisation_id,)).fetchone()


def comuni(conn: psycopg.Connection, origins: list[str]) -> set[str]:
    """The ISTAT codes of the comuni now of these origins' territories (the replica of the profiles)."""
    return {row[0] for row in conn.execute("SELECT istat_code FROM territory_comuni_now WHERE origin = ANY(%s)",
                                           (list(origins),)).fetchall()}


def replica_intervention(conn: psycopg.Connection, origin: str, intervention_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT origin, id, code, title, plan_id FROM replica_interventions"
                           " WHERE origin = %s AND id = %s", (origin, intervention_id)).fetchone()
