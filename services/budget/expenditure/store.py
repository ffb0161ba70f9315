"""Expenditure persistence: plain SQL over allocations, commitments, payments (migration 004, indexes 010).

Lock order, the same in every path so that two writers never wait on each other in a circle:
fund_years row (FOR SHARE) -> allocations row -> commitments row. A commitment takes the fund-year
and then its allocation; a payment takes the allocation and then the commitment. The allocations
engineer's paths take the fund-year before the allocation too.
"""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

COMMITMENT = ("c.id, c.seq, c.allocation_id, a.intervention_id, i.plan_id, a.fund_code, a.year, c.amount,"
              " c.paid, c.amount - c.paid AS to_pay, c.act_date, c.act_reference, c.cup, c.cig, c.supplier_id,"
              " c.created_at")
COMMITMENT_FROM = ("commitments c JOIN allocations a ON a.id = c.allocation_id"
                   " JOIN interventions i ON i.id = a.intervention_id")
PAYMENT = "p.id, p.seq, p.commitment_id, c.allocation_id, p.amount, p.act_date, p.act_reference, p.created_at"
# The states a plan version passes through once the Assemblea dei Sindaci approved it.
APPROVED = "approved"


def _one(conn, query: str, params) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchone()


def _all(conn, query: str, params) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def allocation_for_commitment(conn: psycopg.Connection, allocation_id) -> dict | None:
    """The allocation with its plan, fund-year state and whether an approval of its plan covers it.

    Locks the fund-year FOR SHARE (first in the lock order): a closing of the year (residui) waits
    for this commitment, and this commitment sees a closing that committed before it.
    `approved`: the plan's history has an approval at or after the allocation was created, so the
    allocation was in the content the Assemblea approved (a line added later, in a yearly update or
    after the Region returned the plan, waits for the next approval).
    """
    return _one(conn, "SELECT a.id, a.intervention_id, a.fund_code, a.year, i.plan_id, i.cup AS intervention_cup,"
                      " fy.closed_at,"
                      " EXISTS (SELECT 1 FROM plan_history h WHERE h.plan_id = i.plan_id"
                      "         AND h.to_state = %s AND h.at >= a.created_at) AS approved"
                      " FROM allocations a JOIN interventions i ON i.id = a.intervention_id"
                      " JOIN fund_years fy ON fy.fund_code = a.fund_code AND fy.year = a.year"
                      " WHERE a.id = %s FOR SHARE OF fy", (APPROVED, allocation_id))


def add_committed(conn: psycopg.Connection, allocation_id, amount) -> dict:
    """committed += amount (row lock; CHECK committed <= amount raises CheckViolation); the ledger after."""
    return _one(conn, "UPDATE allocations SET committed = committed + %s WHERE id = %s"
                      " RETURNING id, intervention_id, fund_code, year, amount, committed, paid",
                (amount, allocation_id))


def add_paid_to_allocation(conn: psycopg.Connection, allocation_id, amount) -> dict:
    """paid += amount on the allocation (CHECK paid <= committed); the ledger after."""
    return _one(conn, "UPDATE allocations SET paid = paid + %s WHERE id = %s"
                      " RETURNING id, intervention_id, fund_code, year, amount, committed, paid",
                (amount, allocation_id))


def add_paid_to_commitment(conn: psycopg.Connection, commitment_id, amount) -> dict:
    """paid += amount on the commitment (CHECK paid <= amount); its figures after."""
    return _one(conn, "UPDATE commitments SET paid = paid + %s WHERE id = %s RETURNING id, amount, paid",
                (amount, commitment_id))


def allocation_figures(conn: psycopg.Connection, allocation_id) -> dict:
    return _one(conn, "SELECT amount, committed, paid FROM allocations WHERE id = %s", (allocation_id,))


def commitment_figures(conn: psycopg.Connection, commitment_id) -> dict:
    return _one(conn, "SELECT amount, paid FROM commitments WHERE id = %s", (commitment_id,))


def organisation(conn: psycopg.Connection, organisation_id) -> dict | None:
    return _one(conn, "SELECT organisation_id, origin, status, revoked_at FROM organisations"
                " WHERE organisation_id = %s", (organisation_id,))


def insert_commitment(conn: psycopg.Connection, **values) -> None:
    conn.execute("INSERT INTO commitments (id, allocation_id, amount, act_date, act_reference, cup, cig,"
                 " supplier_id, created_by) VALUES (%(id)s, %(allocation_id)s, %(amount)s, %(act_date)s,"
                 " %(act_reference)s, %(cup)s, %(cig)s, %(supplier_id)s, %(created_by)s)", values)


def insert_payment(conn: psycopg.Connection, **values) -> dict:
    return _one(conn, "INSERT INTO payments (id, commitment_id, amount, act_date, act_reference, created_by)"
                      " VALUES (%(id)s, %(commitment_id)s, %(amount)s, %(act_date)s, %(act_reference)s,"
                      " %(created_by)s) RETURNING id, seq, commitment_id, amount, act_date, act_reference,"
                      " created_at", values)


def get_commitment(conn: psycopg.Connection, commitment_id) -> dict | None:
    return _one(conn, f"SELECT {COMMITMENT} FROM {COMMITMENT_FROM} WHERE c.id = %s", (commitment_id,))


def allocation_exists(conn: psycopg.Connection, allocation_id) -> bool:
    return conn.execute("SELECT 1 FROM allocations WHERE id = %s", (allocation_id,)).fetchone() is not None


def page_commitments(conn: psycopg.Connection, *, filters: dict, after_seq: int, limit: int) -> list[dict]:
    """Commitments in recording order after `after_seq`, filtered (None = any)."""
    f = filters
    return _all(conn, f"SELECT {COMMITMENT} FROM {COMMITMENT_FROM} WHERE c.seq > %(after)s"
                      " AND (%(allocation_id)s::uuid IS NULL OR c.allocation_id = %(allocation_id)s)"
                      " AND (%(intervention_id)s::uuid IS NULL OR a.intervention_id = %(intervention_id)s)"
                      " AND (%(plan_id)s::uuid IS NULL OR i.plan_id = %(plan_id)s)"
                      " AND (%(fund)s::text IS NULL OR a.fund_code = %(fund)s)"
                      " AND (%(year)s::int IS NULL OR a.year = %(year)s)"
                      " AND (%(supplier_id)s::uuid IS NULL OR c.supplier_id = %(supplier_id)s)"
                      " AND (%(cup)s::text IS NULL OR c.cup = %(cup)s)"
                      " ORDER BY c.seq LIMIT %(limit)s",
                {"after": after_seq, "limit": limit, **{k: f.get(k) for k in
                 ("allocation_id", "intervention_id", "plan_id", "fund", "year", "supplier_id", "cup")}})


def page_payments(conn: psycopg.Connection, *, commitment_id, after_seq: int, limit: int) -> list[dict]:
    return _all(conn, f"SELECT {PAYMENT} FROM payments p JOIN commitments c ON c.id = p.commitment_id"
                      " WHERE p.commitment_id = %s AND p.seq > %s ORDER BY p.seq LIMIT %s",
                (commitment_id, after_seq, limit))


def summary_rows(conn: psycopg.Connection, *, year: int | None, fund: str | None) -> list[dict]:
    """Per fund-year: assigned, residui carried in, and the sums of its allocations' ledgers."""
    return _all(conn, "SELECT fy.fund_code, fy.year, fy.assigned, fy.residui_in,"
                      " COALESCE(sum(a.amount), 0) AS allocated,"
                      " COALESCE(sum(a.committed), 0) AS committed,"
                      " COALESCE(sum(a.paid), 0) AS paid"
                      " FROM fund_years fy LEFT JOIN allocations a ON a.fund_code = fy.fund_code AND a.year = fy.year"
                      " WHERE (%(year)s::int IS NULL OR fy.year = %(year)s)"
                      " AND (%(fund)s::text IS NULL OR fy.fund_code = %(fund)s)"
                      " GROUP BY fy.fund_code, fy.year ORDER BY fy.year, fy.fund_code",
                {"year": year, "fund": fund})
