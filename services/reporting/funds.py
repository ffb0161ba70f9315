"""Budget figures per fund and year, read from budget_allocation_facts (migration 004)."""
from __future__ import annotations

from decimal import Decimal

import psycopg

ZERO = Decimal("0.00")


def fund_statistics(*, conn: psycopg.Connection, tenant: str, year: int | None = None) -> dict:
    """Allocated, committed and paid per fund and year of an Ambito (one year, or all), with the totals.

    Every allocation of the plan's live content counts (a released one is 0); a fund-year whose three
    figures are all 0 is left out."""
    rows = conn.execute(
        "SELECT fund, year, sum(allocated), sum(committed), sum(paid) FROM budget_allocation_facts"
        " WHERE tenant = %s AND (%s::int IS NULL OR year = %s::int) GROUP BY fund, year"
        " HAVING sum(allocated) + sum(committed) + sum(paid) > 0 ORDER BY year, fund",
        (tenant, year, year)).fetchall()
    funds = [{"fund": f, "year": y, "allocated": a, "committed": c, "paid": p} for f, y, a, c, p in rows]
    totals = {k: sum((r[k] for r in funds), ZERO) for k in ("allocated", "committed", "paid")}
    return {"tenant": tenant, "year": year, "funds": funds, "totals": totals}
