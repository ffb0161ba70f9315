"""The register replica's HTTP API: /v1/{tenant}/organisations (read only), what an operator picks a
managing body, a supplier or a signatory from."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.pagination import decode_cursor, page
from shared.http.problems import Problem

from services.budget.members import service
from services.budget.members.schemas import OrganisationListQuery, OrganisationOut, OrganisationPage

blp = Blueprint("budget_organisations", __name__, url_prefix="/v1/<tenant>/organisations",
                description="Le organizzazioni della rete dell'Ambito (e degli Ambiti accorpati che la"
                            " condividono), come le conosce il bilancio: replica del registro, dagli eventi")

# Organisations only, no people: every role of the Ambito reads it, and the Region.
READERS = (REGIONAL_ADMIN, OPERATOR, COORDINATOR, STAKEHOLDER, AUDITOR)


@blp.route("")
class Organisations(MethodView):
    @requires(*READERS)
    @blp.arguments(OrganisationListQuery, location="query")
    @blp.response(200, OrganisationPage)
    def get(self, query, tenant):
        """List the organisations: filters status, type, origin, q (name); cursor pagination."""
        after_seq = decode_cursor(query.get("after"))
        with current_platform().read(g.tenant) as conn:
            rows = service.list_organisations(conn=conn, status=query.get("status"), type=query.get("type"),
                                              origin=query.get("origin"), text=query.get("q"),
                                              after_seq=after_seq, limit=query["limit"] + 1)
        return page(rows, query["limit"])


@blp.route("/<uuid:organisation_id>")
class OrganisationById(MethodView):
    @requires(*READERS)
    @blp.response(200, OrganisationOut)
    def get(self, tenant, organisation_id):
        """One organisation of the replica."""
        try:
            with current_platform().read(g.tenant) as conn:
                return service.get_organisation(conn=conn, organisation_id=organisation_id)
        except service.OrganisationNotFound:
            raise Problem(404, "Not Found", "No such organisation in this Ambito's register replica.",
                          slug="not-found") from None
