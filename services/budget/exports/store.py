"""Plain SQL reads of what the exports report: allocations with their interventions, the fund-year ledger,
assignments, residui, commitments and payments, progress. Read-only."""
from __future__ import annotations

from datetime import date

import psycopg
from psycopg.rows import dict_row

ALLOCATION = ("a.id, a.intervention_id, a.fund_code, a.year, a.amount, a.committed, a.paid, a.carried,"
              " i.code, i.title, i.nomenclature_code, i.area, i.target_group, i.leps, i.kind, i.status")


def _all(conn: psycopg.Connection, query: str, params) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def allocations(conn: psycopg.Connection, *, fund: str, year: int | None) -> list[dict]:
    """The fund's allocations (one year, or every year) with their interventions' classification."""
    return _all(conn, f"SELECT {ALLOCATION} FROM allocations a JOIN interventions i ON i.id = a.intervention_id"
                      " WHERE a.fund_code = %(fund)s AND (%(year)s::int IS NULL OR a.year = %(year)s)"
                      " ORDER BY a.year, i.code, a.seq", {"fund": fund, "year": year})


def commitment_acts(conn: psycopg.Connection, allocation_ids: list) -> dict:
    """allocation id -> its commitments' act references, in recording order."""
    acts: dict = {}
    for row in _all(conn, "SELECT allocation_id, act_reference FROM commitments WHERE allocation_id = ANY(%s)"
                          " ORDER BY seq", (allocation_ids,)):
        acts.setdefault(row["allocation_id"], []).append(row["act_reference"])
    return acts


def latest_progress_per_year(conn: psycopg.Connection, intervention_ids: list) -> dict:
    """(intervention id, year) -> the record of the year's latest quarter."""
    rows = _all(conn, "SELECT DISTINCT ON (intervention_id, year) intervention_id, year, quarter, status,"
                      " percentage, outputs FROM intervention_progress WHERE intervention_id = ANY(%s)"
                      " ORDER BY intervention_id, year, quarter DESC", (intervention_ids,))
    return {(r["intervention_id"], r["year"]): r for r in rows}


def latest_progress(conn: psycopg.Connection, intervention_ids: list) -> dict:
    """intervention id -> its latest quarter's record."""
    rows = _all(conn, "SELECT DISTINCT ON (intervention_id) intervention_id, year, quarter, status, percentage,"
                      " outputs FROM intervention_progress WHERE intervention_id = ANY(%s)"
                      " ORDER BY intervention_id, year DESC, quarter DESC", (intervention_ids,))
    return {r["intervention_id"]: r for r in rows}


def ledgers(conn: psycopg.Connection, *, funds: list[str], year: int | None, as_of: date | None) -> list[dict]:
    """Per fund-year of the ledger: assigned, residui in, allocated, committed, paid, carried out, the decrees.
    With `as_of`, cumulative at that day: decrees dated by then, residui carried by closures by then,
    commitments and payments whose act is dated by then (acts are never deleted: the figures only grow)."""
    params = {"funds": funds, "year": year, "as_of": as_of}
    rows = _all(conn, """
        SELECT fy.fund_code, fy.year, fy.allocated,
          COALESCE((SELECT sum(fa.amount) FROM fund_assignments fa WHERE fa.fund_code = fy.fund_code
                    AND fa.year = fy.year AND (%(as_of)s::date IS NULL OR fa.decree_date <= %(as_of)s)), 0)
            AS assigned,
          COALESCE((SELECT sum(r.amount) FROM residui r WHERE r.fund_code = fy.fund_code AND r.to_year = fy.year
                    AND (%(as_of)s::date IS NULL OR (r.created_at AT TIME ZONE 'Europe/Rome')::date <= %(as_of)s)),
                   0) AS residui_in,
          COALESCE((SELECT sum(r.amount) FROM residui r WHERE r.fund_code = fy.fund_code AND r.from_year = fy.year
                    AND (%(as_of)s::date IS NULL OR (r.created_at AT TIME ZONE 'Europe/Rome')::date <= %(as_of)s)),
                   0) AS carried,
          COALESCE((SELECT sum(c.amount) FROM commitments c JOIN allocations a ON a.id = c.allocation_id
                    WHERE a.fund_code = fy.fund_code AND a.year = fy.year
                    AND (%(as_of)s::date IS NULL OR c.act_date <= %(as_of)s)), 0) AS committed,
          COALESCE((SELECT sum(p.amount) FROM payments p JOIN commitments c ON c.id = p.commitment_id
                    JOIN allocations a ON a.id = c.allocation_id WHERE a.fund_code = fy.fund_code
                    AND a.year = fy.year AND (%(as_of)s::date IS NULL OR p.act_date <= %(as_of)s)), 0) AS paid
        FROM fund_years fy WHERE fy.fund_code = ANY(%(funds)s) AND (%(year)s::int IS NULL OR fy.year = %(year)s)
        ORDER BY fy.fund_code, fy.year""", params)
    decrees = _all(conn, "SELECT fund_code, year, decree_reference, decree_date FROM fund_assignments"
                         " WHERE fund_code = ANY(%(funds)s) AND (%(year)s::int IS NULL OR year = %(year)s)"
                         " AND (%(as_of)s::date IS NULL OR decree_date <= %(as_of)s) ORDER BY decree_date, seq",
                   params)
    for row in rows:
        row["decrees"] = [d for d in decrees if (d["fund_code"], d["year"]) == (row["fund_code"], row["year"])]
    return rows


def pnrr_projects(conn: psycopg.Connection, *, funds: list[str]) -> list[dict]:
    """Per intervention financed by these funds: its CUP, dates, managing body, the funds, the sums."""
    rows = _all(conn, """
        SELECT i.id, i.cup, i.code, i.title, i.status, i.planned_start, i.actual_start, i.planned_end, i.actual_end,
               o.name AS managing_body, array_agg(DISTINCT a.fund_code ORDER BY a.fund_code) AS funds,
               sum(a.amount) AS financed, sum(a.committed) AS committed, sum(a.paid) AS paid,
               array_agg(a.id) AS allocation_ids
        FROM allocations a JOIN interventions i ON i.id = a.intervention_id
        LEFT JOIN organisations o ON o.organisation_id = i.managing_body
        WHERE a.fund_code = ANY(%s)
        GROUP BY i.id, o.name ORDER BY i.cup, i.code""", (funds,))
    cigs = _all(conn, "SELECT allocation_id, cig FROM commitments WHERE cig IS NOT NULL AND allocation_id = ANY(%s)"
                      " ORDER BY seq", ([a for r in rows for a in r["allocation_ids"]],))
    for row in rows:
        own = set(row["allocation_ids"])
        row["cigs"] = list(dict.fromkeys(c["cig"] for c in cigs if c["allocation_id"] in own))
    return rows
