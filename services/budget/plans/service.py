"""Plan use cases: create, read, open a yearly update, compare versions; one transaction each."""
from __future__ import annotations

import uuid

import psycopg

from shared.outbox.store import add_event

from services.budget.plans import differences, domain, events, snapshot, store
from services.budget.plans.editable import PlanNotFound


class VersionNotFound(LookupError):
    """The plan has no version with this number."""


class StalePlan(Exception):
    def __init__(self, current_version: int):
        self.current_version = current_version


class DuplicatePlan(Exception):
    """A plan already covers a year of the triennium."""

    def __init__(self, existing: dict | None, first_year: int):
        self.existing = existing
        where = (f"plan {existing['id']} covers {existing['first_year']}-{existing['last_year']}" if existing
                 else "another plan covers one of these years")
        super().__init__(f"the triennium {first_year}-{first_year + 2} is taken: {where}")


class BadReferenceYear(ValueError):
    """The yearly update's reference year is not a later year of the triennium."""


def with_actions(plan: dict) -> dict:
    """The plan as clients see it: with what its current version allows now."""
    return {**plan, "allowed_actions": domain.allowed_actions(plan["state"])}


def create_plan(*, conn: psycopg.Connection, tenant: str, first_year: int, title: str | None, by: str) -> dict:
    """Create the triennium's plan and its version 1 (triennial, draft), with history and event."""
    plan_id = uuid.uuid4()
    title = (title or "").strip() or f"Piano Sociale di Zona {first_year}-{first_year + 2}"
    try:
        with conn.transaction():
            # The exclusion constraint decides races; this names the plan in the common case.
            existing = store.overlapping(conn, first_year=first_year)
            if existing is not None:
                raise DuplicatePlan(existing, first_year)
            store.insert_plan(conn, plan_id=plan_id, first_year=first_year, title=title, by=by)
            store.insert_version(conn, plan_id=plan_id, number=1, kind="triennial", reference_year=first_year)
            row = store.add_history(conn, plan_id=plan_id, number=1, from_state=None, to_state="draft",
                                    by_subject=by, by_role=domain.OPERATOR, note=None)
            plan = store.get_plan(conn, plan_id)
            add_event(conn, events.plan_created(tenant=tenant, plan=plan, at=row["at"]))
    except (psycopg.errors.ExclusionViolation, psycopg.errors.UniqueViolation):
        raise DuplicatePlan(None, first_year) from None
    return with_actions(plan)


def get_plan(*, conn: psycopg.Connection, plan_id: uuid.UUID) -> dict:
    """One plan with its current version's number and state."""
    plan = store.get_plan(conn, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    return with_actions(plan)


def list_plans(*, conn: psycopg.Connection, year: int | None, after_seq: int, limit: int) -> list[dict]:
    """A page of plans (limit + 1 rows), optionally those covering `year`."""
    return [with_actions(p) for p in store.page_plans(conn, year=year, after_seq=after_seq, limit=limit)]


def list_versions(*, conn: psycopg.Connection, plan_id: uuid.UUID) -> list[dict]:
    """The plan's versions, oldest first, without their snapshots."""
    get_plan(conn=conn, plan_id=plan_id)
    return [with_successor(v) for v in store.list_versions(conn, plan_id)]


def with_successor(version: dict) -> dict:
    return {**version, "superseded_by": version["number"] + 1 if version["state"] == "superseded" else None}


def get_version(*, conn: psycopg.Connection, plan_id: uuid.UUID, number: int) -> dict:
    """One version with its snapshot (null until adopted)."""
    version = store.get_version(conn, plan_id, number, snapshot=True)
    if version is None:
        get_plan(conn=conn, plan_id=plan_id)
        raise VersionNotFound(number)
    return with_successor(version)


def history(*, conn: psycopg.Connection, plan_id: uuid.UUID, number: int | None, after_seq: int,
            limit: int) -> list[dict]:
    """A page of the plan's history (limit + 1 rows), each row with the action it records."""
    get_plan(conn=conn, plan_id=plan_id)
    rows = store.page_history(conn, plan_id, number=number, after_seq=after_seq, limit=limit)
    return [{**r, "action": domain.action_of(r["from_state"], r["to_state"], number=r["number"])} for r in rows]


def open_version(*, conn: psycopg.Connection, tenant: str, plan_id: uuid.UUID, reference_year: int,
                 by: str) -> dict:
    """Open version n+1, the yearly update of `reference_year`, in draft: the content is editable again."""
    with conn.transaction():
        plan = store.get_plan(conn, plan_id, for_update=True)
        if plan is None:
            raise PlanNotFound(plan_id)
        domain.check_can_open_next(plan["state"], current=plan["current_version"])
        why = domain.check_reference_year(reference_year, first_year=plan["first_year"],
                                          last_year=plan["last_year"], previous=plan["reference_year"])
        if why:
            raise BadReferenceYear(why)
        number = plan["current_version"] + 1
        store.insert_version(conn, plan_id=plan_id, number=number, kind="yearly_update",
                             reference_year=reference_year)
        store.bump_plan(conn, plan_id, current_version=number)
        row = store.add_history(conn, plan_id=plan_id, number=number, from_state=None, to_state="draft",
                                by_subject=by, by_role=domain.OPERATOR, note=f"aggiornamento annuale {reference_year}")
        plan = store.get_plan(conn, plan_id)
        version = store.get_version(conn, plan_id, number)
        add_event(conn, events.plan_transitioned(tenant=tenant, plan=plan, version=version, action="open",
                                                 from_state=None, to_state="draft", by_role=domain.OPERATOR,
                                                 at=row["at"]))
    return with_successor(version)


def live_snapshot(conn: psycopg.Connection, plan: dict, version: dict) -> dict:
    """The snapshot the version would get if adopted now (its content as the tables hold it)."""
    header = {"plan_id": str(plan["id"]), "first_year": plan["first_year"], "last_year": plan["last_year"],
              "number": version["number"], "kind": version["kind"], "reference_year": version["reference_year"]}
    return snapshot.build(header=header, **store.content(conn, plan["id"]))


def compared(*, conn: psycopg.Connection, plan_id: uuid.UUID, a: int, b: int) -> dict:
    """The differences from version `a` to version `b`; a version still editable is read live."""
    with conn.transaction():
        plan = get_plan(conn=conn, plan_id=plan_id)
        sides = []
        for number in (a, b):
            version = get_version(conn=conn, plan_id=plan_id, number=number)
            live = version["snapshot"] is None or (number == plan["current_version"]
                                                   and version["state"] in domain.EDITABLE_STATES)
            sides.append((live_snapshot(conn, plan, version) if live else version["snapshot"], live))
    result = differences.diff(sides[0][0], sides[1][0])
    return {"from": {"number": a, "live": sides[0][1]}, "to": {"number": b, "live": sides[1][1]}, **result}
