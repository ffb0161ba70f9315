"""Answers and results HTTP API: /v1/{tenant}/questionnaires/{id}/answers, /results, /results.csv, /results.xlsx."""
from __future__ import annotations

from flask import Response, g, request
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.openapi import conflicts, problems
from shared.http.pagination import decode_cursor, page

from services.consultation.questionnaires import answers_service as service, exports
from services.consultation.shared_replicas.origins import shared_registers
from services.consultation.questionnaires.http import (CLOSED, NOT_PERMITTED, ORGANISATION, STATE, TABLE_CLOSED,
                                                       caller, run)
from services.consultation.questionnaires.schemas import (AnswerSetIn, AnswerSetOut, PageQuery, RespondentPage,
                                                          ResultsOut)

blp = Blueprint("questionnaire_answers", __name__, url_prefix="/v1/<tenant>/questionnaires/<uuid:questionnaire_id>",
                description="Risposte delle organizzazioni ai questionari, risultati ed esportazioni")

ANSWERERS = (OPERATOR, COORDINATOR, STAKEHOLDER)
RESULT_READERS = (OPERATOR, COORDINATOR, AUDITOR, REGIONAL_ADMIN)


def registers() -> frozenset:
    """The former Ambiti whose register is shared with this one (Catalogue.sharing, issue 9; none without it)."""
    return shared_registers(getattr(current_platform().catalogue, "sharing", None), tenant=g.tenant.slug)


def _file(media_type: str, schema: dict, description: str) -> dict:
    return {"200": {"description": description, "content": {media_type: {"schema": schema}},
                    "headers": {"Content-Disposition": {"description": "attachment; filename=questionario-<id>.<ext>",
                                                        "required": True, "schema": {"type": "string"}}}}}


@blp.route("/answers")
class Respondents(MethodView):
    @requires(*RESULT_READERS)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, RespondentPage)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    def get(self, query, tenant, questionnaire_id):
        """The organisations that answered (never their answers), in the order of their first answer."""
        after, who = decode_cursor(query.get("after")), caller()
        with current_platform().read(g.tenant) as conn:
            rows = run(lambda: service.respondents(conn=conn, caller=who, questionnaire_id=questionnaire_id,
                                                   after_seq=after, limit=query["limit"] + 1))
        return page(rows, query["limit"])


@blp.route("/answers/<uuid:organisation_id>")
class AnswerSet(MethodView):
    @requires(*ANSWERERS)
    @blp.response(200, AnswerSetOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(404, **problems(404, ("not-found", "no such questionnaire, or the organisation has not "
                                                         "answered it")))
    def get(self, tenant, questionnaire_id, organisation_id):
        """An organisation's answers, with ETag: its representatives; the office sees free texts only with consent."""
        who = caller()
        with current_platform().read(g.tenant) as conn:
            row = run(lambda: service.get_answer_set(conn=conn, caller=who, questionnaire_id=questionnaire_id,
                                                     organisation_id=organisation_id))
        return row, 200, {"ETag": etag(row["version"])}

    @requires(*ANSWERERS)
    @blp.arguments(AnswerSetIn)
    @blp.response(200, AnswerSetOut)
    @blp.alt_response(201, schema=AnswerSetOut, description="The organisation's first answers")
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(CLOSED, STATE, TABLE_CLOSED, *ORGANISATION))
    @blp.doc(if_match="optional")
    def put(self, body, tenant, questionnaire_id, organisation_id):
        """Answer for a member organisation (its representative, or the office with on_behalf): the whole set,
        replaced at once; If-Match required once the organisation has answered."""
        expected = required_version() if request.headers.get("If-Match") else None
        who = caller()
        with current_platform().write(g.tenant) as conn:
            row, replaced = run(lambda: service.answer(
                conn=conn, tenant=tenant, caller=who, questionnaire_id=questionnaire_id,
                organisation_id=organisation_id, expected_version=expected, shared_registers=registers(), **body))
        return {**row, "texts_withheld": False}, 200 if replaced else 201, {"ETag": etag(row["version"])}


@blp.route("/results")
class Results(MethodView):
    @requires(*RESULT_READERS)
    @blp.response(200, ResultsOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    def get(self, tenant, questionnaire_id):
        """Results per question: option counts, scale distribution and mean, number figures, free texts
        (named only with the organisation's consent)."""
        who = caller()
        with current_platform().read(g.tenant) as conn:
            q, results = run(lambda: service.get_results(conn=conn, caller=who, questionnaire_id=questionnaire_id))
        return {"questionnaire_id": q["id"], "title": q["title"], "status": q["status"], **results}


def _export(questionnaire_id, fmt: str) -> Response:
    who = caller()
    with current_platform().read(g.tenant) as conn:
        q, results = run(lambda: service.get_results(conn=conn, caller=who, questionnaire_id=questionnaire_id))
    table = exports.rows(results)
    body = (exports.to_csv(table) if fmt == "csv"
            else exports.to_xlsx(table, title=f"Questionario: {q['title']}", respondents=results["respondents"]))
    response = Response(body, content_type=exports.CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="questionario-{questionnaire_id}.{fmt}"'
    return response


@blp.route("/results.csv")
class ResultsCsv(MethodView):
    @requires(*RESULT_READERS)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.doc(responses=_file("text/csv", {"type": "string"}, "I risultati in CSV (separatore ';', UTF-8 con BOM)"))
    def get(self, tenant, questionnaire_id):
        """The results as CSV, in Italian (free texts named only with consent)."""
        return _export(questionnaire_id, "csv")


@blp.route("/results.xlsx")
class ResultsXlsx(MethodView):
    @requires(*RESULT_READERS)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.doc(responses=_file(exports.CONTENT_TYPES["xlsx"], {"type": "string", "format": "binary"},
                             "I risultati in XLSX"))
    def get(self, tenant, questionnaire_id):
        """The results as an Excel workbook, in Italian (free texts named only with consent)."""
        return _export(questionnaire_id, "xlsx")
