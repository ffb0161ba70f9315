"""The exports, assembled: read (store), classify with the reference data, map to rows (rows.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg

from services.budget.exports import rows, store
from services.budget.exports.layouts import (PNRR_CUP, POVERTY_FUNDS, POVERTY_SUMMARY, SIOSS_FLOWS, SIOSS_FUNDS,
                                             SIOSS_PROGRAMMING, SIOSS_SECTIONS, Layout)
from services.budget.reference import reference

ROME = ZoneInfo("Europe/Rome")


class NotASiossFund(LookupError):
    """The fund has no SIOSS module (only FNA, FNPS and Dopo di Noi have)."""


@dataclass(frozen=True)
class Table:
    """An export ready to be written: its layout, its rows, their totals and what it is about."""
    layout: Layout
    rows: list[dict]
    totals: dict
    about: dict


def today() -> date:
    return datetime.now(ROME).date()


def _table(layout: Layout, table: list[dict], **about) -> Table:
    return Table(layout, table, rows.totals(layout, table), about)


def sioss(conn: psycopg.Connection, *, fund: str, section: str, year: int | None, area_names: dict) -> Table:
    """A SIOSS module of one fund: programmazione, flussi-finanziari or rendicontazione."""
    if fund not in SIOSS_FUNDS:
        raise NotASiossFund(fund)
    layout = SIOSS_SECTIONS[section]
    about = {"fund": fund, "fund_name": reference().funds[fund].name, "section": section, "year": year}
    if layout is SIOSS_FLOWS:
        return _table(layout, rows.flow_rows(store.ledgers(conn, funds=[fund], year=year, as_of=None)), **about)
    nomenclature = reference().nomenclature
    allocations = store.allocations(conn, fund=fund, year=year)
    if layout is SIOSS_PROGRAMMING:
        table = rows.programming_rows(allocations, nomenclature=nomenclature, area_names=area_names)
        return _table(layout, table, **about)
    acts = store.commitment_acts(conn, [a["id"] for a in allocations])
    progress = store.latest_progress_per_year(conn, list({a["intervention_id"] for a in allocations}))
    table = rows.reporting_rows(allocations, acts=acts, progress=progress, nomenclature=nomenclature,
                                area_names=area_names)
    return _table(layout, table, **about)


def fondo_poverta(conn: psycopg.Connection, *, year: int | None, as_of: date | None) -> Table:
    """The Fondo Povertà economic-financial summary per quota and annualità, cumulative at `as_of` (today)."""
    as_of = as_of or today()
    funds = reference().funds
    ledgers = store.ledgers(conn, funds=[f for f in POVERTY_FUNDS if f in funds], year=year, as_of=as_of)
    table = rows.poverty_rows(ledgers, fund_names={c: funds[c].name for c in POVERTY_FUNDS if c in funds},
                              as_of=as_of)
    return _table(POVERTY_SUMMARY, table, year=year, as_of=as_of)


def pnrr_cup(conn: psycopg.Connection) -> Table:
    """Progress per CUP of the interventions financed by the PNRR lines of the reference data."""
    funds = reference().funds
    lines = sorted(code for code, fund in funds.items() if fund.source == "PNRR")
    projects = store.pnrr_projects(conn, funds=lines)
    latest = store.latest_progress(conn, [p["id"] for p in projects])
    for project in projects:
        project["progress"] = latest.get(project["id"])
    table = rows.pnrr_rows(projects, fund_names={c: funds[c].name for c in lines})
    return _table(PNRR_CUP, table, lines=lines)
