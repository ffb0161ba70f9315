"""LEPS covered (issue 11): the livelli essenziali delle prestazioni sociali the Ambito's funded interventions cover.

A LEPS is covered in a period when at least one intervention of the Ambiti naming it (its `leps`), not
cancelled, holds a non-zero allocation for the period's year (budget's money is per year; allocations as
budget holds them now). A LEPS counts once, however many interventions or former territories cover it.
- leps_coperti: how many LEPS are covered (no dimension);
- leps_copertura: per LEPS named by any intervention of the Ambiti (cancelled ones excepted), 1 if
  covered, 0 if named but not funded for the year.
Read from migrations 004 and 007 (budget_intervention_facts, budget_allocation_facts). Tracers give
interventions: each covered LEPS's first funded intervention (by tenant and id) with value 1, the
others covering it with value 0, so the values sum to the figure.
"""
from __future__ import annotations

from decimal import Decimal

import psycopg

from services.reporting.indicators.model import Definition, Figure, Period, Source, register
from services.reporting.indicators.money import (ALLOCATION_EVENTS, INTERVENTION_EVENTS, SERVICE, by_group, page,
                                                  params, rows, single, split_cursor)

ONE, NIL = Decimal(1), Decimal(0)
# (leps, tenant, intervention id, funded, first funded of its LEPS) of every intervention naming a LEPS
_NAMED = """
WITH funded AS (
    SELECT a.tenant, a.intervention_id FROM budget_allocation_facts a
    WHERE a.tenant = ANY(%(tenants)s) AND a.year = %(year)s GROUP BY a.tenant, a.intervention_id
    HAVING sum(a.allocated) > 0),
named AS (
    SELECT l.leps, i.tenant, i.intervention_id::text AS id, f.intervention_id IS NOT NULL AS funded
    FROM budget_intervention_facts i CROSS JOIN LATERAL unnest(i.leps) AS l(leps)
    LEFT JOIN funded f ON f.tenant = i.tenant AND f.intervention_id = i.intervention_id
    WHERE i.tenant = ANY(%(tenants)s) AND i.status <> 'cancelled')
SELECT leps, tenant, id, funded,
       funded AND row_number() OVER (PARTITION BY leps, funded ORDER BY tenant, id) = 1 AS first
FROM named
"""


def leps_copertura_grouped(conn: psycopg.Connection, *, groups: dict[str, list[str]],
                           period: Period) -> dict[str, list[Figure]]:
    """1 per covered LEPS, 0 per LEPS named but not funded for the period's year, by LEPS code; per group."""
    result: dict = {label: [] for label in groups}
    for label, leps, funded in sorted(by_group(conn, _NAMED, "t.leps, bool_or(t.funded)", "t.leps", groups, period)):
        result[label].append(Figure("leps_copertura", period, ONE if funded else NIL, {"leps": leps}))
    return result


def leps_copertura_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                         after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The funded interventions covering one LEPS: the first with value 1, the others 0."""
    tenant, record = split_cursor(after)
    found = rows(conn, f"SELECT tenant, id, first FROM ({_NAMED}) AS n WHERE funded AND leps = %(leps)s"
                       " AND (tenant, id) > (%(after_tenant)s, %(after_id)s) ORDER BY tenant, id LIMIT %(limit)s",
                 {**params(tenants, period), "leps": dimension["leps"], "after_tenant": tenant,
                  "after_id": record, "limit": limit + 1})
    return page(found, limit, "intervention", value=lambda item: ONE if item[2] else NIL)


def leps_coperti_grouped(conn: psycopg.Connection, *, groups: dict[str, list[str]],
                         period: Period) -> dict[str, list[Figure]]:
    """How many distinct LEPS the Ambiti's funded interventions cover in the period's year; per group."""
    counts = dict(by_group(conn, _NAMED, "count(DISTINCT t.leps) FILTER (WHERE t.funded)", "", groups, period))
    return {label: [Figure("leps_coperti", period, Decimal(counts.get(label, 0)))] for label in groups}


def leps_coperti_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                       after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """Each covered LEPS's first funded intervention, value 1, ordered by LEPS (cursor: the LEPS code)."""
    found = rows(conn, f"SELECT leps, tenant, id FROM ({_NAMED}) AS n WHERE first AND leps > %(after)s"
                       " ORDER BY leps LIMIT %(limit)s",
                 {**params(tenants, period), "after": after or "", "limit": limit + 1})
    shown = found[:limit]
    sources = [Source(SERVICE, "intervention", rid, tenant, ONE) for _, tenant, rid in shown]
    return sources, (shown[-1][0] if len(found) > limit and shown else None)


SOURCE_EVENTS = (*INTERVENTION_EVENTS, "it.pdz.budget.intervention.progress_recorded.v1", *ALLOCATION_EVENTS)
register(Definition(
    code="leps_coperti", name="LEPS coperti da interventi finanziati", unit="numero", kind="stock",
    formula="Numero di LEPS distinti indicati da almeno un intervento non annullato dell'Ambito con risorse"
            " assegnate (diverse da zero) per l'anno del periodo; un LEPS coperto da più interventi o territori"
            " conta una volta.",
    source_events=SOURCE_EVENTS), provider=single(leps_coperti_grouped), tracer=leps_coperti_trace,
    grouped=leps_coperti_grouped)
register(Definition(
    code="leps_copertura", name="Copertura di ciascun LEPS", unit="numero", kind="stock",
    formula="Per ogni LEPS indicato da un intervento non annullato dell'Ambito: 1 se almeno uno di questi"
            " interventi ha risorse assegnate (diverse da zero) per l'anno del periodo, altrimenti 0.",
    source_events=SOURCE_EVENTS, dimensions=("leps",)), provider=single(leps_copertura_grouped),
    tracer=leps_copertura_trace, grouped=leps_copertura_grouped)
