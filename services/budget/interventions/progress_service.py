"""Progress use cases: record one period, list them, apply an uploaded file all or nothing.

Recording a period is monitoring, not plan content: allowed at any time, after adoption too. The record
of the latest period gives the intervention its status; an actual start recorded becomes the
intervention's. Every record bumps the intervention's version (its ETag) and writes a
`progress_recorded` event carrying the intervention as it now stands.
"""
from __future__ import annotations

import uuid
from datetime import date

import psycopg

from shared.outbox.store import add_event

from services.budget.interventions import domain, events, progress_store, store
from services.budget.interventions.progress_domain import Period, check_record, figure_text
from services.budget.interventions.rows import ProgressRow, Refused, parse_table
from services.budget.interventions.service import InterventionNotFound, detailed
from services.budget.interventions.upload import Table
from services.budget.plans.editable import PlanNotFound


class RowsRefused(Exception):
    """Some rows of an upload were refused: nothing was applied. `rows` are the refusals, by line."""

    def __init__(self, rows: list[Refused], total: int):
        super().__init__(f"{len(rows)} of {total} rows refused")
        self.rows, self.total = rows, total


def _apply(conn, *, tenant: str, intervention: dict, plan: dict, record: ProgressRow, source: str, by: str,
           today: date) -> tuple[dict, bool, dict]:
    """Check one record against the intervention and write it; (progress row, new?, intervention after)."""
    period = record.period
    check_record(period=period, status=record.status, percentage=record.percentage,
                 actual_start=record.actual_start or intervention["actual_start"], first_year=plan["first_year"],
                 today=today)
    changes: dict = {}
    if record.actual_start is not None and record.actual_start != intervention["actual_start"]:
        changes["actual_start"] = record.actual_start
    latest = progress_store.latest_period(conn, intervention["id"])
    if (latest is None or (period.year, period.quarter) >= latest) and record.status != intervention["status"]:
        domain.check_status_change(intervention["status"], record.status)
        changes["status"] = record.status
        if record.status not in domain.ENDED and intervention["actual_end"] is not None:
            changes["actual_end"] = None
    merged = {**intervention, **changes}
    domain.check_monitoring(status=merged["status"], actual_start=merged["actual_start"],
                            actual_end=merged["actual_end"])
    row, new = progress_store.upsert(conn, intervention_id=intervention["id"], year=period.year,
                                     quarter=period.quarter, status=record.status, percentage=record.percentage,
                                     outputs={k: figure_text(v) for k, v in record.outputs.items()},
                                     actual_start=record.actual_start, note=record.note, source=source, by=by)
    after = detailed(conn, [store.update(conn, intervention["id"], changes, by=by)])[0]
    add_event(conn, events.intervention_event(events.PROGRESS_RECORDED, tenant=tenant, intervention=after,
                                              progress=row))
    return row, new, after


def record_progress(*, conn: psycopg.Connection, tenant: str, by: str, intervention_id: uuid.UUID, year: int,
                    quarter: int, status: str, percentage, outputs: dict, actual_start: date | None, note: str,
                    today: date) -> tuple[dict, bool]:
    """Record (or correct) one period's progress; (the record, whether the period is new)."""
    record = ProgressRow(0, "", Period(year, quarter), status, percentage, actual_start, note, outputs)
    with conn.transaction():
        intervention = store.get(conn, intervention_id, for_update=True)
        if intervention is None:
            raise InterventionNotFound(intervention_id)
        row, new, _after = _apply(conn, tenant=tenant, intervention=intervention,
                                  plan=store.plan(conn, intervention["plan_id"]), record=record, source="api",
                                  by=by, today=today)
    return row, new


def list_progress(*, conn: psycopg.Connection, intervention_id: uuid.UUID) -> list[dict]:
    """The intervention's records, oldest period first."""
    if store.get(conn, intervention_id) is None:
        raise InterventionNotFound(intervention_id)
    return progress_store.of(conn, intervention_id)


def _italian(exc: Exception) -> str:
    """The reason of a refusal by the intervention's own rules, for the upload's report."""
    if isinstance(exc, domain.InterventionRuleError):
        return "l'intervento è annullato e non può essere riaperto"
    if getattr(exc, "italian", None):
        return exc.italian
    return "la data di fine effettiva dell'intervento precede la data di avvio indicata"


def upload_progress(*, conn: psycopg.Connection, tenant: str, by: str, plan_id: uuid.UUID, table: Table,
                    today: date) -> dict:
    """Apply every row of the file in one transaction, or none: RowsRefused lists each refused row and why."""
    rows, refused = parse_table(table)
    applied: list[dict] = []
    with conn.transaction():
        plan = store.plan(conn, plan_id)
        if plan is None:
            raise PlanNotFound(plan_id)
        interventions = store.by_codes(conn, plan_id, sorted({r.code for r in rows}))
        for record in rows:
            intervention = interventions.get(record.code)
            if intervention is None:
                refused.append(Refused(record.line, f"nessun intervento con codice «{record.code}» in questo piano"))
                continue
            try:
                # Each row in its own savepoint: a row the rules refuse leaves the others' checks intact.
                with conn.transaction():
                    row, new, after = _apply(conn, tenant=tenant, intervention=intervention, plan=plan,
                                             record=record, source="upload", by=by, today=today)
            except (domain.InvalidField, domain.InterventionRuleError) as exc:
                refused.append(Refused(record.line, _italian(exc)))
                continue
            interventions[record.code] = {k: after[k] for k in intervention}
            applied.append({"line": record.line, "code": record.code, "intervention_id": after["id"],
                            "period": str(record.period), "created": new, "revision": row["revision"]})
        if refused:
            # Raised inside the transaction: everything the valid rows wrote is rolled back with it.
            raise RowsRefused(sorted(refused, key=lambda r: r.line), len(table.rows))
    return {"applied": len(applied), "created": sum(1 for a in applied if a["created"]),
            "replaced": sum(1 for a in applied if not a["created"]), "rows": applied}
