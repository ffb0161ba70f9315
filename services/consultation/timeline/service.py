"""Cronoprogramma use cases: one transaction each, the connection passed in."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.consultation.timeline import domain, events, store, template

EDITABLE = ("phase", "table_id", "title", "note", "planned_start", "planned_end", "actual_start", "actual_end",
            "status")


class MilestoneNotFound(LookupError):
    pass


class StaleMilestone(Exception):
    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def today() -> date:
    """Today in Europe/Rome, the day every lateness is measured against."""
    return domain.today_in_rome(datetime.now(timezone.utc))


def with_state(row: dict, at: date) -> dict:
    """The row as clients see it: lateness as of `at`, the phase's number and title, Italian labels."""
    late = domain.lateness(status=row["status"], planned_end=row["planned_end"], today=at)
    shown = "late" if late.late else row["status"]
    number, title = domain.PHASES[row["phase"]]
    return {**row, "year": row["plan_year"], "late": late.late, "days_late": late.days,
            "effective_status": shown, "status_label": domain.STATUS_LABELS[shown],
            "phase_number": number, "phase_title": title}


def _check_table(conn, table_id) -> None:
    if table_id is not None and not store.table_exists(conn, table_id):
        raise domain.InvalidMilestone(("table_id", "no such table in this Ambito"))


def plan_milestone(*, conn: psycopg.Connection, tenant: str, subject: str, phase: str, title: str,
                   planned_start: date, planned_end: date, year: int | None = None, table_id=None,
                   note: str = "") -> dict:
    """Add a milestone to a year's cronoprogramma (the year of its planned start unless given)."""
    domain.check_planned(planned_start, planned_end)
    year = year if year is not None else planned_start.year
    with conn.transaction():
        _check_table(conn, table_id)
        store.lock_year(conn, year)
        domain.check_year_room(store.count_year(conn, year))
        row = store.insert(conn, id=uuid.uuid4(), plan_year=year, phase=phase, table_id=table_id,
                           title=title.strip(), note=note, planned_start=planned_start, planned_end=planned_end,
                           template_key=None, created_by=subject)
        add_event(conn, events.milestone_event(events.MILESTONE_PLANNED, tenant=tenant, milestone=row))
    return with_state(row, today())


def instantiate_template(*, conn: psycopg.Connection, tenant: str, subject: str, year: int) -> tuple[int, list]:
    """Add the default template's milestones to `year`, those not there yet; (how many added, the year's)."""
    wanted = template.milestones_for(year)
    created = 0
    with conn.transaction():
        store.lock_year(conn, year)
        present = {row["template_key"] for row in store.of_year(conn, year)}
        missing = [m for m in wanted if m["template_key"] not in present]
        domain.check_year_room(store.count_year(conn, year), len(missing))
        for item in missing:
            row = store.insert(conn, id=uuid.uuid4(), table_id=None, note="", created_by=subject, **item)
            if row is not None:
                created += 1
                add_event(conn, events.milestone_event(events.MILESTONE_PLANNED, tenant=tenant, milestone=row))
        rows = store.of_year(conn, year)
    at = today()
    keys = {m["template_key"] for m in wanted}
    return created, [with_state(r, at) for r in rows if r["template_key"] in keys]


def get_milestone(*, conn: psycopg.Connection, milestone_id: uuid.UUID) -> dict:
    """One milestone, with its lateness as of today."""
    row = store.get(conn, milestone_id)
    if row is None:
        raise MilestoneNotFound(milestone_id)
    return with_state(row, today())


def list_milestones(*, conn: psycopg.Connection, after: str | None, limit: int, **filters) -> dict:
    """A page of milestones in creation order (filters: year, phase, status, table_id, late)."""
    at = today()
    rows = store.page(conn, after_seq=decode_cursor(after), limit=limit + 1, today=at, **filters)
    result = page(rows, limit)
    result["items"] = [with_state(r, at) for r in result["items"]]
    return result


def year_timeline(*, conn: psycopg.Connection, year: int) -> dict:
    """A year's cronoprogramma: every phase in order with its milestones by date, span and counts."""
    at = today()
    rows = [with_state(r, at) for r in store.of_year(conn, year)]
    phases = []
    for code, (number, title) in domain.PHASES.items():
        mine = [r for r in rows if r["phase"] == code]
        live = [r for r in mine if r["status"] != "cancelled"]
        phases.append({
            "phase": code, "number": number, "title": title, "milestones": mine,
            "planned_start": min((r["planned_start"] for r in live), default=None),
            "planned_end": max((r["planned_end"] for r in live), default=None),
            "done": sum(r["status"] == "done" for r in mine), "late": sum(r["late"] for r in mine),
        })
    return {"year": year, "today": at, "milestones": len(rows), "late": sum(r["late"] for r in rows),
            "phases": phases}


def edit_milestone(*, conn: psycopg.Connection, tenant: str, milestone_id: uuid.UUID, version: int,
                   changes: dict) -> dict:
    """Change a milestone's text, phase, table, dates or status (recording actual days)."""
    at = today()
    with conn.transaction():
        row = store.get(conn, milestone_id, for_update=True)
        if row is None:
            raise MilestoneNotFound(milestone_id)
        if row["version"] != version:
            raise StaleMilestone(row["version"])
        if "title" in changes:
            changes = {**changes, "title": changes["title"].strip()}
        merged = domain.apply_changes(row, changes, today=at)
        if merged["table_id"] != row["table_id"]:
            _check_table(conn, merged["table_id"])
        changed = {name: merged[name] for name in EDITABLE if merged[name] != row[name]}
        if changed:
            row = store.update(conn, milestone_id, changed)
            add_event(conn, events.milestone_event(events.MILESTONE_UPDATED, tenant=tenant, milestone=row,
                                                   changed=list(changed)))
    return with_state(row, at)
