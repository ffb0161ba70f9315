"""The territory's HTTP API: /v1/{tenant}/territory (read only)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.openapi import problems
from shared.http.problems import Problem

from services.budget.territory import service
from services.budget.territory.schemas import TerritoryOut, TerritoryQuery

blp = Blueprint("budget_territory", __name__, url_prefix="/v1/<tenant>",
                description="Il territorio dell'Ambito (comuni e popolazione), dal profilo del registro:"
                            " la base del cofinanziamento dei comuni")


@blp.route("/territory")
class Territory(MethodView):
    # Public bodies, places and population only: every role of the Ambito may read it, and the Region.
    @requires(REGIONAL_ADMIN, OPERATOR, COORDINATOR, STAKEHOLDER, AUDITOR)
    @blp.arguments(TerritoryQuery, location="query")
    @blp.response(200, TerritoryOut)
    @blp.alt_response(404, **problems(404, ("not-found", "the registry's profile of this Ambito (or of the"
                                                         " former Ambito named by origin) has not arrived")))
    def get(self, query, tenant):
        """The Ambito's comuni (ISTAT codes) and population, as the registry's profile last said."""
        try:
            with current_platform().read(g.tenant) as conn:
                return service.get_territory(conn=conn, tenant=tenant, origin=query.get("origin"))
        except service.NoTerritoryYet:
            raise Problem(404, "Not Found", "This territory's profile has not reached the budget service.",
                          slug="not-found") from None
