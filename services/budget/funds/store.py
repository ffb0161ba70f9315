"""Fund assignments and the fund-year ledger: plain SQL."""
from __future__ import annotations

from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

COLUMNS = ("id, seq, fund_code, year, amount, decree_reference, decree_date, version,"
           " created_at, created_by, updated_at, updated_by")
LEDGER = "fund_code, year, assigned, residui_in, allocated, closed_at"


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO fund_assignments (id, fund_code, year, amount, decree_reference, decree_date, created_by)"
            " VALUES (%(id)s, %(fund_code)s, %(year)s, %(amount)s, %(decree_reference)s, %(decree_date)s,"
            f" %(created_by)s) RETURNING {COLUMNS}", values).fetchone()


def get(conn: psycopg.Connection, assignment_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM fund_assignments WHERE id = %s{lock}",
                           (assignment_id,)).fetchone()


def update(conn: psycopg.Connection, assignment_id, *, changes: dict, by: str) -> dict:
    sets = [sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in changes]
    query = sql.SQL("UPDATE fund_assignments SET {}, version = version + 1, updated_at = now(),"
                    " updated_by = %(by)s WHERE id = %(id)s RETURNING " + COLUMNS).format(sql.SQL(", ").join(sets))
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {**changes, "by": by, "id": assignment_id}).fetchone()


def page(conn: psycopg.Connection, *, fund: str | None, year: int | None, after_seq: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM fund_assignments WHERE seq > %(after)s"
            " AND (%(fund)s::text IS NULL OR fund_code = %(fund)s) AND (%(year)s::int IS NULL OR year = %(year)s)"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq, "fund": fund, "year": year, "limit": limit}).fetchall()


def add_assigned(conn: psycopg.Connection, *, fund: str, year: int, delta: Decimal) -> dict | None:
    """Create the fund-year or move its `assigned` by delta, in place (the row lock orders writers).

    None when the fund-year is closed. A delta that breaks the ledger's CHECK raises
    psycopg.errors.CheckViolation: the caller runs this in a savepoint.
    """
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO fund_years (fund_code, year, assigned) VALUES (%(fund)s, %(year)s, %(delta)s)"
            " ON CONFLICT (fund_code, year) DO UPDATE SET assigned = fund_years.assigned + EXCLUDED.assigned"
            f" WHERE fund_years.closed_at IS NULL RETURNING {LEDGER}",
            {"fund": fund, "year": year, "delta": delta}).fetchone()


def move_assigned(conn: psycopg.Connection, *, fund: str, year: int, delta: Decimal) -> dict | None:
    """Move an existing fund-year's `assigned` by delta (an INSERT would check a negative delta as a row).

    None when the fund-year is closed (or absent); CheckViolation as for add_assigned.
    """
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "UPDATE fund_years SET assigned = assigned + %(delta)s"
            f" WHERE fund_code = %(fund)s AND year = %(year)s AND closed_at IS NULL RETURNING {LEDGER}",
            {"fund": fund, "year": year, "delta": delta}).fetchone()


def ledger(conn: psycopg.Connection, *, fund: str, year: int) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {LEDGER} FROM fund_years WHERE fund_code = %s AND year = %s",
                           (fund, year)).fetchone()


def ledgers(conn: psycopg.Connection, *, year: int | None, fund: str | None) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {LEDGER} FROM fund_years WHERE (%(year)s::int IS NULL OR year = %(year)s)"
            " AND (%(fund)s::text IS NULL OR fund_code = %(fund)s) ORDER BY year, fund_code",
            {"year": year, "fund": fund}).fetchall()
