"""The funnel of the Piano (issue 11): needs -> proposals -> accepted -> funded interventions -> paid.

One indicator, `imbuto_bisogni_interventi`, a flow with one figure per stage (dimension `stage`):
- bisogni: needs recorded in the period (recorded_at);
- proposte: proposals submitted in the period (submitted_at);
- proposte_accolte: proposals accepted, decided in the period (status accepted, decided_at);
- interventi_finanziati: interventions answering accepted proposals (proposal_ids not empty, not
  cancelled) with money allocated for the period's year (budget's allocations are per year: a quarter
  counts its year's);
- interventi_pagati: interventions answering accepted proposals with a payment dated inside the
  period (act_date; a payment made before an intervention was cancelled still counts).
Each stage counts what happened in the period, not the same cohort moving along. Read from migration
006 (consultation_need_facts, consultation_proposal_facts) and 004/007 (budget_allocation_facts,
budget_intervention_facts, budget_payment_facts). Tracers give the records counted, ordered by tenant
and id (cursor `<tenant>/<id>`).
"""
from __future__ import annotations

from decimal import Decimal

import psycopg
from psycopg.rows import tuple_row

from services.reporting.indicators.model import Definition, Figure, Period, Source, register

CODE = "imbuto_bisogni_interventi"
ONE = Decimal(1)
_FUNDED = """
SELECT i.tenant, i.intervention_id::text AS id FROM budget_intervention_facts i
WHERE i.tenant = ANY(%(tenants)s) AND cardinality(i.proposal_ids) > 0 AND i.status <> 'cancelled'
  AND (SELECT COALESCE(sum(a.allocated), 0) FROM budget_allocation_facts a
       WHERE a.tenant = i.tenant AND a.intervention_id = i.intervention_id AND a.year = %(year)s) > 0
"""
# stage -> (service, record, query giving (tenant, id) of the records counted)
STAGES = {
    "bisogni": ("consultation", "need",
                "SELECT tenant, need_id::text AS id FROM consultation_need_facts WHERE tenant = ANY(%(tenants)s)"
                " AND recorded_at >= %(start)s AND recorded_at < %(end)s"),
    "proposte": ("consultation", "proposal",
                 "SELECT tenant, proposal_id::text AS id FROM consultation_proposal_facts"
                 " WHERE tenant = ANY(%(tenants)s) AND submitted_at >= %(start)s AND submitted_at < %(end)s"),
    "proposte_accolte": ("consultation", "proposal",
                         "SELECT tenant, proposal_id::text AS id FROM consultation_proposal_facts"
                         " WHERE tenant = ANY(%(tenants)s) AND status = 'accepted'"
                         " AND decided_at >= %(start)s AND decided_at < %(end)s"),
    "interventi_finanziati": ("budget", "intervention", _FUNDED),
    "interventi_pagati": ("budget", "intervention",
                          "SELECT i.tenant, i.intervention_id::text AS id FROM budget_intervention_facts i"
                          " WHERE i.tenant = ANY(%(tenants)s) AND cardinality(i.proposal_ids) > 0"
                          " AND EXISTS (SELECT 1 FROM budget_payment_facts p WHERE p.tenant = i.tenant"
                          " AND p.intervention_id = i.intervention_id AND p.act_date >= %(first_day)s"
                          " AND p.act_date <= %(last_day)s)"),
}


def _params(tenants: list[str], period: Period) -> dict:
    return {"tenants": tenants, "start": period.start, "end": period.end, "year": period.year,
            "first_day": period.first_day, "last_day": period.last_day}


def funnel(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
    """One figure per stage, in the funnel's order (0 included)."""
    params = _params(tenants, period)
    figures = []
    with conn.cursor(row_factory=tuple_row) as cur:
        for stage, (_, _, query) in STAGES.items():
            [(count,)] = cur.execute(f"SELECT count(*) FROM ({query}) AS r", params).fetchall()
            figures.append(Figure(CODE, period, Decimal(count), {"stage": stage}))
    return figures


def funnel_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                 after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The needs, proposals or interventions one stage counted."""
    stage = dimension.get("stage")
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    service, record, query = STAGES[stage]
    tenant, cursor_id = ("", "")
    if after is not None:
        tenant, slash, cursor_id = after.partition("/")
        if not slash or not tenant or not cursor_id:
            raise ValueError(f"cursor {after!r} is not <tenant>/<id>")
    with conn.cursor(row_factory=tuple_row) as cur:
        rows = cur.execute(f"SELECT tenant, id FROM ({query}) AS r WHERE (tenant, id) > (%(after_tenant)s,"
                           " %(after_id)s) ORDER BY tenant, id LIMIT %(limit)s",
                           {**_params(tenants, period), "after_tenant": tenant, "after_id": cursor_id,
                            "limit": limit + 1}).fetchall()
    page = rows[:limit]
    sources = [Source(service, record, rid, rtenant, ONE) for rtenant, rid in page]
    return sources, (f"{page[-1][0]}/{page[-1][1]}" if len(rows) > limit and page else None)


SOURCE_EVENTS = (
    *(f"it.pdz.consultation.need.{verb}.v1" for verb in ("recorded", "updated", "snapshot")),
    *(f"it.pdz.consultation.proposal.{verb}.v1" for verb in ("submitted", "updated", "snapshot", "accepted",
                                                             "rejected", "merged")),
    "it.pdz.budget.intervention.planned.v1", "it.pdz.budget.intervention.updated.v1",
    "it.pdz.budget.allocation.made.v1", "it.pdz.budget.allocation.changed.v1",
    "it.pdz.budget.allocation.released.v1", "it.pdz.budget.payment.recorded.v1",
)

register(Definition(
    code=CODE, name="Dai bisogni agli interventi pagati (imbuto della partecipazione)", unit="numero", kind="flow",
    formula="Per fase, nel periodo: bisogni registrati; proposte presentate; proposte accolte (decise nel"
            " periodo); interventi che rispondono a proposte accolte con risorse assegnate per l'anno del"
            " periodo (non annullati); interventi che rispondono a proposte accolte con un pagamento datato nel"
            " periodo.",
    source_events=SOURCE_EVENTS, dimensions=("stage",)),
    provider=funnel, tracer=funnel_trace)
