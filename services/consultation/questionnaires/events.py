"""Payloads of the questionnaire events: ids and counts only.

No question or answer text, no title, no names, no accounts: an answer may name people, and what an
organisation answered is the office's to publish (results), not the event stream's. `ce_subject` is
the questionnaire id for every type, so a questionnaire's answers and its closure keep their order.
"""
from __future__ import annotations

from collections import Counter

from shared.events.envelope import CloudEvent, new_event

from services.consultation import SERVICE

CREATED = "it.pdz.consultation.questionnaire.created.v1"
UPDATED = "it.pdz.consultation.questionnaire.updated.v1"
OPENED = "it.pdz.consultation.questionnaire.opened.v1"
CLOSED = "it.pdz.consultation.questionnaire.closed.v1"
ANSWERED = "it.pdz.consultation.questionnaire.answered.v1"


def _time(value) -> str | None:
    return value.isoformat() if value is not None else None


def _base(q: dict) -> dict:
    kinds = Counter(question["kind"] for question in q["questions"])
    return {"questionnaire_id": str(q["id"]), "table_id": str(q["table_id"]),
            "session_id": str(q["session_id"]) if q["session_id"] else None, "status": q["status"],
            "questions_count": len(q["questions"]), "questions_by_kind": dict(sorted(kinds.items())),
            "version": q["version"]}


def _event(type_: str, tenant: str, q: dict, data: dict) -> CloudEvent:
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(q["id"]), data=data)


def created(*, tenant: str, questionnaire: dict) -> CloudEvent:
    return _event(CREATED, tenant, questionnaire, {**_base(questionnaire),
                                                   "created_at": _time(questionnaire["created_at"])})


def updated(*, tenant: str, questionnaire: dict, changed: list[str]) -> CloudEvent:
    return _event(UPDATED, tenant, questionnaire, {**_base(questionnaire), "changed": changed,
                                                   "updated_at": _time(questionnaire["updated_at"])})


def opened(*, tenant: str, questionnaire: dict) -> CloudEvent:
    return _event(OPENED, tenant, questionnaire, {**_base(questionnaire),
                                                  "opened_at": _time(questionnaire["opened_at"]),
                                                  "closes_at": _time(questionnaire["closes_at"])})


def closed(*, tenant: str, questionnaire: dict, answer_sets_count: int) -> CloudEvent:
    return _event(CLOSED, tenant, questionnaire, {**_base(questionnaire),
                                                  "closed_at": _time(questionnaire["closed_at"]),
                                                  "answer_sets_count": answer_sets_count})


def answered(*, tenant: str, questionnaire: dict, answer_set: dict, replaced: bool,
             answer_sets_count: int) -> CloudEvent:
    """An organisation answered (or replaced its answers): which organisation, how many answers, never what."""
    return _event(ANSWERED, tenant, questionnaire, {
        "questionnaire_id": str(questionnaire["id"]), "table_id": str(questionnaire["table_id"]),
        "session_id": str(questionnaire["session_id"]) if questionnaire["session_id"] else None,
        "answer_set_id": str(answer_set["id"]), "organisation_id": str(answer_set["organisation_id"]),
        "on_behalf": answer_set["on_behalf"], "answered_by_role": answer_set["answered_by_role"],
        "replaced": replaced, "answers_count": len(answer_set["answers"]),
        "answer_sets_count": answer_sets_count, "version": answer_set["version"],
        "answered_at": _time(answer_set["updated_at"])})
