"""Questionnaires HTTP API: /v1/{tenant}/questionnaires (the questionnaire itself and its life)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems
from shared.http.pagination import decode_cursor, page

from services.consultation.questionnaires import service
from services.consultation.questionnaires.http import NOT_PERMITTED, STATE, TABLE_CLOSED, caller, run
from services.consultation.questionnaires.schemas import (OpenIn, QuestionnaireIn, QuestionnaireListQuery,
                                                          QuestionnaireOut, QuestionnairePage, QuestionnairePatch)

blp = Blueprint("questionnaires", __name__, url_prefix="/v1/<tenant>/questionnaires",
                description="Questionari dei tavoli (strumenti di rilevazione): domande, apertura, chiusura")

OFFICE = (OPERATOR, COORDINATOR)


def answer(questionnaire: dict, status: int = 200):
    return questionnaire, status, {"ETag": etag(questionnaire["version"])}


def _questions(body: dict) -> dict:
    """The questions as plain dicts without the fields the client left out (the rules tell kinds apart)."""
    if "questions" in body:
        body = {**body, "questions": [{k: v for k, v in q.items() if v is not None} for q in body["questions"]]}
    return body


@blp.route("")
class Questionnaires(MethodView):
    @requires(*ROLES)
    @blp.arguments(QuestionnaireListQuery, location="query")
    @blp.response(200, QuestionnairePage)
    def get(self, query, tenant):
        """List the questionnaires (filters table, session, status as it is now); cursor pagination."""
        after = decode_cursor(query.get("after"))
        filters = {k: query.get(k) for k in ("table_id", "session_id", "status")}
        with current_platform().read(g.tenant) as conn:
            rows = service.list_questionnaires(conn=conn, filters=filters, after_seq=after, limit=query["limit"] + 1)
        return page(rows, query["limit"])

    @requires(*OFFICE)
    @idempotent
    @blp.arguments(QuestionnaireIn)
    @blp.response(201, QuestionnaireOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(TABLE_CLOSED))
    def post(self, body, tenant):
        """Create a draft questionnaire for a table or one of its sessions: the table's office; Idempotency-Key."""
        who = caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.create_questionnaire(conn=conn, tenant=tenant, caller=who,
                                                                   **_questions(body))), 201)


@blp.route("/<uuid:questionnaire_id>")
class QuestionnaireById(MethodView):
    @requires(*ROLES)
    @blp.response(200, QuestionnaireOut)
    def get(self, tenant, questionnaire_id):
        """One questionnaire with its questions, with ETag."""
        with current_platform().read(g.tenant) as conn:
            return answer(run(lambda: service.get_questionnaire(conn=conn, questionnaire_id=questionnaire_id)))

    @requires(*OFFICE)
    @blp.arguments(QuestionnairePatch(partial=True))
    @blp.response(200, QuestionnaireOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(STATE, TABLE_CLOSED))
    def patch(self, body, tenant, questionnaire_id):
        """Edit a draft: title, introduction, the questions (replaced whole); If-Match required."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.edit_questionnaire(
                conn=conn, tenant=tenant, caller=who, questionnaire_id=questionnaire_id, version=version,
                changes=_questions(body))))


@blp.route("/<uuid:questionnaire_id>/open")
class OpenQuestionnaire(MethodView):
    @requires(*OFFICE)
    @blp.arguments(OpenIn)
    @blp.response(200, QuestionnaireOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(STATE, TABLE_CLOSED))
    def post(self, body, tenant, questionnaire_id):
        """Open a draft to the table's members until closes_at (in the future); If-Match required."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.open_questionnaire(
                conn=conn, tenant=tenant, caller=who, questionnaire_id=questionnaire_id, version=version,
                closes_at=body["closes_at"])))


@blp.route("/<uuid:questionnaire_id>/close")
class CloseQuestionnaire(MethodView):
    @requires(*OFFICE)
    @blp.response(200, QuestionnaireOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(STATE, TABLE_CLOSED))
    def post(self, tenant, questionnaire_id):
        """Close an open questionnaire before its closing time: no more answers; If-Match required."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.close_questionnaire(
                conn=conn, tenant=tenant, caller=who, questionnaire_id=questionnaire_id, version=version)))
