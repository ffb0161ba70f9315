"""Questionnaire use cases (create, edit, open, close, read): one transaction each, the connection passed in."""
from __future__ import annotations

import uuid
from datetime import datetime

import psycopg

from shared.outbox.store import add_event

from services.consultation.questionnaires import domain, events, questions as kinds, store
from services.consultation.tables import access
from services.consultation.tables.access import Caller

EDITABLE = ("title", "introduction", "questions")


class QuestionnaireNotFound(LookupError):
    """No questionnaire with this id in the Ambito."""


class StaleQuestionnaire(Exception):
    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def present(row: dict, now: datetime) -> dict:
    """The row as readers see it: the status it has now (closed once the closing time has passed)."""
    return {**row, "status": domain.effective_status(row["status"], row["closes_at"], now)}


def _managed_table(conn, caller: Caller, table_id, *, field: str | None = None) -> dict:
    """The table (held FOR SHARE), active, managed by the caller."""
    table = store.get_table(conn, table_id, share=True)
    if table is None:
        if field:
            raise domain.InvalidField(field, "no such table in this Ambito")
        raise QuestionnaireNotFound(table_id)
    access.ensure_manages(caller, table)
    domain.check_table_active(table)
    return table


def create_questionnaire(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID,
                         session_id: uuid.UUID | None, title: str, introduction: str, questions: list) -> dict:
    """A draft questionnaire of a table (or of one of its sessions), made by the table's office."""
    with conn.transaction():
        _managed_table(conn, caller, table_id, field="table_id")
        if session_id is not None and store.session_table(conn, session_id) != table_id:
            raise domain.InvalidField("session_id", "no such session of this table")
        row = store.insert(conn, id=uuid.uuid4(), table_id=table_id, session_id=session_id, title=title,
                           introduction=introduction, questions=kinds.check_questions(questions),
                           created_by=caller.subject)
        add_event(conn, events.created(tenant=tenant, questionnaire=row))
    return present(row, store.now(conn))


def get_questionnaire(*, conn: psycopg.Connection, questionnaire_id: uuid.UUID) -> dict:
    """One questionnaire, with the status it has now."""
    row = store.get(conn, questionnaire_id)
    if row is None:
        raise QuestionnaireNotFound(questionnaire_id)
    return present(row, store.now(conn))


def list_questionnaires(*, conn: psycopg.Connection, filters: dict, after_seq: int, limit: int) -> list[dict]:
    """Questionnaires after `after_seq` in creation order, filtered (at most `limit` rows)."""
    now = store.now(conn)
    return [present(r, now) for r in store.page(conn, after_seq=after_seq, limit=limit, **filters)]


def _locked(conn, caller: Caller, questionnaire_id, version: int) -> tuple[dict, datetime]:
    """The questionnaire held FOR UPDATE at the version the caller read, its table managed by the caller."""
    row = store.get(conn, questionnaire_id, lock="update")
    if row is None:
        raise QuestionnaireNotFound(questionnaire_id)
    if row["version"] != version:
        raise StaleQuestionnaire(row["version"])
    _managed_table(conn, caller, row["table_id"])
    return row, store.now(conn)


def edit_questionnaire(*, conn: psycopg.Connection, tenant: str, caller: Caller, questionnaire_id: uuid.UUID,
                       version: int, changes: dict) -> dict:
    """Change a draft's title, introduction or questions (the questions are replaced whole)."""
    with conn.transaction():
        row, now = _locked(conn, caller, questionnaire_id, version)
        domain.check_editable(present(row, now)["status"])
        changes = {k: v for k, v in changes.items() if k in EDITABLE}
        if "questions" in changes:
            changes["questions"] = kinds.check_questions(changes["questions"])
        changed = [k for k in EDITABLE if k in changes and changes[k] != row[k]]
        if not changed:
            return present(row, now)
        row = store.update(conn, questionnaire_id, **{k: changes[k] for k in changed})
        add_event(conn, events.updated(tenant=tenant, questionnaire=row, changed=changed))
    return present(row, now)


def open_questionnaire(*, conn: psycopg.Connection, tenant: str, caller: Caller, questionnaire_id: uuid.UUID,
                       version: int, closes_at: datetime) -> dict:
    """Open a draft to the table's members until `closes_at`."""
    with conn.transaction():
        row, now = _locked(conn, caller, questionnaire_id, version)
        domain.check_openable(present(row, now)["status"], row["questions"], closes_at, now)
        row = store.update(conn, questionnaire_id, status=domain.OPEN, opened_at=now, closes_at=closes_at)
        add_event(conn, events.opened(tenant=tenant, questionnaire=row))
    return present(row, now)


def close_questionnaire(*, conn: psycopg.Connection, tenant: str, caller: Caller, questionnaire_id: uuid.UUID,
                        version: int) -> dict:
    """Close an open questionnaire before its closing time: no more answers."""
    with conn.transaction():
        row, now = _locked(conn, caller, questionnaire_id, version)
        domain.check_closable(present(row, now)["status"])
        row = store.update(conn, questionnaire_id, status=domain.CLOSED, closed_at=now)
        add_event(conn, events.closed(tenant=tenant, questionnaire=row,
                                      answer_sets_count=store.count_answer_sets(conn, questionnaire_id)))
    return present(row, now)
