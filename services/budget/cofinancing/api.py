"""Co-financing HTTP API: /v1/{tenant}/interventions/{id}/cofinancing[/{year}]."""
from __future__ import annotations

from flask import g, request
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import OPERATOR, ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version, stale
from shared.http.openapi import conflicts
from shared.http.problems import Problem, invalid

from services.budget.allocations import domain as allocation_domain
from services.budget.allocations.service import InterventionNotFound
from services.budget.cofinancing import service
from services.budget.cofinancing.schemas import CofinancingIn, CofinancingList, CofinancingOut
from services.budget.plans.editable import PlanNotEditable, PlanNotFound

blp = Blueprint("cofinancing", __name__, url_prefix="/v1/<tenant>/interventions/<uuid:intervention_id>/cofinancing",
                description="Cofinanziamento dei comuni, ripartito per popolazione")


def run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except (InterventionNotFound, service.CofinancingNotFound, PlanNotFound):
        raise Problem(404, "Not Found", "No such record in this Ambito.", slug="not-found") from None
    except service.StaleCofinancing as exc:
        raise stale(exc.current_version) from None
    except PlanNotEditable as exc:
        raise Problem(409, "Conflict", str(exc), slug="plan-not-editable", state=exc.state) from None
    except allocation_domain.InvalidField as exc:
        raise invalid((exc.field, exc.message)) from None
    except service.TerritoryMissing as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code, **exc.extra) from None


def _year(text: str) -> int:
    """The year in the URL (a string in the route, so that any path reaches authorisation first)."""
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise Problem(404, "Not Found", "No such year.", slug="not-found")
    return int(text)


@blp.route("")
class CofinancingYears(MethodView):
    @requires(*ROLES)
    @blp.response(200, CofinancingList)
    def get(self, tenant, intervention_id):
        """The intervention's co-financing, every year, with each comune's share."""
        with current_platform().read(g.tenant) as conn:
            return {"items": run(lambda: service.list_cofinancing(conn=conn, intervention_id=intervention_id))}


@blp.route("/<year>")
class CofinancingYear(MethodView):
    @requires(*ROLES)
    @blp.response(200, CofinancingOut)
    def get(self, tenant, intervention_id, year):
        """One year's co-financing with each comune's share and the population used, with ETag."""
        year = _year(year)
        with current_platform().read(g.tenant) as conn:
            row = run(lambda: service.get_cofinancing(conn=conn, intervention_id=intervention_id, year=year))
        return row, 200, {"ETag": etag(row["version"])}

    @requires(OPERATOR)
    @blp.arguments(CofinancingIn)
    @blp.response(200, CofinancingOut)
    @blp.alt_response(201, schema=CofinancingOut, description="The year's first co-financing")
    @blp.alt_response(409, **conflicts(
        ("plan-not-editable", "the plan's current version is adopted or further on: open a new version"),
        ("no-territory-profile", "the Ambito's profile has not reached the budget service yet"),
        ("comune-not-in-profile", "a comune the intervention serves is not in the Ambito's profile (`comuni`)"),
        ("no-population", "the comuni to split among have no inhabitants")))
    @blp.doc(if_match="optional")
    def put(self, body, tenant, intervention_id, year):
        """Set the comuni's co-financing of the year, split by population to the cent: the Ufficio di Piano;
        If-Match required once the year has one."""
        year = _year(year)
        expected = required_version() if request.headers.get("If-Match") else None
        try:
            with current_platform().write(g.tenant) as conn:
                row, replaced = run(lambda: service.set_cofinancing(
                    conn=conn, tenant=tenant, intervention_id=intervention_id, year=year, total=body["total"],
                    expected_version=expected, by=g.principal.subject))
        except service.VersionRequired:
            required_version()   # no If-Match was sent: this raises the platform's 428
            raise
        return row, 200 if replaced else 201, {"ETag": etag(row["version"])}
