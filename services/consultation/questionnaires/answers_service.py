"""Answer sets and results: one organisation's answers (given, replaced, read), who answered, the figures."""
from __future__ import annotations

import uuid

import psycopg

from shared.outbox.store import add_event

from services.consultation.members import domain as members
from services.consultation.questionnaires import answers as rules, domain, events, results, store
from services.consultation.questionnaires.service import QuestionnaireNotFound, present
from services.consultation.tables.access import Caller


class AnswerSetNotFound(LookupError):
    """The organisation has not answered this questionnaire."""


class AnswerSetVersionRequired(Exception):
    """The organisation has answered already: replacing its answers needs the ETag read (If-Match)."""


class StaleAnswerSet(Exception):
    def __init__(self, current_version: int | None):
        super().__init__(current_version)
        self.current_version = current_version


def _questionnaire(conn, questionnaire_id, *, lock: str | None = None) -> tuple[dict, dict]:
    """The questionnaire as readers see it now, and its table."""
    row = store.get(conn, questionnaire_id, lock=lock)
    if row is None:
        raise QuestionnaireNotFound(questionnaire_id)
    table = store.get_table(conn, row["table_id"], share=lock is not None)
    return present(row, store.now(conn)), table


def _members_in_effect(conn, table_id, organisation: dict | None) -> list[dict]:
    """The table's memberships, without the organisation's if a withdrawal since it joined ended it
    (or a suspension pauses it): only a membership in effect lets its accounts act."""
    if organisation is None:
        return store.table_members(conn, table_id)
    history = store.status_history(conn, organisation["id"])
    return [m for m in store.table_members(conn, table_id)
            if m["organisation_id"] != organisation["id"] or members.membership_state(
                joined_version=m["joined_version"], history=history,
                status=organisation["status"]) == members.IN_EFFECT]


def answer(*, conn: psycopg.Connection, tenant: str, caller: Caller, questionnaire_id: uuid.UUID,
           organisation_id: uuid.UUID, answers: list, may_publish_name: bool, on_behalf: bool,
           expected_version: int | None, shared_registers=frozenset()) -> tuple[dict, bool]:
    """Give (or replace, with the ETag read) a member organisation's whole answer set; (set, replaced)."""
    with conn.transaction():
        # FOR SHARE: answers run side by side; a closure (FOR UPDATE) waits for them and they for it.
        q, table = _questionnaire(conn, questionnaire_id, lock="share")
        domain.check_table_active(table)
        domain.check_accepts_answers(q["status"])
        organisation = store.organisation(conn, organisation_id)
        # A former Ambito's organisation takes part when its register is shared with this Ambito (issue 9).
        members.ensure_may_contribute(organisation, tenant=tenant, shared_registers=shared_registers)
        role = domain.answerer(caller, table, _members_in_effect(conn, table["id"], organisation), organisation_id,
                               on_behalf=on_behalf)
        values = {"answers": rules.check_answers(q["questions"], answers), "may_publish_name": may_publish_name,
                  "on_behalf": on_behalf, "answered_by": caller.subject, "answered_by_role": role}
        existing = store.answer_set(conn, questionnaire_id, organisation_id, for_update=True)
        if existing is None:
            if expected_version is not None:
                raise StaleAnswerSet(None)
            row = store.insert_answer_set(conn, id=uuid.uuid4(), questionnaire_id=questionnaire_id,
                                          organisation_id=organisation_id, **values)
            if row is None:  # another request created it meanwhile: this one did not read it
                raise AnswerSetVersionRequired()
        else:
            if expected_version is None:
                raise AnswerSetVersionRequired()
            if expected_version != existing["version"]:
                raise StaleAnswerSet(existing["version"])
            row = store.replace_answer_set(conn, existing["id"], **values)
        add_event(conn, events.answered(tenant=tenant, questionnaire=q, answer_set=row, replaced=existing is not None,
                                        answer_sets_count=store.count_answer_sets(conn, questionnaire_id)))
    return row, existing is not None


def get_answer_set(*, conn: psycopg.Connection, caller: Caller, questionnaire_id: uuid.UUID,
                   organisation_id: uuid.UUID) -> dict:
    """The organisation's answers: whole for its representatives; for the office, free texts withheld unless the
    organisation agreed to be named with them or the office recorded them."""
    q, table = _questionnaire(conn, questionnaire_id)
    organisation = store.organisation(conn, organisation_id)
    reader = domain.reader_of_answers(caller, table, _members_in_effect(conn, table["id"], organisation),
                                      organisation_id)
    row = store.answer_set(conn, questionnaire_id, organisation_id)
    if row is None:
        raise AnswerSetNotFound(organisation_id)
    shown = domain.shows_texts(reader=reader, may_publish_name=row["may_publish_name"], on_behalf=row["on_behalf"])
    if shown:
        return {**row, "texts_withheld": False}
    return {**row, "texts_withheld": True,
            "answers": [{**a, "text": None} if "text" in a else a for a in row["answers"]]}


def respondents(*, conn: psycopg.Connection, caller: Caller, questionnaire_id: uuid.UUID, after_seq: int,
                limit: int) -> list[dict]:
    """The organisations that answered, in the order of their first answer (no answers)."""
    _q, table = _questionnaire(conn, questionnaire_id)
    domain.ensure_reads_results(caller, table)
    return store.respondents(conn, questionnaire_id, after_seq=after_seq, limit=limit)


def get_results(*, conn: psycopg.Connection, caller: Caller, questionnaire_id: uuid.UUID) -> tuple[dict, dict]:
    """The questionnaire and its results per question (free texts named only with consent)."""
    q, table = _questionnaire(conn, questionnaire_id)
    domain.ensure_reads_results(caller, table)
    return q, results.aggregate(q["questions"], store.answer_sets(conn, questionnaire_id))
