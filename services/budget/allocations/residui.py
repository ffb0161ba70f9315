"""Closing a fund-year: its uncommitted money is carried to year + 1 as residui, with its origin, in one transaction."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from shared.money import format_amount
from shared.outbox.store import add_event

from services.budget.allocations import domain, events, store


class FundYearNotFound(LookupError):
    """No ledger row for this fund and year in this Ambito."""


def _origin_json(origin: list[dict]) -> list[dict]:
    return [{"allocation_id": str(o["allocation_id"]) if o["allocation_id"] else None,
             "intervention_id": str(o["intervention_id"]) if o["intervention_id"] else None,
             "amount": format_amount(o["amount"])} for o in origin]


def close_fund_year(*, conn: psycopg.Connection, tenant: str, fund: str, year: int, by: str) -> dict:
    """Close (fund, year): carry assigned + residui_in - committed to year + 1 and freeze the year's allocations."""
    with conn.transaction():
        ledger = store.fund_year(conn, fund=fund, year=year, lock=True)
        if ledger is None:
            raise FundYearNotFound(fund, year)
        if ledger["closed_at"] is not None:
            raise domain.AlreadyClosed(fund, year)
        previous = store.fund_year(conn, fund=fund, year=year - 1)
        if previous is not None and previous["closed_at"] is None:
            raise domain.PreviousYearOpen(fund, year)
        allocations = store.of_fund_year(conn, fund=fund, year=year)
        carried = domain.carry(assigned=ledger["assigned"], residui_in=ledger["residui_in"],
                               allocated=ledger["allocated"], allocations=allocations)
        closed_at = datetime.now(timezone.utc)
        conn.execute("UPDATE fund_years SET closed_at = %s WHERE fund_code = %s AND year = %s",
                     (closed_at, fund, year))
        with conn.cursor() as cur:
            cur.executemany("UPDATE allocations SET carried = carried + %s WHERE id = %s",
                            [(amount, allocation_id) for allocation_id, amount in carried.per_allocation.items()])
        if carried.amount > 0:
            conn.execute("INSERT INTO residui (id, fund_code, from_year, to_year, amount, origin, created_by)"
                         " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                         (uuid.uuid4(), fund, year, year + 1, carried.amount, Jsonb(_origin_json(carried.origin)),
                          by))
            conn.execute("INSERT INTO fund_years (fund_code, year, residui_in) VALUES (%s, %s, %s)"
                         " ON CONFLICT (fund_code, year) DO UPDATE SET residui_in = fund_years.residui_in"
                         " + EXCLUDED.residui_in", (fund, year + 1, carried.amount))
        committed = sum((a["committed"] for a in allocations), domain.ZERO)
        closure = {**ledger, "closed_at": closed_at, "committed": committed, "carried": carried.amount,
                   "to_year": year + 1, "origin": _origin_json(carried.origin)}
        add_event(conn, events.closed_event(tenant=tenant, closure=closure))
    return closure


def get_closure(*, conn: psycopg.Connection, fund: str, year: int) -> dict:
    """A fund-year's ledger and, once closed, what it carried to year + 1 and from where."""
    ledger = store.fund_year(conn, fund=fund, year=year)
    if ledger is None:
        raise FundYearNotFound(fund, year)
    with conn.cursor(row_factory=dict_row) as cur:
        residui = cur.execute("SELECT amount, origin FROM residui WHERE fund_code = %s AND from_year = %s",
                              (fund, year)).fetchone()
        committed = cur.execute("SELECT coalesce(sum(committed), 0) AS c FROM allocations"
                                " WHERE fund_code = %s AND year = %s", (fund, year)).fetchone()["c"]
    closed = ledger["closed_at"] is not None
    return {**ledger, "committed": committed, "to_year": year + 1,
            "carried": residui["amount"] if residui else (domain.ZERO if closed else None),
            "origin": residui["origin"] if residui else []}
