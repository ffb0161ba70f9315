"""What the Piano tells besides the plan's content, read from the replicas (plain SQL, dict rows)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row, tuple_row

# A Piano lists the needs that led to it; beyond this many the chapter says how many were left out.
NEEDS_LIMIT = 400


def _all(conn: psycopg.Connection, query: str, params=()) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def territory(conn: psycopg.Connection, *, origin: str) -> dict | None:
    """The Ambito's profile and its comuni now (None until the registry's profile has arrived)."""
    profiles = _all(conn, "SELECT * FROM territory_profiles WHERE origin = %s", (origin,))
    if not profiles:
        return None
    comuni = _all(conn, "SELECT istat_code, name, province, population, population_date FROM territory_comuni_now"
                        " WHERE origin = %s ORDER BY position, istat_code", (origin,))
    return {**profiles[0], "comuni": comuni}


def tables(conn: psycopg.Connection) -> list[dict]:
    """The consultation tables, this Ambito's and those of former Ambiti sharing them, in arrival order."""
    return _all(conn, "SELECT origin, table_id, kind, title, areas, status FROM consultation_tables ORDER BY seq")


def needs(conn: psycopg.Connection) -> tuple[list[dict], int]:
    """The needs recorded at the tables (at most NEEDS_LIMIT, in arrival order) and how many there are."""
    rows = _all(conn, "SELECT origin, need_id, table_id, title, area, target_group, comuni, status"
                      " FROM consultation_needs ORDER BY seq LIMIT %s", (NEEDS_LIMIT,))
    with conn.cursor(row_factory=tuple_row) as cur:  # whatever the connection's row factory
        count = cur.execute("SELECT count(*) FROM consultation_needs").fetchone()[0]
    return rows, count


def proposals(conn: psycopg.Connection) -> list[dict]:
    """The accepted proposals (the replica holds no other), in arrival order."""
    return _all(conn, "SELECT origin, proposal_id, table_id, title, areas, target_groups, need_ids, estimated_cost"
                      " FROM accepted_proposals ORDER BY seq")


def milestones(conn: psycopg.Connection, *, origin: str, first_year: int, last_year: int) -> list[dict]:
    """The cronoprogramma of the planning cycles that lead to and run with this triennium."""
    return _all(conn, "SELECT * FROM consultation_milestones WHERE origin = %s AND year BETWEEN %s AND %s"
                      " ORDER BY planned_start NULLS LAST, seq", (origin, first_year - 1, last_year))


def organisation_names(conn: psycopg.Connection, ids: list) -> dict:
    """organisation id (as text) -> name, from the register replica."""
    with conn.cursor(row_factory=tuple_row) as cur:
        rows = cur.execute("SELECT organisation_id, name FROM organisations WHERE organisation_id = ANY(%s::uuid[])",
                           (list(ids),)).fetchall()
    return {str(r[0]): r[1] for r in rows}
