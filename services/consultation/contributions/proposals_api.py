"""Proposals (proposte) HTTP API and their life cycle: /v1/{tenant}/proposals."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, ROLES, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems
from shared.http.pagination import decode_cursor, page

from services.consultation.contributions import evaluation_service, proposals_service as service
from services.consultation.contributions.http import NOT_PERMITTED, ORGANISATION, REPLICA, caller, run
from services.consultation.contributions.schemas import (AssessmentIn, DecisionIn, EvaluationIn, ProposalIn,
                                                          ProposalListQuery, ProposalOut, ProposalPage,
                                                          ProposalPatch)

blp = Blueprint("proposals", __name__, url_prefix="/v1/<tenant>/proposals",
                description="Proposte che rispondono ai bisogni, la loro valutazione e la risposta motivata")

CONTRIBUTORS = (OPERATOR, COORDINATOR, STAKEHOLDER)
OFFICE = (OPERATOR, COORDINATOR)
FILTERS = ("table_id", "status", "organisation_id", "need_id", "area", "origin")
STATE = ("proposal-state", "the proposal's state does not allow it")


def answer(proposal: dict, status: int = 200):
    return {"origin": g.tenant.slug, **proposal}, status, {"ETag": etag(proposal["version"])}


@blp.route("")
class Proposals(MethodView):
    @requires(*ROLES)
    @blp.arguments(ProposalListQuery, location="query")
    @blp.response(200, ProposalPage)
    def get(self, query, tenant):
        """List the proposals, the Ambito's and its former Ambiti's (each with `origin`): filters table, status,
        organisation, need, area (of its needs), origin; cursor pagination over both."""
        after = decode_cursor(query.get("after"))
        with current_platform().read(g.tenant) as conn:
            rows = service.list_proposals(conn=conn, filters={k: query.get(k) for k in FILTERS},
                                          after_seq=after, limit=query["limit"] + 1, tenant=g.tenant.slug)
        return page(rows, query["limit"])

    @requires(*CONTRIBUTORS)
    @idempotent
    @blp.arguments(ProposalIn)
    @blp.response(201, ProposalOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(*ORGANISATION))
    def post(self, body, tenant):
        """Submit a proposal of a member organisation: its representative, or the office on_behalf; Idempotency-Key."""
        who = caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.submit_proposal(conn=conn, tenant=tenant, caller=who, **body)), 201)


@blp.route("/<uuid:proposal_id>")
class ProposalById(MethodView):
    @requires(*ROLES)
    @blp.response(200, ProposalOut)
    def get(self, tenant, proposal_id):
        """One proposal with its needs, assessments and reasoned answer, with ETag."""
        with current_platform().read(g.tenant) as conn:
            return answer(run(lambda: service.get_proposal(conn=conn, proposal_id=proposal_id)))

    @requires(*CONTRIBUTORS)
    @blp.arguments(ProposalPatch(partial=True))
    @blp.response(200, ProposalOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(("proposal-state", "only a submitted proposal can be edited"), REPLICA,
                                       *ORGANISATION))
    def patch(self, body, tenant, proposal_id):
        """Edit a submitted proposal: its organisation's representatives at the table, or the office (If-Match)."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: service.edit_proposal(conn=conn, tenant=tenant, caller=who,
                                                            proposal_id=proposal_id, version=version, changes=body)))


@blp.route("/<uuid:proposal_id>/evaluation")
class Evaluation(MethodView):
    @requires(*OFFICE)
    @blp.arguments(EvaluationIn)
    @blp.response(200, ProposalOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(("proposal-state", "only a submitted proposal goes under evaluation"), REPLICA))
    def post(self, body, tenant, proposal_id):
        """Start the evaluation, naming the valuators: the office or the table's coordinator (If-Match)."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: evaluation_service.start_evaluation(
                conn=conn, tenant=tenant, caller=who, proposal_id=proposal_id, version=version, **body)))


@blp.route("/<uuid:proposal_id>/assessment")
class Assessment(MethodView):
    @requires(*CONTRIBUTORS)
    @blp.arguments(AssessmentIn)
    @blp.response(200, ProposalOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(("proposal-state", "the proposal is not under evaluation"), REPLICA))
    @blp.doc(etag=True)
    def put(self, body, tenant, proposal_id):
        """Record (or replace) the caller's feasibility and cost assessment: assigned valuators only."""
        who = caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: evaluation_service.record_assessment(
                conn=conn, tenant=tenant, caller=who, proposal_id=proposal_id, **body)))


@blp.route("/<uuid:proposal_id>/decision")
class Decision(MethodView):
    @requires(OPERATOR)
    @blp.arguments(DecisionIn)
    @blp.response(200, ProposalOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(STATE, ("merge-target", "the proposal to merge into is missing, itself, "
                                                                "merged or rejected"), REPLICA))
    def post(self, body, tenant, proposal_id):
        """Accept, reject or merge a proposal under evaluation, with the reasoned answer: the Ufficio di Piano."""
        version, who = required_version(), caller()
        with current_platform().write(g.tenant) as conn:
            return answer(run(lambda: evaluation_service.decide(conn=conn, tenant=tenant, caller=who,
                                                                proposal_id=proposal_id, version=version, **body)))
