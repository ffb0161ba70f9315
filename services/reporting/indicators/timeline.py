"""Progress of the cronoprogramma (issue 11): milestones due in the period and how they ended.

Flows over the milestones whose planned end falls inside the period (its days in Italy), not cancelled:
- cronoprogramma_tappe_in_scadenza: all of them;
- cronoprogramma_concluse_in_tempo: done, actual end on or before the planned end;
- cronoprogramma_concluse_in_ritardo: done, actual end after the planned end;
- cronoprogramma_tappe_in_ritardo: still to finish (planned or in progress) and today (Europe/Rome) is
  after the planned end: consultation's own rule of lateness (timeline/domain.py), so the figure of a
  period changes as days pass and milestones are closed.
Read from migration 006 (consultation_milestone_facts). Tracers give the milestones counted, ordered by
tenant and id (cursor `<tenant>/<id>`).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import psycopg
from psycopg.rows import tuple_row

from services.reporting.indicators.model import ROME, Definition, Figure, Period, Source, register

ONE = Decimal(1)
SOURCE_EVENTS = ("it.pdz.consultation.milestone.planned.v1", "it.pdz.consultation.milestone.updated.v1")
_DUE = ("tenant = ANY(%(tenants)s) AND status <> 'cancelled'"
        " AND planned_end >= %(first_day)s AND planned_end <= %(last_day)s")
# code -> (name, formula, condition on top of being due in the period)
INDICATORS = {
    "cronoprogramma_tappe_in_scadenza": (
        "Tappe del cronoprogramma in scadenza nel periodo",
        "Tappe non annullate la cui fine prevista cade nel periodo.", "true"),
    "cronoprogramma_concluse_in_tempo": (
        "Tappe in scadenza concluse in tempo",
        "Tappe in scadenza nel periodo, concluse con fine effettiva entro la fine prevista.",
        "status = 'done' AND COALESCE(actual_end, planned_end) <= planned_end"),
    "cronoprogramma_concluse_in_ritardo": (
        "Tappe in scadenza concluse in ritardo",
        "Tappe in scadenza nel periodo, concluse con fine effettiva dopo la fine prevista.",
        "status = 'done' AND actual_end > planned_end"),
    "cronoprogramma_tappe_in_ritardo": (
        "Tappe in scadenza non concluse e in ritardo",
        "Tappe in scadenza nel periodo ancora da concludere (programmate o in corso) la cui fine prevista"
        " è passata (oggi, ora italiana): la cifra cambia con i giorni e con le tappe concluse.",
        "status IN ('planned', 'in_progress') AND planned_end < %(today)s"),
}


def today_in_rome() -> date:
    """The calendar day it is now in Italy (as consultation computes lateness)."""
    return datetime.now(ROME).date()


def _params(tenants: list[str], period: Period) -> dict:
    return {"tenants": tenants, "first_day": period.first_day, "last_day": period.last_day,
            "today": today_in_rome()}


def _provider(code: str):
    condition = INDICATORS[code][2]

    def provide(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
        """The number of milestones due in the period that meet the indicator's condition."""
        with conn.cursor(row_factory=tuple_row) as cur:
            [(count,)] = cur.execute(f"SELECT count(*) FROM consultation_milestone_facts WHERE {_DUE}"
                                     f" AND {condition}", _params(tenants, period)).fetchall()
        return [Figure(code, period, Decimal(count))]
    provide.__name__ = code
    return provide


def _tracer(code: str):
    condition = INDICATORS[code][2]

    def trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
              after: str | None, limit: int) -> tuple[list[Source], str | None]:
        """The milestones counted."""
        tenant, record = ("", "")
        if after is not None:
            tenant, slash, record = after.partition("/")
            if not slash or not tenant or not record:
                raise ValueError(f"cursor {after!r} is not <tenant>/<id>")
        with conn.cursor(row_factory=tuple_row) as cur:
            rows = cur.execute(f"SELECT tenant, milestone_id::text FROM consultation_milestone_facts WHERE {_DUE}"
                               f" AND {condition} AND (tenant, milestone_id::text) > (%(after_tenant)s,"
                               " %(after_id)s) ORDER BY tenant, milestone_id::text LIMIT %(limit)s",
                               {**_params(tenants, period), "after_tenant": tenant, "after_id": record,
                                "limit": limit + 1}).fetchall()
        page = rows[:limit]
        sources = [Source("consultation", "milestone", mid, mtenant, ONE) for mtenant, mid in page]
        return sources, (f"{page[-1][0]}/{page[-1][1]}" if len(rows) > limit and page else None)
    return trace


for _code, (_name, _formula, _) in INDICATORS.items():
    register(Definition(code=_code, name=_name, unit="numero", kind="flow", formula=_formula,
                        source_events=SOURCE_EVENTS), provider=_provider(_code), tracer=_tracer(_code))
