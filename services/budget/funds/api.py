"""Fund assignments HTTP API: /v1/{tenant}/fund-assignments and /v1/{tenant}/fund-years."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import OPERATOR, ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems
from shared.http.problems import Problem, invalid
from shared.money import format_amount

from services.budget.funds import domain, service
from services.budget.funds.schemas import (AssignmentIn, AssignmentListQuery, AssignmentOut, AssignmentPage,
                                           AssignmentPatch, FundYearsOut, FundYearsQuery)

blp = Blueprint("fund-assignments", __name__, url_prefix="/v1/<tenant>",
                description="Assegnazioni dei fondi all'Ambito per anno (decreti) e quadro per fondo e anno")

DUPLICATE = ("decree-already-recorded", "this decree is already recorded for the fund and year")
CLOSED = ("fund-year-closed", "the fund-year is closed: its residui were carried to the next year")
BELOW = ("below-allocated", "the corrected amount leaves less than is already allocated (members assigned_after,"
                            " residui_in, allocated)")
UNKNOWN = ("validation-error", "no such fund in the reference data, or a regional fund of another region;"
                                " or the fund-year's total would exceed 999999999999.99")


def _answer(row: dict, status: int = 200):
    return row, status, {"ETag": etag(row["version"])}


def run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except service.AssignmentNotFound:
        raise Problem(404, "Not Found", "No such fund assignment in this Ambito.", slug="not-found") from None
    except service.StaleAssignment as exc:
        raise stale(exc.current_version) from None
    except (domain.UnknownFund, domain.FundOfAnotherRegion) as exc:
        raise invalid(("fund", str(exc))) from None
    except domain.TotalTooLarge as exc:
        raise invalid(("amount", str(exc))) from None
    except domain.DuplicateDecree as exc:
        raise Problem(409, "Conflict", str(exc), slug=DUPLICATE[0], fund=exc.fund, year=exc.year) from None
    except domain.FundYearClosed as exc:
        raise Problem(409, "Conflict", str(exc), slug=CLOSED[0], fund=exc.fund, year=exc.year) from None
    except domain.BelowAllocated as exc:
        raise Problem(409, "Conflict", str(exc), slug=BELOW[0], fund=exc.fund, year=exc.year,
                      assigned_after=format_amount(exc.assigned_after), residui_in=format_amount(exc.residui_in),
                      allocated=format_amount(exc.allocated)) from None


@blp.route("/fund-assignments")
class Assignments(MethodView):
    @requires(*ROLES)
    @blp.arguments(AssignmentListQuery, location="query")
    @blp.response(200, AssignmentPage)
    def get(self, query, tenant):
        """Assegnazioni registrate, nell'ordine di registrazione (filtri fund, year; cursore)."""
        with current_platform().read(g.tenant) as conn:
            return service.list_assignments(conn=conn, fund=query.get("fund"), year=query.get("year"),
                                            after=query.get("after"), limit=query["limit"])

    @requires(OPERATOR)
    @idempotent
    @blp.arguments(AssignmentIn)
    @blp.response(201, AssignmentOut)
    @blp.alt_response(409, **conflicts(DUPLICATE, CLOSED))
    @blp.alt_response(422, **problems(422, UNKNOWN))
    def post(self, body, tenant):
        """Registra l'importo assegnato da un fondo per un anno, con il decreto (Idempotency-Key onorata)."""
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.record_assignment(
                conn=conn, tenant=tenant, region=g.tenant.region, recorded_by=g.principal.subject, **body)), 201)


@blp.route("/fund-assignments/<uuid:assignment_id>")
class AssignmentById(MethodView):
    @requires(*ROLES)
    @blp.response(200, AssignmentOut)
    def get(self, tenant, assignment_id):
        """Un'assegnazione, con ETag."""
        with current_platform().read(g.tenant) as conn:
            return _answer(run(lambda: service.get_assignment(conn=conn, assignment_id=assignment_id)))

    @requires(OPERATOR)
    @blp.arguments(AssignmentPatch)
    @blp.response(200, AssignmentOut)
    @blp.alt_response(409, **conflicts(BELOW, DUPLICATE, CLOSED))
    @blp.alt_response(422, **problems(422, UNKNOWN))
    def patch(self, body, tenant, assignment_id):
        """Corregge importo o decreto (If-Match obbligatorio); l'assegnato del fondo-anno segue l'importo."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.correct_assignment(
                conn=conn, tenant=tenant, assignment_id=assignment_id, version=version, changes=body,
                corrected_by=g.principal.subject)))


@blp.route("/fund-years")
class FundYears(MethodView):
    @requires(*ROLES)
    @blp.arguments(FundYearsQuery, location="query")
    @blp.response(200, FundYearsOut)
    def get(self, query, tenant):
        """Per fondo e anno: assegnato, residui ricevuti, ripartito sugli interventi e disponibile."""
        with current_platform().read(g.tenant) as conn:
            return {"items": service.fund_years(conn=conn, year=query.get("year"), fund=query.get("fund"))}
