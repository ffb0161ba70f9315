"""Payloads of the plan events: organisations and account-free facts only (the role, never the account)."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.budget import SERVICE

PLAN_CREATED = "it.pdz.budget.plan.created.v1"
PLAN_TRANSITIONED = "it.pdz.budget.plan.transitioned.v1"


def _at(value) -> str:
    return value.isoformat()


def plan_created(*, tenant: str, plan: dict, at) -> CloudEvent:
    return new_event(type=PLAN_CREATED, service=SERVICE, tenant=tenant, aggregate_id=str(plan["id"]), data={
        "plan_id": str(plan["id"]),
        "first_year": plan["first_year"],
        "last_year": plan["last_year"],
        "title": plan["title"],
        "number": 1,
        "kind": "triennial",
        "state": "draft",
        "created_at": _at(at),
        "version": plan["version"],
    })


def plan_transitioned(*, tenant: str, plan: dict, version: dict, action: str, from_state: str | None,
                      to_state: str, by_role: str, at, totals: dict | None = None) -> CloudEvent:
    """A version moved (or was opened: `from` null): what it is now, and the acts recorded with the move."""
    data = {
        "plan_id": str(plan["id"]),
        "first_year": plan["first_year"],
        "last_year": plan["last_year"],
        "number": version["number"],
        "kind": version["kind"],
        "reference_year": version["reference_year"],
        "action": action,
        "from": from_state,
        "to": to_state,
        "by_role": by_role,
        "at": _at(at),
        "version": plan["version"],
    }
    if action == "approve":
        data["approval_act"] = version["approval_act"]
    if action == "sign":
        data["signed_on"] = version["signed_on"].isoformat()
        data["signatories"] = [str(s) for s in version["signatories"]]
    if action == "supersede":
        data["superseded_by"] = version["number"] + 1
    if totals is not None:
        data["totals"] = {k: totals[k] for k in ("allocated", "cofinancing", "total")}
    return new_event(type=PLAN_TRANSITIONED, service=SERVICE, tenant=tenant, aggregate_id=str(plan["id"]), data=data)
