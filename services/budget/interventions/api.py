"""Interventions HTTP API: /v1/{tenant}/plans/{plan_id}/interventions and /v1/{tenant}/interventions/{id}."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import OPERATOR, ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.pagination import decode_cursor, page

from services.budget.interventions import service
from services.budget.interventions.http import CANCELLED, DUPLICATE, NOT_EDITABLE, REVOKED, context, run
from services.budget.interventions.schemas import (InterventionIn, InterventionListQuery, InterventionOut,
                                                   InterventionPage, InterventionPatch)

blp = Blueprint("budget_interventions", __name__, url_prefix="/v1/<tenant>",
                description="Interventi del Piano: classificazione, proposte accolte a cui rispondono, "
                            "continuità con gli Ambiti accorpati")

FILTERS = ("area", "kind", "leps", "status")


def answer(intervention: dict, status: int = 200):
    return intervention, status, {"ETag": etag(intervention["version"])}


@blp.route("/plans/<uuid:plan_id>/interventions")
class Interventions(MethodView):
    @requires(*ROLES)
    @blp.arguments(InterventionListQuery, location="query")
    @blp.response(200, InterventionPage)
    def get(self, query, tenant, plan_id):
        """The plan's interventions in creation order: filters area, kind, leps (covered), status; cursor."""
        after = decode_cursor(query.get("after"))
        with current_platform().read(g.tenant) as conn:
            rows = run(lambda: service.list_interventions(conn=conn, plan_id=plan_id, after_seq=after,
                                                          filters={k: query.get(k) for k in FILTERS},
                                                          limit=query["limit"] + 1))
        return page(rows, query["limit"])

    @requires(OPERATOR)
    @idempotent
    @blp.arguments(InterventionIn)
    @blp.response(201, InterventionOut)
    @blp.alt_response(409, **conflicts(NOT_EDITABLE, DUPLICATE, REVOKED))
    def post(self, body, tenant, plan_id):
        """Add an intervention to a plan being drafted (or returned by the Region): the Ufficio di Piano;
        Idempotency-Key."""
        ctx, by = context(), g.principal.subject
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.plan_intervention(conn=conn, context=ctx, by=by, plan_id=plan_id,
                                                                values=body)), 201)


@blp.route("/interventions/<uuid:intervention_id>")
class InterventionById(MethodView):
    @requires(*ROLES)
    @blp.response(200, InterventionOut)
    def get(self, tenant, intervention_id):
        """One intervention with the proposals it answers and their needs, its link and latest progress; ETag."""
        with current_platform().read(g.tenant) as conn:
            return answer(run(lambda: service.get_intervention(conn=conn, intervention_id=intervention_id)))

    @requires(OPERATOR)
    @blp.arguments(InterventionPatch(partial=True))
    @blp.response(200, InterventionOut)
    @blp.alt_response(409, **conflicts(NOT_EDITABLE, DUPLICATE, CANCELLED, REVOKED))
    def patch(self, body, tenant, intervention_id):
        """Change an intervention (If-Match): its content while the plan is editable; status and actual dates
        (monitoring) at any time."""
        version, ctx, by = required_version(), context(), g.principal.subject
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.change_intervention(conn=conn, context=ctx, by=by,
                                                                  intervention_id=intervention_id, version=version,
                                                                  changes=body)))
