"""Plans HTTP API: /v1/{tenant}/plans, their versions, history and differences."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, REGIONAL_REVIEWER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.pagination import decode_cursor, page
from shared.http.problems import Problem, invalid

from services.budget.plans import domain, service, transitions
from services.budget.plans.editable import PlanNotFound
from services.budget.plans.schemas import (DiffOut, DiffQuery, HistoryPage, HistoryQuery, PlanIn, PlanListQuery, PlanOut,
                                           PlanPage, VersionDetail, VersionIn, VersionList, VersionOut)

blp = Blueprint("plans", __name__, url_prefix="/v1/<tenant>/plans",
                description="Piano Sociale di Zona: il piano triennale, i suoi aggiornamenti annuali e la loro approvazione")

# The Region's reviewer reads the plans it reviews; stakeholders see the plan once public elsewhere.
READERS = (OPERATOR, COORDINATOR, AUDITOR, REGIONAL_ADMIN, REGIONAL_REVIEWER)
TRANSITION = ("invalid-transition", "the version's state does not allow the action (the problem's "
              "`current_state` and `allowed` say which would), or the version is not the current one")
REVOKED = ("organisation-revoked", "a signatory came from a former Ambito's register that is no longer shared "
                                  "with this one")
DUPLICATE = ("duplicate-plan", "a plan already covers a year of this triennium")


def answer(plan: dict, status: int = 200):
    return plan, status, {"ETag": etag(plan["version"])}


def run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except (PlanNotFound, service.VersionNotFound):
        raise Problem(404, "Not Found", "No such plan or version in this Ambito.", slug="not-found") from None
    except service.StalePlan as exc:
        raise stale(exc.current_version) from None
    except domain.InvalidTransition as exc:
        raise Problem(409, "Conflict", str(exc), slug="invalid-transition", current_state=exc.state,
                      allowed=exc.allowed) from None
    except service.DuplicatePlan as exc:
        raise Problem(409, "Conflict", str(exc), slug="duplicate-plan", field="first_year") from None
    except service.BadReferenceYear as exc:
        raise invalid(("reference_year", str(exc))) from None
    except transitions.InvalidAct as exc:
        raise invalid(*exc.errors) from None
    except transitions.OrganisationRevoked as exc:
        raise Problem(409, "Conflict", str(exc), slug="organisation-revoked") from None


@blp.route("")
class Plans(MethodView):
    @requires(*READERS)
    @blp.arguments(PlanListQuery, location="query")
    @blp.response(200, PlanPage)
    def get(self, query, tenant):
        """List the Ambito's plans (one per triennium), each with its current version and state."""
        after = decode_cursor(query.get("after"))
        with current_platform().read(g.tenant) as conn:
            rows = service.list_plans(conn=conn, year=query.get("year"), after_seq=after, limit=query["limit"] + 1)
        return page(rows, query["limit"])

    @requires(OPERATOR)
    @idempotent
    @blp.arguments(PlanIn)
    @blp.response(201, PlanOut)
    @blp.alt_response(409, **conflicts(DUPLICATE))
    def post(self, body, tenant):
        """Create the plan of a triennium with its version 1 (triennial, draft): the Ufficio di Piano."""
        by = g.principal.subject
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.create_plan(conn=conn, tenant=tenant, first_year=body["first_year"],
                                                          title=body.get("title"), by=by)), 201)


@blp.route("/<uuid:plan_id>")
class PlanById(MethodView):
    @requires(*READERS)
    @blp.response(200, PlanOut)
    def get(self, tenant, plan_id):
        """One plan, with ETag: its current version, state, the actions allowed now, the version in force."""
        with current_platform().read(g.tenant) as conn:
            return answer(run(lambda: service.get_plan(conn=conn, plan_id=plan_id)))


@blp.route("/<uuid:plan_id>/versions")
class Versions(MethodView):
    @requires(*READERS)
    @blp.response(200, VersionList)
    def get(self, tenant, plan_id):
        """The plan's versions, oldest first (without snapshots)."""
        with current_platform().read(g.tenant) as conn:
            return {"items": run(lambda: service.list_versions(conn=conn, plan_id=plan_id))}

    @requires(OPERATOR)
    @idempotent
    @blp.arguments(VersionIn)
    @blp.response(201, VersionOut)
    @blp.alt_response(409, **conflicts(TRANSITION))
    def post(self, body, tenant, plan_id):
        """Open the yearly update of `reference_year` (version n+1, draft) once the current one is signed."""
        by = g.principal.subject
        with current_platform().write(g.tenant) as conn:
            return run(lambda: service.open_version(conn=conn, tenant=tenant, plan_id=plan_id,
                                                    reference_year=body["reference_year"], by=by)), 201


@blp.route("/<uuid:plan_id>/versions/<int:number>")
class VersionByNumber(MethodView):
    @requires(*READERS)
    @blp.response(200, VersionDetail)
    def get(self, tenant, plan_id, number):
        """One version with its snapshot (null until adopted)."""
        with current_platform().read(g.tenant) as conn:
            return run(lambda: service.get_version(conn=conn, plan_id=plan_id, number=number))


@blp.route("/<uuid:plan_id>/history")
class History(MethodView):
    @requires(*READERS)
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, HistoryPage)
    def get(self, query, tenant, plan_id):
        """Who moved which version from which state to which, and when (cursor pagination, oldest first)."""
        after = decode_cursor(query.get("after"))
        with current_platform().read(g.tenant) as conn:
            rows = run(lambda: service.history(conn=conn, plan_id=plan_id, number=query.get("number"),
                                               after_seq=after, limit=query["limit"] + 1))
        return page(rows, query["limit"])


@blp.route("/<uuid:plan_id>/differences")
class Differences(MethodView):
    @requires(*READERS)
    @blp.arguments(DiffQuery, location="query")
    @blp.response(200, DiffOut)
    def get(self, query, tenant, plan_id):
        """The differences from version `from` to version `to`, line by line, with totals before and after."""
        with current_platform().read(g.tenant) as conn:
            return run(lambda: service.compared(conn=conn, plan_id=plan_id, a=query["from"], b=query["to"]))
