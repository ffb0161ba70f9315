"""Exports HTTP API: /v1/{tenant}/exports/needs, proposals, rounds/{id}/results, attendance (.csv and .xlsx).

Files in Italian for the Ambito's readers (docs/consultation.md "Exports"): GET only, answered
`Cache-Control: no-store` (the platform's default: an export may be read on a shared computer).
"""
from __future__ import annotations

from flask import Response, g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.openapi import conflicts
from shared.http.problems import Problem

from services.consultation.exports import rows, service, writers
from services.consultation.exports.schemas import AttendanceQuery, NeedsQuery, ProposalsQuery, filters
from services.consultation.rounds import service as rounds_service

blp = Blueprint("consultation_exports", __name__, url_prefix="/v1/<tenant>/exports",
                description="Esportazioni CSV e XLSX in italiano: bisogni, proposte, risultati delle priorità, "
                            "presenze per tavolo")

# Needs and proposals are the organisations' contributions to a public process, readable by every role in
# the API: their files are too. Results and attendance counts likewise carry no personal data.
READERS = (OPERATOR, COORDINATOR, AUDITOR, REGIONAL_ADMIN, STAKEHOLDER)
NO_RESULTS = (("round-open", "the round is still open: it has results once it closes"),
              ("round-cancelled", "the round was cancelled: it has no results"))
PROPOSALS_ARE = "Le proposte con stato, risposta motivata e costo stimato"
RESULTS_ARE = "I risultati di un turno di priorità chiuso"
ATTENDANCE_IS = "Le presenze per tavolo, sessione e tipologia di organizzazione (solo conteggi)"
MEDIA = {"csv": ("text/csv", {"type": "string"}, "CSV (separatore ';', UTF-8 con BOM, CRLF)"),
         "xlsx": (writers.XLSX, {"type": "string", "format": "binary"}, "Cartella di lavoro Excel (XLSX)")}


def _file(fmt: str, what: str, name: str) -> dict:
    media_type, schema, description = MEDIA[fmt]
    return {"200": {"description": f"{what}: {description}", "content": {media_type: {"schema": schema}},
                    "headers": {"Content-Disposition": {"description": f"attachment; filename={name}.{fmt}",
                                                        "required": True, "schema": {"type": "string"}}}}}


def _area_names() -> dict[str, str]:
    region = current_platform().regions.get(g.tenant.region)
    return {a.code: a.name for a in region.areas} if region else {}


def _send(export: rows.Export, table: list[tuple], fmt: str, *, name: str, about: str = "") -> Response:
    title = " — ".join(part for part in (export.sheet, about, g.tenant.name) if part)
    body = writers.write(export, table, fmt=fmt, title=title)
    # content_type=, not mimetype=: Response adds "; charset=utf-8" to a text mimetype, even one that has it.
    response = Response(body, content_type=writers.CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _needs(query: dict, fmt: str) -> Response:
    with current_platform().read(g.tenant) as conn:
        table = service.needs(conn=conn, filters=filters(query), area_names=_area_names())
    return _send(rows.NEEDS, table, fmt, name=f"{rows.NEEDS.stem}-{g.tenant.slug}")


def _proposals(query: dict, fmt: str) -> Response:
    with current_platform().read(g.tenant) as conn:
        table = service.proposals(conn=conn, filters=filters(query), area_names=_area_names())
    return _send(rows.PROPOSALS, table, fmt, name=f"{rows.PROPOSALS.stem}-{g.tenant.slug}")


def _attendance(query: dict, fmt: str) -> Response:
    with current_platform().read(g.tenant) as conn:
        table = service.attendance(conn=conn, filters=filters(query))
    return _send(rows.ATTENDANCE, table, fmt, name=f"{rows.ATTENDANCE.stem}-{g.tenant.slug}")


def _results(round_id, fmt: str) -> Response:
    platform = current_platform()
    try:
        with platform.read(g.tenant) as conn:
            due = service.closure_due(conn=conn, round_id=round_id)
        if due:
            # As the rounds API does: the first reader after the closing time stores the closure (results, event).
            with platform.write(g.tenant) as conn:
                rounds_service.close_due(conn=conn, tenant=g.tenant.slug, round_id=round_id)
        with platform.read(g.tenant) as conn:
            round_, table = service.round_results(conn=conn, round_id=round_id)
    except service.RoundNotFound:
        raise Problem(404, "Not Found", "No such round in this Ambito.", slug="not-found") from None
    except service.RoundWithoutResults as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
    return _send(rows.RESULTS, table, fmt, name=f"{rows.RESULTS.stem}-{g.tenant.slug}-{round_id}",
                 about=round_["title"])


@blp.route("/needs.csv")
class NeedsCsv(MethodView):
    @requires(*READERS)
    @blp.arguments(NeedsQuery, location="query")
    @blp.doc(responses=_file("csv", "I bisogni", "bisogni-<ambito>"))
    def get(self, query, tenant):
        """The needs as CSV, in Italian (filters: table, area, target group, status, from/to)."""
        return _needs(query, "csv")


@blp.route("/needs.xlsx")
class NeedsXlsx(MethodView):
    @requires(*READERS)
    @blp.arguments(NeedsQuery, location="query")
    @blp.doc(responses=_file("xlsx", "I bisogni", "bisogni-<ambito>"))
    def get(self, query, tenant):
        """The needs as an Excel workbook, in Italian (filters as for the CSV)."""
        return _needs(query, "xlsx")


@blp.route("/proposals.csv")
class ProposalsCsv(MethodView):
    @requires(*READERS)
    @blp.arguments(ProposalsQuery, location="query")
    @blp.doc(responses=_file("csv", PROPOSALS_ARE, "proposte-<ambito>"))
    def get(self, query, tenant):
        """The proposals as CSV, in Italian, with status, reasoned answer and estimated cost (filters: table,
        area of the needs answered, status, from/to)."""
        return _proposals(query, "csv")


@blp.route("/proposals.xlsx")
class ProposalsXlsx(MethodView):
    @requires(*READERS)
    @blp.arguments(ProposalsQuery, location="query")
    @blp.doc(responses=_file("xlsx", PROPOSALS_ARE, "proposte-<ambito>"))
    def get(self, query, tenant):
        """The proposals as an Excel workbook, in Italian (the cost a number with two decimals)."""
        return _proposals(query, "xlsx")


@blp.route("/rounds/<uuid:round_id>/results.csv")
class ResultsCsv(MethodView):
    @requires(*READERS)
    @blp.alt_response(409, **conflicts(*NO_RESULTS))
    @blp.doc(responses=_file("csv", RESULTS_ARE, "risultati-priorita-<ambito>-<round_id>"))
    def get(self, tenant, round_id):
        """A closed round's results as CSV, in Italian: rank, proposal, points, organisations that gave points."""
        return _results(round_id, "csv")


@blp.route("/rounds/<uuid:round_id>/results.xlsx")
class ResultsXlsx(MethodView):
    @requires(*READERS)
    @blp.alt_response(409, **conflicts(*NO_RESULTS))
    @blp.doc(responses=_file("xlsx", RESULTS_ARE, "risultati-priorita-<ambito>-<round_id>"))
    def get(self, tenant, round_id):
        """A closed round's results as an Excel workbook, in Italian."""
        return _results(round_id, "xlsx")


@blp.route("/attendance.csv")
class AttendanceCsv(MethodView):
    @requires(*READERS)
    @blp.arguments(AttendanceQuery, location="query")
    @blp.doc(responses=_file("csv", ATTENDANCE_IS, "presenze-<ambito>"))
    def get(self, query, tenant):
        """Attendance per table, session and organisation type as CSV: counts only, no names (filters: table,
        area of the table, session status, from/to on the session's day)."""
        return _attendance(query, "csv")


@blp.route("/attendance.xlsx")
class AttendanceXlsx(MethodView):
    @requires(*READERS)
    @blp.arguments(AttendanceQuery, location="query")
    @blp.doc(responses=_file("xlsx", ATTENDANCE_IS, "presenze-<ambito>"))
    def get(self, query, tenant):
        """Attendance per table, session and organisation type as an Excel workbook: counts only, no names."""
        return _attendance(query, "xlsx")
