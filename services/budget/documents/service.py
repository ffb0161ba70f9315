"""The documents' use cases: which content a version shows (its snapshot, or the live tables while it is
editable), checked views of its money, and what the replicas add for the Piano."""
from __future__ import annotations

import uuid
from datetime import datetime

import psycopg

from services.budget.documents import render, store, views as fin, xlsx
from services.budget.documents.labels import SOURCES, label
from services.budget.plans import domain as plan_domain, service as plans
from services.budget.reference import reference


def version_content(*, conn: psycopg.Connection, plan_id: uuid.UUID, number: int) -> dict:
    """The plan, the version and its content: the frozen snapshot, or the live one while the version is editable."""
    with conn.transaction():
        plan = plans.get_plan(conn=conn, plan_id=plan_id)
        version = plans.get_version(conn=conn, plan_id=plan_id, number=number)
        live = version["snapshot"] is None or (number == plan["current_version"]
                                               and version["state"] in plan_domain.EDITABLE_STATES)
        snapshot = plans.live_snapshot(conn, plan, version) if live else version["snapshot"]
    return {"plan": plan, "version": version, "snapshot": snapshot, "live": live}


def checked_views(snapshot: dict, *, area_names: dict) -> fin.Views:
    """The financial views of a snapshot, refused (TotalsMismatch) unless they reconcile with its totals."""
    funds = reference().funds
    result = fin.build(snapshot, area_names=area_names,
                       fund_names={code: f.name for code, f in funds.items()})
    fin.check(result, snapshot["totals"])
    return result


def financial_tables(*, conn: psycopg.Connection, plan_id: uuid.UUID, number: int, ambito: str, area_names: dict,
                     generated_at: datetime) -> tuple[dict, bytes]:
    """The version's financial tables as XLSX bytes (with the content they were built from)."""
    content = version_content(conn=conn, plan_id=plan_id, number=number)
    ref = reference()
    data = xlsx.workbook(checked_views(content["snapshot"], area_names=area_names), ambito=ambito,
                         plan=content["plan"], version=content["version"], live=content["live"],
                         area_names=area_names, generated_at=generated_at,
                         fund_sources={c: label(SOURCES, f.source) for c, f in ref.funds.items()},
                         leps_names={c: item.name for c, item in ref.leps.items()})
    return content, data


def piano_html(*, conn: psycopg.Connection, tenant: str, plan_id: uuid.UUID, number: int, ambito: str,
               region_name: str | None, area_names: dict, generated_at: datetime) -> tuple[dict, str]:
    """The Piano Sociale di Zona of the version as HTML, from the plan and the replicas."""
    content = version_content(conn=conn, plan_id=plan_id, number=number)
    snapshot, plan = content["snapshot"], content["plan"]
    checked = checked_views(snapshot, area_names=area_names)
    with conn.transaction():
        needs, needs_count = store.needs(conn)
        context = {
            "territory": store.territory(conn, origin=tenant),
            "tables": store.tables(conn), "needs": needs, "needs_count": needs_count,
            "proposals": store.proposals(conn),
            "milestones": store.milestones(conn, origin=tenant, first_year=plan["first_year"],
                                           last_year=plan["last_year"]),
            "organisations": store.organisation_names(
                conn, [e["managing_body"] for e in snapshot["interventions"] if e.get("managing_body")]),
        }
    ref = reference()
    html = render.piano_html(
        ambito=ambito, region_name=region_name, tenant=tenant, plan=plan, version=content["version"],
        live=content["live"], snapshot=snapshot, views=checked, area_names=area_names,
        fund_names={c: f.name for c, f in ref.funds.items()}, leps_names={c: item.name for c, item in ref.leps.items()},
        generated_at=generated_at, **context)
    return content, html
