"""Progress of the interventions (issue 11): status at the period's end, average percentage, output indicators.

The interventions of a period are those of the Ambiti's plans whose triennium holds the period's year
(budget_plan_states); one whose plan reporting has not seen counts if its planned dates (null: open)
meet the period. An intervention's status at the period's end is the status of its latest quarter
recorded up to the period's last quarter; without any, its status as it stands if that was set before
the period's end, otherwise `planned`. Its percentage at the period's end is its latest quarter's.
- interventi_per_stato (stock, by status: every status, 0 included);
- interventi_avanzamento_medio (stock, percentuale): mean percentage of the interventions not
  cancelled with a quarter recorded up to the period's end, to the cent half up; none without any;
- interventi_indicatori_output (flow, by output indicator name): the sum of the figures recorded for the
  quarters inside the period (a year sums its four quarters: people served each quarter are counted
  each quarter, as the Ufficio di Piano records them).
Read from migrations 004 and 007. Tracers give interventions (or quarter records, id
`<intervention>/<year>-Q<n>`) ordered by tenant and id (cursor `<tenant>/<id>`).
"""
from __future__ import annotations

from decimal import Decimal

import psycopg

from services.reporting.indicators.model import Definition, Figure, Period, Source, register
from services.reporting.indicators.money import (INTERVENTION_EVENTS, by_group, page, params, part, ratio, rows,
                                                  single, split_cursor)

STATUSES = ("planned", "active", "suspended", "completed", "cancelled")
PROGRESS = "it.pdz.budget.intervention.progress_recorded.v1"
PLAN_EVENTS = ("it.pdz.budget.plan.created.v1", "it.pdz.budget.plan.transitioned.v1")
ONE = Decimal(1)

_IN_PERIOD = """
WITH scope AS (
    SELECT i.tenant, i.intervention_id, i.status, i.as_of FROM budget_intervention_facts i
    WHERE i.tenant = ANY(%(tenants)s) AND (
        EXISTS (SELECT 1 FROM budget_plan_states s WHERE s.tenant = i.tenant AND s.plan_id = i.plan_id
                AND s.first_year <= %(year)s AND s.last_year >= %(year)s)
        OR (NOT EXISTS (SELECT 1 FROM budget_plan_states s WHERE s.tenant = i.tenant AND s.plan_id = i.plan_id)
            AND COALESCE(i.planned_start, %(first_day)s) <= %(last_day)s
            AND COALESCE(i.planned_end, %(last_day)s) >= %(first_day)s)))
SELECT s.tenant, s.intervention_id::text AS id,
       COALESCE(q.status, CASE WHEN s.as_of < %(end)s THEN s.status ELSE 'planned' END) AS status,
       q.percent
FROM scope s
LEFT JOIN LATERAL (SELECT p.status, p.percent FROM budget_progress_facts p
                   WHERE p.tenant = s.tenant AND p.intervention_id = s.intervention_id
                     AND (p.year, p.quarter) <= (%(year)s, %(last_quarter)s)
                   ORDER BY p.year DESC, p.quarter DESC LIMIT 1) q ON true
"""
_OUTPUTS = """
SELECT p.tenant, p.intervention_id::text || '/' || p.year || '-Q' || p.quarter AS id, o.name, o.figure
FROM budget_progress_facts p CROSS JOIN LATERAL unnest(p.output_names, p.output_values) AS o(name, figure)
WHERE p.tenant = ANY(%(tenants)s) AND p.year = %(year)s AND p.quarter BETWEEN %(first_quarter)s AND %(last_quarter)s
"""


def _params(tenants: list[str], period: Period) -> dict:
    first = period.quarter or 1
    return {**params(tenants, period), "end": period.end, "first_quarter": first,
            "last_quarter": period.quarter or 4}


def _trace(conn, query: str, where: str, values: dict, after: str | None, limit: int) -> list[tuple]:
    tenant, record = split_cursor(after)
    return rows(conn, f"SELECT * FROM ({query}) AS r WHERE {where} AND (tenant, id) > (%(after_tenant)s,"
                      " %(after_id)s) ORDER BY tenant, id LIMIT %(limit)s",
                {**values, "after_tenant": tenant, "after_id": record, "limit": limit + 1})


def _extra(period: Period) -> dict:
    return {k: v for k, v in _params([], period).items() if k != "tenants"}


def interventi_per_stato_grouped(conn: psycopg.Connection, *, groups: dict[str, list[str]],
                                 period: Period) -> dict[str, list[Figure]]:
    """The period's interventions by their status at its end (every status, 0 included); per group."""
    counts: dict = {label: {} for label in groups}
    for label, status, count in by_group(conn, _IN_PERIOD, "t.status, count(*)", "t.status", groups, period,
                                         _extra(period)):
        counts[label][status] = count
    result = {}
    for label, found in counts.items():
        keys = [*STATUSES, *sorted(k for k in found if k not in STATUSES)]
        result[label] = [Figure("interventi_per_stato", period, Decimal(found.get(k, 0)), {"status": k})
                         for k in keys]
    return result


def interventi_per_stato_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                               after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The interventions of one status at the period's end."""
    found = _trace(conn, _IN_PERIOD, "status = %(status)s", {**_params(tenants, period),
                                                             "status": dimension["status"]}, after, limit)
    return page(found, limit, "intervention", value=lambda item: ONE)


_MEASURED = "status <> 'cancelled' AND percent IS NOT NULL"


def interventi_avanzamento_medio_grouped(conn: psycopg.Connection, *, groups: dict[str, list[str]],
                                         period: Period) -> dict[str, list[Figure]]:
    """Mean latest percentage of the period's interventions with a record (cancelled ones excepted); per group."""
    found = {label: (count, total) for label, count, total in by_group(
        conn, f"SELECT * FROM ({_IN_PERIOD}) AS m WHERE {_MEASURED}", "count(*), sum(t.percent)", "", groups,
        period, _extra(period))}
    return {label: [Figure("interventi_avanzamento_medio", period, ratio(found[label][1], found[label][0]))]
            if found.get(label, (0,))[0] else [] for label in groups}


def interventi_avanzamento_medio_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period,
                                       dimension: dict, after: str | None,
                                       limit: int) -> tuple[list[Source], str | None]:
    """The interventions averaged, each with its part: its percentage / how many they are."""
    values = _params(tenants, period)
    [(count,)] = rows(conn, f"SELECT count(*) FROM ({_IN_PERIOD}) AS r WHERE {_MEASURED}", values)
    if not count:
        return [], None
    found = _trace(conn, _IN_PERIOD, _MEASURED, values, after, limit)
    return page(found, limit, "intervention", value=lambda item: part(item[3], Decimal(count)))


def interventi_indicatori_output_grouped(conn: psycopg.Connection, *, groups: dict[str, list[str]],
                                         period: Period) -> dict[str, list[Figure]]:
    """The output indicators recorded for the quarters of the period, summed by name; per group."""
    result: dict = {label: [] for label in groups}
    for label, name, total in sorted(by_group(conn, _OUTPUTS, "t.name, sum(t.figure)", "t.name", groups, period,
                                              _extra(period))):
        result[label].append(Figure("interventi_indicatori_output", period, total, {"output": name}))
    return result


def interventi_indicatori_output_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period,
                                       dimension: dict, after: str | None,
                                       limit: int) -> tuple[list[Source], str | None]:
    """The quarter records giving one output indicator, each with its figure."""
    found = _trace(conn, _OUTPUTS, "name = %(output)s", {**_params(tenants, period),
                                                         "output": dimension["output"]}, after, limit)
    return page(found, limit, "progress", value=lambda item: item[3])


register(Definition(
    code="interventi_per_stato", name="Interventi del Piano per stato di attuazione", unit="numero", kind="stock",
    formula="Interventi dei Piani il cui triennio comprende l'anno del periodo, per stato alla fine del periodo:"
            " lo stato dell'ultimo trimestre di monitoraggio registrato fino ad allora; senza monitoraggio, lo"
            " stato attuale se impostato prima della fine del periodo, altrimenti programmato.",
    source_events=(*INTERVENTION_EVENTS, PROGRESS, *PLAN_EVENTS), dimensions=("status",)),
    provider=single(interventi_per_stato_grouped), tracer=interventi_per_stato_trace,
    grouped=interventi_per_stato_grouped)
register(Definition(
    code="interventi_avanzamento_medio", name="Avanzamento medio degli interventi", unit="percentuale",
    kind="stock",
    formula="Media delle percentuali di avanzamento dell'ultimo trimestre registrato fino alla fine del periodo,"
            " sugli interventi del periodo non annullati che ne hanno uno; arrotondata al centesimo (metà per"
            " eccesso).",
    source_events=(*INTERVENTION_EVENTS, PROGRESS, *PLAN_EVENTS)),
    provider=single(interventi_avanzamento_medio_grouped), tracer=interventi_avanzamento_medio_trace,
    grouped=interventi_avanzamento_medio_grouped)
register(Definition(
    code="interventi_indicatori_output", name="Indicatori di risultato degli interventi", unit="numero",
    kind="flow",
    formula="Per indicatore (es. utenti serviti), somma dei valori registrati per i trimestri del periodo da"
            " tutti gli interventi (un anno somma i suoi quattro trimestri).",
    source_events=(PROGRESS,), dimensions=("output",)),
    provider=single(interventi_indicatori_output_grouped), tracer=interventi_indicatori_output_trace,
    grouped=interventi_indicatori_output_grouped)
