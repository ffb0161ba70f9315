"""The plan's transitions: one use case, one transaction, a history row and an event per version moved."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg

from shared.outbox.store import add_event

from services.budget.plans import domain, events, store
from services.budget.plans.editable import PlanNotFound
from services.budget.plans.service import StalePlan, VersionNotFound, live_snapshot, with_actions

ROME = ZoneInfo("Europe/Rome")


class InvalidAct(ValueError):
    """An act recorded with a transition is not acceptable: `errors` names each field and why."""

    def __init__(self, *errors: tuple[str, str]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = list(errors)


class OrganisationRevoked(Exception):
    """A signatory came from a former Ambito's register that is no longer shared (409 organisation-revoked)."""


def today() -> date:
    """The day in Italy: acts are dated there."""
    return datetime.now(ROME).date()


def _check_signature(conn, *, signed_on: date, signatories: list[uuid.UUID]) -> None:
    errors = []
    if signed_on > today():
        errors.append(("signed_on", f"the accordo di programma cannot be signed after today ({today()})"))
    statuses = store.organisation_statuses(conn, signatories)
    revoked = [str(o) for o in signatories if statuses.get(o) == "revoked"]
    if revoked:   # before the other checks, as consultation's refusals read the mark first
        raise OrganisationRevoked(f"signatories {', '.join(revoked)} came from a former Ambito's register that is "
                                  "no longer shared with this one: kept for history only")
    for i, organisation_id in enumerate(signatories):
        status = statuses.get(organisation_id)
        if status is None:
            errors.append((f"signatories.{i}", f"no organisation {organisation_id} in the register"))
        elif status != "active":
            errors.append((f"signatories.{i}", f"organisation {organisation_id} is {status}, not active"))
    if errors:
        raise InvalidAct(*errors)


def _changes(conn, plan: dict, version: dict, action: str, acts: dict) -> tuple[dict, str | None, dict | None]:
    """The columns the action records, the history note, and the totals the event carries."""
    note = acts.get("note")
    if action == "adopt":
        frozen = live_snapshot(conn, plan, version)
        return {"snapshot": frozen}, note, frozen["totals"]
    if action == "approve":
        return {"approval_act": acts["approval_act"]}, note or acts["approval_act"], None
    if action == "return":
        return {"remarks": acts["remarks"]}, note or acts["remarks"], None
    if action == "sign":
        _check_signature(conn, signed_on=acts["signed_on"], signatories=acts["signatories"])
        return ({"signed_on": acts["signed_on"], "signatories": acts["signatories"]},
                note or f"accordo di programma sottoscritto il {acts['signed_on'].strftime('%d/%m/%Y')}", None)
    return {}, note, None


def _record(conn, *, tenant: str, plan_id, number: int, from_state: str, to_state: str, action: str, by: str,
            note: str | None, totals: dict | None = None) -> None:
    row = store.add_history(conn, plan_id=plan_id, number=number, from_state=from_state, to_state=to_state,
                            by_subject=by, by_role=domain.role_for(action), note=note)
    plan = store.get_plan(conn, plan_id)
    version = store.get_version(conn, plan_id, number)
    add_event(conn, events.plan_transitioned(tenant=tenant, plan=plan, version=version, action=action,
                                             from_state=from_state, to_state=to_state,
                                             by_role=domain.role_for(action), at=row["at"], totals=totals))


def transition(*, conn: psycopg.Connection, tenant: str, plan_id: uuid.UUID, number: int, version: int,
               action: str, by: str, acts: dict) -> dict:
    """Move the plan's current version by `action` (If-Match `version`); signing supersedes the one in force."""
    with conn.transaction():
        plan = store.get_plan(conn, plan_id, for_update=True)
        if plan is None:
            raise PlanNotFound(plan_id)
        target = store.get_version(conn, plan_id, number, for_update=True)
        if target is None:
            raise VersionNotFound(number)
        if plan["version"] != version:
            raise StalePlan(plan["version"])
        state = target["state"]
        if number != plan["current_version"]:
            raise domain.InvalidTransition(state=state, action=action, allowed=[], reason=(
                f"version {number} is {state} and no longer moves: the current version is "
                f"{plan['current_version']} ({plan['state']})"))
        to_state = domain.next_state(state, action)
        changes, note, totals = _changes(conn, plan, target, action, acts)
        store.update_version(conn, plan_id, number, state=to_state, **changes)
        store.bump_plan(conn, plan_id, current_version=number)
        _record(conn, tenant=tenant, plan_id=plan_id, number=number, from_state=state, to_state=to_state,
                action=action, by=by, note=note, totals=totals)
        if action == "sign":
            # The yearly update in force replaces the version it updates (at most one signed version).
            previous = store.get_version(conn, plan_id, number - 1, for_update=True) if number > 1 else None
            if previous is not None and previous["state"] == "signed":
                store.update_version(conn, plan_id, number - 1,
                                     state=domain.next_state("signed", "supersede"))
                _record(conn, tenant=tenant, plan_id=plan_id, number=number - 1, from_state="signed",
                        to_state="superseded", action="supersede", by=by,
                        note=f"sostituita dalla versione {number}")
        return with_actions(store.get_plan(conn, plan_id))
