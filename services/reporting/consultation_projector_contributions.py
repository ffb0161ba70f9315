"""Consultation's needs, proposals, service offers, questionnaires, rounds and milestones -> rows, pure.

Part of the consultation projector (consultation_projector.py registers these). No free text typed by
people is kept (descriptions, answers, evidence, notes): ids, areas, target groups, comuni, states,
days and counts.
"""
from __future__ import annotations

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent

from services.reporting import consultation_projector_fields as f

PREFIX = "it.pdz.consultation."
NEED_EVENTS = ("need.recorded", "need.updated", "need.snapshot")
# The events that carry a proposal whole (its content); the others carry its status only.
PROPOSAL_WHOLE = ("proposal.submitted", "proposal.updated", "proposal.snapshot", "proposal.accepted")
PROPOSAL_STATUS = ("proposal.evaluation_started", "proposal.assessed", "proposal.rejected", "proposal.merged")
OFFER_EVENTS = ("service_offer.added", "service_offer.updated", "service_offer.retired")
QUESTIONNAIRE_EVENTS = ("questionnaire.created", "questionnaire.updated", "questionnaire.opened",
                        "questionnaire.closed")
ROUND_EVENTS = ("round.opened", "round.closed", "round.cancelled")
MILESTONE_EVENTS = ("milestone.planned", "milestone.updated")


def need(event: CloudEvent) -> list:
    """A need's table, organisation, area, target group, comuni, status and day, guarded by its version."""
    data = event.data
    return [Upsert("consultation_need_facts",
                   key={"tenant": event.tenantid, "need_id": f.uuid_(data, "need_id")},
                   values={"table_id": f.uuid_(data, "table_id"), "session_id": f.optional_uuid(data, "session_id"),
                           "organisation_id": f.uuid_(data, "organisation_id"), "area": f.text(data, "area"),
                           "target_group": f.text(data, "target_group"),
                           "comuni": f.strings(data, "comuni", default=[]), "status": f.text(data, "status"),
                           "recorded_at": f.timestamp(data, "recorded_at"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]


def _proposal_status(event: CloudEvent) -> Upsert:
    """The status row of any proposal event, guarded by `version` (decided_at and merged_into when given)."""
    data = event.data
    values = {"table_id": f.uuid_(data, "table_id"), "organisation_id": f.uuid_(data, "organisation_id"),
              "status": f.text(data, "status"), "version": f.integer(data, "version", minimum=1)}
    if "decided_at" in data:
        values["decided_at"] = f.optional_timestamp(data, "decided_at")
    if "merged_into" in data:
        values["merged_into"] = f.optional_uuid(data, "merged_into")
    return Upsert("consultation_proposal_facts",
                  key={"tenant": event.tenantid, "proposal_id": f.uuid_(data, "proposal_id")},
                  values=values, newer_than="version")


def proposal_status(event: CloudEvent) -> list:
    """evaluation_started / assessed / rejected / merged: the status only."""
    return [_proposal_status(event)]


def proposal_whole(event: CloudEvent) -> list:
    """submitted / updated / snapshot / accepted: the status, and the content under its own guard.

    Two guards, so that a status event seen before an older whole one (a replay) does not keep the
    content out: `content_version` only counts the events that carry the content. The content's upsert
    names neither status nor version, so it never undoes a newer status; the status upsert comes first,
    so the row exists when the content's is applied."""
    data = event.data
    status = _proposal_status(event)
    content = Upsert("consultation_proposal_facts", key=status.key,
                     values={"table_id": status.values["table_id"],
                             "organisation_id": status.values["organisation_id"],
                             "need_ids": f.uuids(data, "need_ids", default=[]),
                             "areas": f.strings(data, "areas", default=[]),
                             "target_groups": f.strings(data, "target_groups", default=[]),
                             "comuni": f.strings(data, "comuni", default=[]),
                             "estimated_cost": f.optional_amount(data, "estimated_cost"),
                             "submitted_at": f.timestamp(data, "submitted_at"),
                             "content_version": status.values["version"]},
                     newer_than="content_version")
    return [status, content]


def offer(event: CloudEvent) -> list:
    """A service offer's organisation, area, target group, comuni, capacity and status, by its version."""
    data = event.data
    capacity = data.get("capacity")
    if capacity is not None and not isinstance(capacity, dict):
        raise ValueError("capacity must be an object with amount and unit, or null")
    return [Upsert("consultation_offer_facts",
                   key={"tenant": event.tenantid, "offer_id": f.uuid_(data, "offer_id")},
                   values={"organisation_id": f.uuid_(data, "organisation_id"), "area": f.text(data, "area"),
                           "target_group": f.text(data, "target_group"),
                           "comuni": f.strings(data, "comuni", default=[]),
                           "capacity": f.integer(capacity, "amount", minimum=1) if capacity else None,
                           "capacity_unit": f.text(capacity, "unit") if capacity else None,
                           "accredited": f.boolean(data, "accredited"), "status": f.text(data, "status"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]


def _questionnaire_key(event: CloudEvent) -> dict:
    return {"tenant": event.tenantid, "questionnaire_id": f.uuid_(event.data, "questionnaire_id")}


def questionnaire(event: CloudEvent) -> list:
    """A questionnaire's status and number of questions, by its version; closed also gives the answer sets."""
    data = event.data
    where = {"table_id": f.uuid_(data, "table_id"), "session_id": f.optional_uuid(data, "session_id")}
    rows = [Upsert("consultation_questionnaire_facts", key=_questionnaire_key(event),
                   values={**where, "status": f.text(data, "status"),
                           "questions_count": f.integer(data, "questions_count"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]
    if "answer_sets_count" in data:
        rows.append(_answer_sets(event, where))
    return rows


def _answer_sets(event: CloudEvent, where: dict) -> Upsert:
    """How many organisations answered: a count that only grows (one answer set per organisation)."""
    return Upsert("consultation_questionnaire_facts", key=_questionnaire_key(event),
                  values={**where, "answer_sets_count": f.integer(event.data, "answer_sets_count")},
                  newer_than="answer_sets_count")


def answered(event: CloudEvent) -> list:
    """An organisation answered: the count of answer sets only (never which answers)."""
    data = event.data
    return [_answer_sets(event, {"table_id": f.uuid_(data, "table_id"),
                                 "session_id": f.optional_uuid(data, "session_id")})]


def _round_key(event: CloudEvent) -> dict:
    return {"tenant": event.tenantid, "round_id": f.uuid_(event.data, "round_id")}


def _ballots(event: CloudEvent) -> Upsert:
    """How many organisations voted: a count that only grows (a replaced ballot does not change it)."""
    data = event.data
    return Upsert("consultation_round_facts", key=_round_key(event),
                  values={"table_id": f.uuid_(data, "table_id"), "ballots_count": f.integer(data, "ballots_count")},
                  newer_than="ballots_count")


def round_state(event: CloudEvent) -> list:
    """opened / closed / cancelled: the round's status (and proposals, when opened) by its version."""
    data = event.data
    values = {"table_id": f.uuid_(data, "table_id"), "status": f.text(data, "status"),
              "version": f.integer(data, "version", minimum=1)}
    rows = [Upsert("consultation_round_facts", key=_round_key(event), values=values, newer_than="version"),
            _ballots(event)]
    if "proposal_ids" in data:  # opened only: under its own guard, so that a later state seen first keeps it
        rows.append(Upsert("consultation_round_facts", key=_round_key(event),
                           values={"table_id": values["table_id"],
                                   "proposals_count": len(f.uuids(data, "proposal_ids"))},
                           newer_than="proposals_count"))
    return rows


def ballot(event: CloudEvent) -> list:
    """A ballot cast or replaced: the count only (never who voted what)."""
    return [_ballots(event)]


def milestone(event: CloudEvent) -> list:
    """A milestone of the cronoprogramma: phase, planned and actual days, status, by its version."""
    data = event.data
    return [Upsert("consultation_milestone_facts",
                   key={"tenant": event.tenantid, "milestone_id": f.uuid_(data, "milestone_id")},
                   values={"year": f.integer(data, "year", minimum=2000), "phase": f.text(data, "phase"),
                           "table_id": f.optional_uuid(data, "table_id"), "title": f.string(data, "title"),
                           "planned_start": f.day(data, "planned_start"), "planned_end": f.day(data, "planned_end"),
                           "actual_start": f.optional_day(data, "actual_start"),
                           "actual_end": f.optional_day(data, "actual_end"), "status": f.text(data, "status"),
                           "template_key": f.optional_text(data, "template_key"),
                           "version": f.integer(data, "version", minimum=1)},
                   newer_than="version")]


def _types(projector, names) -> dict:
    return {f"{PREFIX}{name}.v1": projector for name in names}


PROJECTORS = {**_types(need, NEED_EVENTS), **_types(proposal_whole, PROPOSAL_WHOLE),
              **_types(proposal_status, PROPOSAL_STATUS), **_types(offer, OFFER_EVENTS),
              **_types(questionnaire, QUESTIONNAIRE_EVENTS), f"{PREFIX}questionnaire.answered.v1": answered,
              **_types(round_state, ROUND_EVENTS), f"{PREFIX}round.ballot_cast.v1": ballot,
              **_types(milestone, MILESTONE_EVENTS)}
