"""The accepted proposals' HTTP API: /v1/{tenant}/accepted-proposals (read only), what an operator links an
intervention to (and, through them, the needs it answers)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.pagination import decode_cursor, page
from shared.http.problems import Problem

from services.budget.proposals import service
from services.budget.proposals.schemas import ProposalListQuery, ProposalOut, ProposalPage

blp = Blueprint("budget_accepted_proposals", __name__, url_prefix="/v1/<tenant>/accepted-proposals",
                description="Le proposte accolte dalla consultazione (e da quella degli Ambiti accorpati che le"
                            " condividono), consegnate alla programmazione: replica dagli eventi")

# Organisations and aggregates only, no people; the proposals were discussed at the Ambito's tables.
READERS = (REGIONAL_ADMIN, OPERATOR, COORDINATOR, STAKEHOLDER, AUDITOR)


@blp.route("")
class AcceptedProposals(MethodView):
    @requires(*READERS)
    @blp.arguments(ProposalListQuery, location="query")
    @blp.response(200, ProposalPage)
    def get(self, query, tenant):
        """List the accepted proposals: filters origin, area, target_group; cursor pagination."""
        after_seq = decode_cursor(query.get("after"))
        with current_platform().read(g.tenant) as conn:
            rows = service.list_proposals(conn=conn, origin=query.get("origin"), area=query.get("area"),
                                          target_group=query.get("target_group"), after_seq=after_seq,
                                          limit=query["limit"] + 1)
        return page(rows, query["limit"])


@blp.route("/<uuid:proposal_id>")
class AcceptedProposalById(MethodView):
    @requires(*READERS)
    @blp.response(200, ProposalOut)
    def get(self, tenant, proposal_id):
        """One accepted proposal, with the needs it answers."""
        try:
            with current_platform().read(g.tenant) as conn:
                return service.get_proposal(conn=conn, proposal_id=proposal_id)
        except service.ProposalNotFound:
            raise Problem(404, "Not Found", "No such accepted proposal in this Ambito's replica.",
                          slug="not-found") from None
