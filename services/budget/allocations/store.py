"""Allocations and the fund-year ledger: plain SQL. The ledger only moves by `x = x + delta` in place."""
from __future__ import annotations

from decimal import Decimal

import psycopg
from psycopg.rows import dict_row

COLUMNS = ("a.id, a.seq, a.intervention_id, i.plan_id, a.fund_code, a.year, a.amount, a.committed, a.paid,"
           " a.carried, a.version, a.created_at, a.created_by, a.updated_at")
FROM = " FROM allocations a JOIN interventions i ON i.id = a.intervention_id"


def _one(conn, query: str, params) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchone()


def _all(conn, query: str, params) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def intervention(conn: psycopg.Connection, intervention_id, *, lock: bool = False) -> dict | None:
    """The intervention with its plan's triennium; FOR SHARE so that it cannot change under the allocation."""
    return _one(conn, "SELECT i.id, i.plan_id, i.area, i.leps, i.kind, i.nomenclature_code, i.target_group,"
                      " i.status, i.comuni,"
                      " p.first_year, p.last_year FROM interventions i JOIN plans p ON p.id = i.plan_id"
                      " WHERE i.id = %s" + (" FOR SHARE OF i" if lock else ""), (intervention_id,))


def move_ledger(conn: psycopg.Connection, *, fund: str, year: int, delta: Decimal) -> dict | None:
    """allocated += delta on the fund-year row (locking it); the row after, or None if there is none.

    The CHECK allocated <= assigned + residui_in raises CheckViolation when the fund would be overspent.
    """
    return _one(conn, "UPDATE fund_years SET allocated = allocated + %s WHERE fund_code = %s AND year = %s"
                      " RETURNING fund_code, year, assigned, residui_in, allocated, closed_at", (delta, fund, year))


def fund_year(conn: psycopg.Connection, *, fund: str, year: int, lock: bool = False) -> dict | None:
    return _one(conn, "SELECT fund_code, year, assigned, residui_in, allocated, closed_at FROM fund_years"
                      " WHERE fund_code = %s AND year = %s" + (" FOR UPDATE" if lock else ""), (fund, year))


def available(conn: psycopg.Connection, *, fund: str, year: int) -> Decimal:
    row = fund_year(conn, fund=fund, year=year)
    return row["assigned"] + row["residui_in"] - row["allocated"] if row else Decimal("0.00")


def insert(conn: psycopg.Connection, **values) -> dict:
    conn.execute("INSERT INTO allocations (id, intervention_id, fund_code, year, amount, created_by)"
                 " VALUES (%(id)s, %(intervention_id)s, %(fund_code)s, %(year)s, %(amount)s, %(created_by)s)",
                 values)
    return get(conn, values["id"])


def get(conn: psycopg.Connection, allocation_id, *, lock: bool = False) -> dict | None:
    return _one(conn, f"SELECT {COLUMNS}{FROM} WHERE a.id = %s" + (" FOR UPDATE OF a" if lock else ""),
                (allocation_id,))


def find(conn: psycopg.Connection, *, intervention_id, fund: str, year: int) -> dict | None:
    return _one(conn, f"SELECT {COLUMNS}{FROM} WHERE a.intervention_id = %s AND a.fund_code = %s AND a.year = %s",
                (intervention_id, fund, year))


def set_amount(conn: psycopg.Connection, allocation_id, amount: Decimal) -> dict:
    """The new amount; the CHECK committed + carried <= amount raises CheckViolation below the committed part."""
    conn.execute("UPDATE allocations SET amount = %s, version = version + 1, updated_at = now() WHERE id = %s",
                 (amount, allocation_id))
    return get(conn, allocation_id)


def delete(conn: psycopg.Connection, allocation_id) -> None:
    conn.execute("DELETE FROM allocations WHERE id = %s", (allocation_id,))


def page(conn: psycopg.Connection, *, intervention_id=None, fund: str | None = None, year: int | None = None,
         after_seq: int, limit: int) -> list[dict]:
    return _all(conn, f"SELECT {COLUMNS}{FROM} WHERE a.seq > %(after)s"
                      " AND (%(iid)s::uuid IS NULL OR a.intervention_id = %(iid)s)"
                      " AND (%(fund)s::text IS NULL OR a.fund_code = %(fund)s)"
                      " AND (%(year)s::int IS NULL OR a.year = %(year)s) ORDER BY a.seq LIMIT %(limit)s",
                {"after": after_seq, "iid": intervention_id, "fund": fund, "year": year, "limit": limit})


def of_fund_year(conn: psycopg.Connection, *, fund: str, year: int) -> list[dict]:
    """Every allocation of the fund-year, locked (a closure reads them while no commitment moves them)."""
    return _all(conn, "SELECT id, intervention_id, amount, committed FROM allocations"
                      " WHERE fund_code = %s AND year = %s ORDER BY seq FOR UPDATE", (fund, year))
