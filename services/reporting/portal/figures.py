"""What the public portal shows, read from reporting's regional read model (plain SQL, aggregates only).

The portal is built while the read models of issue 11 land one by one (profiles 005, consultation 006,
budget content 007): each reader first asks which of its tables exist, and a missing table gives
"no data" (None or an empty list), never an error page. No query here reads a column that could hold
a person's name: the read model holds organisations and counts only, and the portal shows counts.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import psycopg

from services.reporting import funds
from services.reporting.indicators.money import ratio

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = ("allocated", "committed", "paid")


def present(conn: psycopg.Connection, *tables: str) -> bool:
    """Whether every one of these read-model tables exists (its migration has run)."""
    found = conn.execute("SELECT count(*) FROM pg_class WHERE relname = ANY(%s) AND relkind IN ('r', 'p', 'v')"
                         " AND pg_table_is_visible(oid)", (list(tables),)).fetchone()[0]
    return found == len(tables)


def per_inhabitant(amount: Decimal | None, population: int | None) -> Decimal | None:
    """An amount per inhabitant, to the cent, rounded as the indicators round it (half up): the portal
    shows the API's figures; None without a population."""
    if amount is None or not population:
        return None
    return ratio(Decimal(amount), Decimal(population))


def profiles(*, conn: psycopg.Connection, tenants: list[str]) -> dict[str, dict]:
    """Each Ambito's profile as the registry last published it: name, capofila, population, as_of."""
    if not present(conn, "ambito_profiles"):
        return {}
    rows = conn.execute("SELECT tenant, name, capofila_istat, total_population, as_of FROM ambito_profiles"
                        " WHERE tenant = ANY(%s)", (tenants,)).fetchall()
    return {t: {"name": n, "capofila_istat": c, "population": p, "as_of": a} for t, n, c, p, a in rows}


def comuni(*, conn: psycopg.Connection, tenant: str) -> list[dict]:
    """The comuni of the Ambito's profile now (a comune dropped by a newer version is not), by name."""
    if not present(conn, "ambito_comuni_now"):
        return []
    rows = conn.execute("SELECT istat_code, name, population, population_date FROM ambito_comuni_now"
                        " WHERE tenant = %s ORDER BY name, istat_code", (tenant,)).fetchall()
    return [{"istat_code": i, "name": n, "population": p, "population_date": d} for i, n, p, d in rows]


def plans(*, conn: psycopg.Connection, tenant: str) -> list[dict]:
    """Each plan's newest version with its state, the latest plan first."""
    rows = conn.execute(
        "SELECT DISTINCT ON (plan_id) plan_id, number, first_year, last_year, kind, state, changed_at"
        " FROM budget_plan_states WHERE tenant = %s ORDER BY plan_id, number DESC", (tenant,)).fetchall()
    found = [{"plan_id": p, "number": n, "first_year": f, "last_year": la, "kind": k, "state": s, "changed_at": c}
             for p, n, f, la, k, s, c in rows]
    return sorted(found, key=lambda p: (p["first_year"], p["changed_at"]), reverse=True)


def fund_figures(*, conn: psycopg.Connection, tenant: str) -> dict:
    """Allocated, committed and paid per fund and year: exactly what GET statistics/funds answers."""
    return funds.fund_statistics(conn=conn, tenant=tenant)


def money_totals(*, conn: psycopg.Connection, tenants: list[str]) -> dict:
    """Allocated, committed and paid of some Ambiti together, every year."""
    row = conn.execute("SELECT coalesce(sum(allocated), 0), coalesce(sum(committed), 0), coalesce(sum(paid), 0)"
                       " FROM budget_allocation_facts WHERE tenant = ANY(%s)", (tenants,)).fetchone()
    return dict(zip(MONEY, row))


def by_area(*, conn: psycopg.Connection, tenant: str) -> list[dict]:
    """Per thematic area: interventions, and the money allocated, committed and paid on them."""
    if not present(conn, "budget_intervention_facts"):
        return []
    rows = conn.execute(
        "SELECT i.area, count(DISTINCT i.intervention_id), coalesce(sum(a.allocated), 0),"
        " coalesce(sum(a.committed), 0), coalesce(sum(a.paid), 0)"
        " FROM budget_intervention_facts i LEFT JOIN budget_allocation_facts a"
        " ON a.tenant = i.tenant AND a.intervention_id = i.intervention_id"
        " WHERE i.tenant = %s GROUP BY i.area ORDER BY i.area", (tenant,)).fetchall()
    return [{"area": r[0], "interventions": r[1], **dict(zip(MONEY, r[2:]))} for r in rows]


def interventions(*, conn: psycopg.Connection, tenant: str) -> list[dict]:
    """The Ambito's interventions: code, title, area, state, progress, LEPS and the funds allocated."""
    if not present(conn, "budget_intervention_facts"):
        return []
    rows = conn.execute(
        "SELECT i.code, i.title, i.area, i.status, i.percent, i.leps,"
        " coalesce(array_agg(DISTINCT a.fund ORDER BY a.fund) FILTER (WHERE a.allocated > 0), '{}'),"
        " coalesce(sum(a.allocated), 0)"
        " FROM budget_intervention_facts i LEFT JOIN budget_allocation_facts a"
        " ON a.tenant = i.tenant AND a.intervention_id = i.intervention_id"
        " WHERE i.tenant = %s GROUP BY i.intervention_id, i.code, i.title, i.area, i.status, i.percent, i.leps"
        " ORDER BY i.code", (tenant,)).fetchall()
    return [{"code": c, "title": t, "area": a, "status": s, "percent": p, "leps": list(l or []),
             "funds": list(f), "allocated": m} for c, t, a, s, p, l, f, m in rows]


def stakeholders(*, conn: psycopg.Connection, tenants: list[str]) -> dict[str, int]:
    """Active organisations of the network by type (counts only)."""
    rows = conn.execute("SELECT type, count(*) FROM stakeholder_facts WHERE tenant = ANY(%s) AND status = 'active'"
                        " GROUP BY type ORDER BY type", (tenants,)).fetchall()
    return dict(rows)
