"""Allocations HTTP API: /v1/{tenant}/interventions/{id}/allocations, /allocations, /fund-years/{fund}/{year}/…"""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import OPERATOR, ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems
from shared.http.pagination import decode_cursor, page
from shared.http.problems import Problem, invalid

from services.budget.allocations import domain, residui, service
from services.budget.allocations.schemas import (AllocationIn, AllocationListQuery, AllocationOut, AllocationPage,
                                                 AllocationPatch, FundYearOut, InterventionAllocationQuery)
from services.budget.plans.editable import PlanNotEditable, PlanNotFound
from services.budget.reference import reference

blp = Blueprint("allocations", __name__, url_prefix="/v1/<tenant>",
                description="Assegnazioni dei fondi agli interventi per anno, chiusura dell'anno e residui")

PLAN = ("plan-not-editable", "the plan's current version is adopted or further on: open a new version")
EXHAUSTED = ("fund-exhausted", "the fund-year has not that much left (members fund, year, available)")
CLOSED = ("fund-year-closed", "the fund-year is closed: its allocations no longer change")
EARMARK = ("earmark-violation", "the fund may not pay for this intervention (members fund, rule)")


def _view(row: dict) -> dict:
    return {**row, "open": row["amount"] - row["committed"] - row["carried"]}


def _answer(row: dict, status: int = 200):
    return _view(row), status, {"ETag": etag(row["version"])}


def _page(rows: list[dict], limit: int) -> dict:
    result = page(rows, limit)
    result["items"] = [_view(r) for r in result["items"]]
    return result


def run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except (service.InterventionNotFound, service.AllocationNotFound, residui.FundYearNotFound, PlanNotFound):
        raise Problem(404, "Not Found", "No such record in this Ambito.", slug="not-found") from None
    except service.StaleAllocation as exc:
        raise stale(exc.current_version) from None
    except PlanNotEditable as exc:
        raise Problem(409, "Conflict", str(exc), slug="plan-not-editable", state=exc.state) from None
    except domain.InvalidField as exc:
        raise invalid((exc.field, exc.message)) from None
    except domain.AllocationRefused as exc:
        title = "Unprocessable Content" if exc.status == 422 else "Conflict"
        raise Problem(exc.status, title, str(exc), slug=exc.code, **exc.extra) from None


def _year(text: str) -> int:
    """The year of a fund-year URL (a string in the route, so that any path reaches authorisation first)."""
    if not (len(text) == 4 and text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100):
        raise Problem(404, "Not Found", "No such fund-year in this Ambito.", slug="not-found")
    return int(text)


def _fund(code: str):
    fund = reference().funds.get(code)
    if fund is None:
        raise invalid(("fund", f"no fund {code} in the reference data (GET the funds for their codes)"))
    return fund


@blp.route("/interventions/<uuid:intervention_id>/allocations")
class InterventionAllocations(MethodView):
    @requires(*ROLES)
    @blp.arguments(InterventionAllocationQuery, location="query")
    @blp.response(200, AllocationPage)
    def get(self, query, tenant, intervention_id):
        """The intervention's allocations (every fund and year, or one year), cursor pagination."""
        with current_platform().read(g.tenant) as conn:
            rows = run(lambda: service.list_allocations(
                conn=conn, intervention_id=intervention_id, year=query.get("year"),
                after_seq=decode_cursor(query.get("after")), limit=query["limit"] + 1))
        return _page(rows, query["limit"])

    @requires(OPERATOR)
    @idempotent
    @blp.arguments(AllocationIn)
    @blp.response(201, AllocationOut)
    @blp.alt_response(409, **conflicts(PLAN, EXHAUSTED, CLOSED,
                                       ("allocation-exists", "the intervention has this fund's allocation for the "
                                                             "year already: change its amount"),
                                       ("intervention-cancelled", "the intervention is cancelled")))
    @blp.alt_response(422, **problems(422, EARMARK))
    def post(self, body, tenant, intervention_id):
        """Allocate an amount of a fund's year to the intervention: the Ufficio di Piano (Idempotency-Key)."""
        fund = _fund(body["fund"])
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.make_allocation(
                conn=conn, tenant=tenant, intervention_id=intervention_id, fund=fund, year=body["year"],
                amount=body["amount"], by=g.principal.subject, region=g.tenant.region)), 201)


@blp.route("/allocations")
class Allocations(MethodView):
    @requires(*ROLES)
    @blp.arguments(AllocationListQuery, location="query")
    @blp.response(200, AllocationPage)
    def get(self, query, tenant):
        """Allocations by fund and year (and/or intervention), cursor pagination: what a fund-year pays for."""
        with current_platform().read(g.tenant) as conn:
            rows = run(lambda: service.list_allocations(
                conn=conn, intervention_id=query.get("intervention_id"), fund=query.get("fund"),
                year=query.get("year"), after_seq=decode_cursor(query.get("after")), limit=query["limit"] + 1))
        return _page(rows, query["limit"])


@blp.route("/allocations/<uuid:allocation_id>")
class AllocationById(MethodView):
    @requires(*ROLES)
    @blp.response(200, AllocationOut)
    def get(self, tenant, allocation_id):
        """One allocation, with ETag."""
        with current_platform().read(g.tenant) as conn:
            return _answer(run(lambda: service.get_allocation(conn=conn, allocation_id=allocation_id)))

    @requires(OPERATOR)
    @blp.arguments(AllocationPatch)
    @blp.response(200, AllocationOut)
    @blp.alt_response(409, **conflicts(PLAN, EXHAUSTED, CLOSED,
                                       ("below-committed", "the new amount is below what is already committed")))
    @blp.alt_response(422, **problems(422, EARMARK))
    def patch(self, body, tenant, allocation_id):
        """Change the amount (If-Match): not below the committed part; a raise needs the fund's money."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.change_allocation(
                conn=conn, tenant=tenant, allocation_id=allocation_id, version=version, amount=body["amount"],
                funds=reference().funds, region=g.tenant.region)))

    @requires(OPERATOR)
    @blp.response(204)
    @blp.alt_response(409, **conflicts(PLAN, CLOSED, ("below-committed", "part of the allocation is committed: "
                                                                         "lower it to the committed amount instead")))
    @blp.doc(etag=False)
    def delete(self, tenant, allocation_id):
        """Release the allocation (If-Match): its amount goes back to the fund-year; only if nothing is committed."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            run(lambda: service.release_allocation(conn=conn, tenant=tenant, allocation_id=allocation_id,
                                                   version=version))
        return None


@blp.route("/fund-years/<fund>/<year>/close")
class CloseFundYear(MethodView):
    @requires(OPERATOR)
    @blp.response(200, FundYearOut)
    @blp.alt_response(409, **conflicts(("fund-year-closed", "the fund-year was already closed"),
                                       ("previous-year-open", "the year before is still open: close it first")))
    def post(self, tenant, fund, year):
        """Close the fund-year: what was not committed is carried to year + 1 as residui, with its origin."""
        year = _year(year)
        with current_platform().write(g.tenant) as conn:
            return run(lambda: residui.close_fund_year(conn=conn, tenant=tenant, fund=fund, year=year,
                                                       by=g.principal.subject))


@blp.route("/fund-years/<fund>/<year>/residui")
class FundYearResidui(MethodView):
    @requires(*ROLES)
    @blp.response(200, FundYearOut)
    def get(self, tenant, fund, year):
        """The fund-year's ledger and, once closed, the residui it carried to year + 1 and their origin."""
        year = _year(year)
        with current_platform().read(g.tenant) as conn:
            return run(lambda: residui.get_closure(conn=conn, fund=fund, year=year))
