"""The register replica's HTTP API: /v1/{tenant}/organisations (read only)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.problems import Problem

from services.consultation.members import service
from services.consultation.members.schemas import OrganisationListQuery, OrganisationOut, OrganisationPage

blp = Blueprint("organisations", __name__, url_prefix="/v1/<tenant>/organisations",
                description="Le organizzazioni della rete dell'Ambito, come le conosce la consultazione"
                            " (replica del registro, dagli eventi)")

# Representatives read it too: they need to see who sits at the tables. Organisations only, no people.
READERS = (REGIONAL_ADMIN, OPERATOR, AUDITOR, STAKEHOLDER)


def not_found() -> Problem:
    """A fresh 404 each time: a shared instance would keep every raise's traceback alive."""
    return Problem(404, "Not Found", "No such organisation in this Ambito's register.", slug="not-found")


@blp.route("")
class Organisations(MethodView):
    @requires(*READERS)
    @blp.arguments(OrganisationListQuery, location="query")
    @blp.response(200, OrganisationPage)
    def get(self, query, tenant):
        """List the organisations: filters status, type, area, origin, q (name); cursor pagination."""
        with current_platform().read(g.tenant) as conn:
            found = service.list_organisations(conn=conn, status=query.get("status"), type=query.get("type"),
                                               area=query.get("area"), text=query.get("q"),
                                               origin=query.get("origin"), after=query.get("after"),
                                               limit=query["limit"])
        found["items"] = [service.with_participation(row, tenant=tenant) for row in found["items"]]
        return found


@blp.route("/<uuid:organisation_id>")
class OrganisationById(MethodView):
    @requires(*READERS)
    @blp.response(200, OrganisationOut)
    def get(self, tenant, organisation_id):
        """One organisation, with whether it may take part now."""
        try:
            with current_platform().read(g.tenant) as conn:
                row = service.get_organisation(conn=conn, organisation_id=organisation_id)
        except service.OrganisationNotFound:
            raise not_found() from None
        return service.with_participation(row, tenant=tenant)
