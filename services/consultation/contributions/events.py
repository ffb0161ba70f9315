"""Payloads of the contribution events: organisations and aggregates only, never people.

Accounts (token subjects) are not written into events: a subject may be a person's user name, so the
events say in which role a change was made (`recorded_by_role`, `changed_by_role`) and how many valuators
there are, never who. Amounts are strings with two decimals (money.format_amount), never numbers.
"""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.consultation import SERVICE
from shared.money import format_amount

NEED_RECORDED = "it.pdz.consultation.need.recorded.v1"
NEED_UPDATED = "it.pdz.consultation.need.updated.v1"
PROPOSAL_SUBMITTED = "it.pdz.consultation.proposal.submitted.v1"
PROPOSAL_UPDATED = "it.pdz.consultation.proposal.updated.v1"
PROPOSAL_EVALUATION_STARTED = "it.pdz.consultation.proposal.evaluation_started.v1"
PROPOSAL_ASSESSED = "it.pdz.consultation.proposal.assessed.v1"
PROPOSAL_ACCEPTED = "it.pdz.consultation.proposal.accepted.v1"
PROPOSAL_REJECTED = "it.pdz.consultation.proposal.rejected.v1"
PROPOSAL_MERGED = "it.pdz.consultation.proposal.merged.v1"
DECIDED = {"accepted": PROPOSAL_ACCEPTED, "rejected": PROPOSAL_REJECTED, "merged": PROPOSAL_MERGED}


def _time(value) -> str | None:
    return value.isoformat() if value is not None else None


def need_event(type_: str, *, tenant: str, need: dict, changed: list[str] | None = None,
               changed_by_role: str | None = None) -> CloudEvent:
    data = {
        "need_id": str(need["id"]), "table_id": str(need["table_id"]),
        "session_id": str(need["session_id"]) if need["session_id"] else None,
        "organisation_id": str(need["organisation_id"]), "title": need["title"],
        "description": need["description"], "area": need["area"], "target_group": need["target_group"],
        "comuni": list(need["comuni"]), "evidence": need["evidence"], "status": need["status"],
        "on_behalf": need["on_behalf"], "recorded_by_role": need["recorded_by_role"],
        "version": need["version"], "recorded_at": _time(need["created_at"]),
        "updated_at": _time(need["updated_at"]),
    }
    if changed is not None:
        data.update(changed=changed, changed_by_role=changed_by_role)
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(need["id"]), data=data)


def _base(proposal: dict) -> dict:
    return {"proposal_id": str(proposal["id"]), "table_id": str(proposal["table_id"]),
            "organisation_id": str(proposal["organisation_id"]), "title": proposal["title"],
            "status": proposal["status"], "version": proposal["version"]}


def _content(proposal: dict) -> dict:
    """What the proposal says, with the areas, target groups and comuni of the needs it answers."""
    return {"description": proposal["description"], "expected_outcome": proposal["expected_outcome"],
            "need_ids": [str(n["id"]) for n in proposal["needs"]], "areas": proposal["areas"],
            "target_groups": proposal["target_groups"], "comuni": proposal["comuni"],
            "deliverers": [str(d) for d in proposal["deliverers"]],
            "estimated_cost": format_amount(proposal["estimated_cost"]),
            "on_behalf": proposal["on_behalf"], "recorded_by_role": proposal["recorded_by_role"],
            "submitted_at": _time(proposal["created_at"])}


def proposal_event(type_: str, *, tenant: str, proposal: dict, changed: list[str] | None = None,
                   changed_by_role: str | None = None) -> CloudEvent:
    """submitted / updated: the proposal as it stands."""
    data = {**_base(proposal), **_content(proposal)}
    if changed is not None:
        data.update(changed=changed, changed_by_role=changed_by_role)
    return _event(type_, tenant, proposal, data)


def evaluation_started(*, tenant: str, proposal: dict) -> CloudEvent:
    return _event(PROPOSAL_EVALUATION_STARTED, tenant, proposal, {
        **_base(proposal), "valuators_count": len(proposal["valuators"]),
        "evaluation_started_at": _time(proposal["evaluation_started_at"])})


def assessed(*, tenant: str, proposal: dict, assessment: dict) -> CloudEvent:
    return _event(PROPOSAL_ASSESSED, tenant, proposal, {
        **_base(proposal), "feasibility": assessment["feasibility"],
        "assessed_cost": format_amount(assessment["assessed_cost"]),
        "assessments_count": len(proposal["assessments"]), "valuators_count": len(proposal["valuators"]),
        "assessed_at": _time(assessment["assessed_at"])})


def decided(*, tenant: str, proposal: dict) -> CloudEvent:
    """accepted (everything planning needs), rejected or merged, each with the reasoned answer."""
    data = {**_base(proposal), "answer": proposal["answer"], "decided_at": _time(proposal["decided_at"])}
    if proposal["status"] == "merged":
        data["merged_into"] = str(proposal["merged_into"])
    if proposal["status"] == "accepted":
        data.update(_content(proposal))
        data["needs"] = [{"need_id": str(n["id"]), "area": n["area"], "target_group": n["target_group"],
                          "comuni": list(n["comuni"])} for n in proposal["needs"]]
        data["assessments"] = [{"feasibility": a["feasibility"], "assessed_cost": format_amount(a["assessed_cost"])}
                               for a in proposal["assessments"]]
        data["merged_from"] = [str(p) for p in proposal["merged_from"]]
    return _event(DECIDED[proposal["status"]], tenant, proposal, data)


def _event(type_: str, tenant: str, proposal: dict, data: dict) -> CloudEvent:
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(proposal["id"]), data=data)
