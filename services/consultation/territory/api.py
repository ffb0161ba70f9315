"""The territory's HTTP API: /v1/{tenant}/territory (read only)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.openapi import problems
from shared.http.problems import Problem

from services.consultation.territory import service
from services.consultation.territory.schemas import TerritoryOut

blp = Blueprint("territory", __name__, url_prefix="/v1/<tenant>",
                description="Il territorio dell'Ambito (comuni e popolazione), dal profilo del registro")


@blp.route("/territory")
class Territory(MethodView):
    # Public bodies, places and population only: every role of the Ambito may read it.
    @requires(*ROLES)
    @blp.response(200, TerritoryOut)
    @blp.alt_response(404, **problems(404, ("not-found", "the registry's profile of this Ambito has not arrived yet")))
    def get(self, tenant):
        """The Ambito's comuni (ISTAT codes) and population, as the registry's profile last said."""
        try:
            with current_platform().read(g.tenant) as conn:
                return service.get_territory(conn=conn, tenant=tenant)
        except service.NoTerritoryYet:
            raise Problem(404, "Not Found", "This Ambito's profile has not reached the consultation yet.",
                          slug="not-found") from None
