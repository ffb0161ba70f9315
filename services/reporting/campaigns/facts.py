"""The facts the campaigns judge, read from the regional read model (plain SQL, one query per kind).

Plans: budget_plan_states (004) with each version's first sending and latest return from
plan_transition_facts (009). Funds: budget_allocation_facts (004) summed per fund-year, with the
closure of budget_residui_facts (007).
"""
from __future__ import annotations

import psycopg

from services.reporting.campaigns.completeness import AmbitoFacts, FundYear, PlanVersion


def _plans(conn: psycopg.Connection, tenants: list[str]) -> dict[str, list[PlanVersion]]:
    rows = conn.execute(
        "SELECT s.tenant, s.first_year, s.last_year, s.number, s.kind, s.reference_year, s.state,"
        " min(t.at) FILTER (WHERE t.to_state = 'sent'), max(t.at) FILTER (WHERE t.to_state = 'returned')"
        " FROM budget_plan_states s LEFT JOIN plan_transition_facts t"
        "  ON t.tenant = s.tenant AND t.plan_id = s.plan_id AND t.number = s.number"
        " WHERE s.tenant = ANY(%s)"
        " GROUP BY s.tenant, s.plan_id, s.number ORDER BY s.tenant, s.first_year, s.number",
        (tenants,)).fetchall()
    found: dict[str, list[PlanVersion]] = {}
    for tenant, first, last, number, kind, reference, state, sent, returned in rows:
        found.setdefault(tenant, []).append(PlanVersion(first, last, number, kind, reference or first, state,
                                                        sent, returned))
    return found


def _funds(conn: psycopg.Connection, tenants: list[str], keys: list[tuple[str, int]]) -> dict[str, dict]:
    if not keys:
        return {}
    funds, years = [k[0] for k in keys], [k[1] for k in keys]
    rows = conn.execute(
        "WITH wanted AS (SELECT DISTINCT * FROM unnest(%s::text[], %s::int[]) AS w(fund, year)),"
        " money AS (SELECT a.tenant, a.fund, a.year, sum(a.allocated) AS allocated,"
        "   sum(a.committed) AS committed, sum(a.paid) AS paid FROM budget_allocation_facts a"
        "   JOIN wanted USING (fund, year) WHERE a.tenant = ANY(%s) GROUP BY a.tenant, a.fund, a.year),"
        " closed AS (SELECT r.tenant, r.fund, r.year, r.closed_at FROM budget_residui_facts r"
        "   JOIN wanted USING (fund, year) WHERE r.tenant = ANY(%s))"
        " SELECT coalesce(m.tenant, c.tenant), coalesce(m.fund, c.fund), coalesce(m.year, c.year),"
        "  m.allocated, m.committed, m.paid, c.closed_at"
        " FROM money m FULL JOIN closed c ON c.tenant = m.tenant AND c.fund = m.fund AND c.year = m.year",
        (funds, years, tenants, tenants)).fetchall()
    found: dict[str, dict] = {}
    for tenant, fund, year, allocated, committed, paid, closed_at in rows:
        figures = {k: v for k, v in (("allocated", allocated), ("committed", committed), ("paid", paid)) if v is not None}
        found.setdefault(tenant, {})[(fund, year)] = FundYear(fund, year, closed_at=closed_at, **figures)
    return found


def ambito_facts(*, conn: psycopg.Connection, tenants: list[str],
                 fund_years: list[tuple[str, int]]) -> dict[str, AmbitoFacts]:
    """Each Ambito's plan versions and the fund-years the deadlines name (an Ambito with none: empty facts)."""
    plans, funds = _plans(conn, tenants), _funds(conn, tenants, fund_years)
    return {t: AmbitoFacts(tuple(plans.get(t, ())), funds.get(t, {})) for t in tenants}
