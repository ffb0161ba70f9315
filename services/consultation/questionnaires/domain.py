"""Rules of a questionnaire's life and of who answers, pure: no I/O.

draft (questions editable) -> open (answers accepted until `closes_at`) -> closed.
An open questionnaire whose closing time has passed is closed, for readers and
writers alike, without anyone writing it (effective_status): the closing time
is what the members were told.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from services.consultation.tables import access

DRAFT, OPEN, CLOSED = "draft", "open", "closed"
STATUSES = (DRAFT, OPEN, CLOSED)
STAKEHOLDER, OPERATOR, COORDINATOR = access.STAKEHOLDER, access.OPERATOR, access.COORDINATOR


class QuestionnaireError(ValueError):
    """The questionnaire cannot do what was asked now; `code` names the problem type (409)."""

    code = "questionnaire-state"


class QuestionnaireClosed(QuestionnaireError):
    """The questionnaire is closed: it accepts no more answers."""

    code = "questionnaire-closed"

    def __init__(self):
        super().__init__(self.__doc__)


class TableClosed(QuestionnaireError):
    """The table is closed: its questionnaires change no more."""

    code = "table-closed"

    def __init__(self):
        super().__init__(self.__doc__)


class InvalidField(ValueError):
    """A value a rule beyond the schema refuses (a 422 naming `field`)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def effective_status(status: str, closes_at: datetime | None, now: datetime) -> str:
    """The status readers and writers see: an open questionnaire past its closing time is closed."""
    if status == OPEN and closes_at is not None and closes_at <= now:
        return CLOSED
    return status


def check_table_active(table: Mapping) -> None:
    if table.get("status") != "active":
        raise TableClosed()


def check_editable(status: str) -> None:
    """Questions, title and introduction change only in draft: once open, members answer what they read."""
    if status != DRAFT:
        raise QuestionnaireError("only a draft questionnaire can be edited")


def check_openable(status: str, questions: list, closes_at: datetime, now: datetime) -> None:
    if status != DRAFT:
        raise QuestionnaireError("only a draft questionnaire can be opened")
    if not questions:
        raise QuestionnaireError("a questionnaire without questions cannot be opened")
    if closes_at <= now:
        raise InvalidField("closes_at", "the closing time must be in the future")


def check_closable(status: str) -> None:
    """`status` is the effective one: only an open questionnaire is closed early by the office."""
    if status != OPEN:
        raise QuestionnaireError(f"the questionnaire is {status}, not open")


def check_accepts_answers(status: str) -> None:
    """`status` is the effective one."""
    if status == CLOSED:
        raise QuestionnaireClosed()
    if status != OPEN:
        raise QuestionnaireError("the questionnaire is not open yet")


def office_role(caller: access.Caller) -> str:
    return OPERATOR if OPERATOR in caller.roles else COORDINATOR


def answerer(caller: access.Caller, table: Mapping, members: Iterable[Mapping], organisation_id, *,
             on_behalf: bool) -> str:
    """The role in which the caller answers for the organisation, or a fresh access.NotAllowed.

    A representative answers for the organisations whose membership in force lists its account; with
    `on_behalf` the office (an operator, or this table's coordinator) records a member's answers, e.g.
    from a paper form.
    """
    members = list(members)
    if on_behalf:
        if not access.manages(caller, table):
            raise access.NotAllowed("only the Ufficio di Piano or this table's coordinator answers on behalf")
        access.ensure_acts_for(caller, members, organisation_id, on_behalf=True)
        return office_role(caller)
    access.ensure_acts_for(caller, members, organisation_id)
    return STAKEHOLDER


def reader_of_answers(caller: access.Caller, table: Mapping, members: Iterable[Mapping], organisation_id) -> str:
    """Who reads an organisation's answer set: `representative` (all of it) or `office`; else NotAllowed."""
    if organisation_id in access.acting_for(caller, members):
        return "representative"
    if access.manages(caller, table):
        return "office"
    raise access.NotAllowed("only the organisation's representatives at this table or the office read its answers")


def ensure_reads_results(caller: access.Caller, table: Mapping) -> None:
    """Results are for the table's office, the auditors and the regional admin (roles checked at the edge)."""
    if access.OPERATOR in caller.roles or "auditor" in caller.roles or "regional-admin" in caller.roles:
        return
    access.ensure_manages(caller, table)


def shows_texts(*, reader: str, may_publish_name: bool, on_behalf: bool) -> bool:
    """Whether a reader sees an answer set's free texts beside the organisation: its representatives always;
    the office only if the organisation agreed, or if the office itself recorded the set (it typed them)."""
    return reader == "representative" or may_publish_name or on_behalf
