"""The plan's approval path over HTTP: one POST per action on /plans/{id}/versions/{n}/…, If-Match on the plan.

adopt, approve, send and sign are the Ufficio di Piano's (`operator`); return and accept are the
Region's (`regional-reviewer`, a regional role: the only writes it may make anywhere).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import OPERATOR, REGIONAL_REVIEWER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import required_version
from shared.http.openapi import conflicts

from services.budget.plans import transitions
from services.budget.plans.api import REVOKED, TRANSITION, answer, run
from services.budget.plans.schemas import ApproveIn, PlanOut, ReturnIn, SignIn, TransitionIn

blp = Blueprint("plan_transitions", __name__, url_prefix="/v1/<tenant>/plans/<uuid:plan_id>/versions/<int:number>",
                description="Approvazione del piano: adozione, approvazione, invio e esame regionale, accordo di programma")


def _move(action: str, body: dict, tenant: str, plan_id, number: int):
    """Take `action` on version `number` of the plan whose ETag the caller sent; the plan answers."""
    version, by = required_version(), g.principal.subject
    with current_platform().write(g.tenant) as conn:
        return answer(run(lambda: transitions.transition(conn=conn, tenant=tenant, plan_id=plan_id, number=number,
                                                         version=version, action=action, by=by, acts=body)))


@blp.route("/adopt")
class Adopt(MethodView):
    @requires(OPERATOR)
    @blp.arguments(TransitionIn)
    @blp.response(200, PlanOut)
    @blp.alt_response(409, **conflicts(TRANSITION))
    def post(self, body, tenant, plan_id, number):
        """Adopt the draft (or returned) version: its content is frozen into the snapshot (Ufficio di Piano)."""
        return _move("adopt", body, tenant, plan_id, number)


@blp.route("/approve")
class Approve(MethodView):
    @requires(OPERATOR)
    @blp.arguments(ApproveIn)
    @blp.response(200, PlanOut)
    @blp.alt_response(409, **conflicts(TRANSITION))
    def post(self, body, tenant, plan_id, number):
        """Record the Assemblea dei Sindaci's approval with its deliberation (`approval_act`)."""
        return _move("approve", body, tenant, plan_id, number)


@blp.route("/send")
class Send(MethodView):
    @requires(OPERATOR)
    @blp.arguments(TransitionIn)
    @blp.response(200, PlanOut)
    @blp.alt_response(409, **conflicts(TRANSITION))
    def post(self, body, tenant, plan_id, number):
        """Send the approved version to the Region for its review."""
        return _move("send", body, tenant, plan_id, number)


@blp.route("/return")
class Return(MethodView):
    @requires(REGIONAL_REVIEWER)
    @blp.arguments(ReturnIn)
    @blp.response(200, PlanOut)
    @blp.alt_response(409, **conflicts(TRANSITION))
    def post(self, body, tenant, plan_id, number):
        """The Region returns the version with its remarks: the Ufficio di Piano edits and adopts again."""
        return _move("return", body, tenant, plan_id, number)


@blp.route("/accept")
class Accept(MethodView):
    @requires(REGIONAL_REVIEWER)
    @blp.arguments(TransitionIn)
    @blp.response(200, PlanOut)
    @blp.alt_response(409, **conflicts(TRANSITION))
    def post(self, body, tenant, plan_id, number):
        """The Region accepts the version: the accordo di programma can be signed."""
        return _move("accept", body, tenant, plan_id, number)


@blp.route("/sign")
class Sign(MethodView):
    @requires(OPERATOR)
    @blp.arguments(SignIn)
    @blp.response(200, PlanOut)
    @blp.alt_response(409, **conflicts(TRANSITION, REVOKED))
    def post(self, body, tenant, plan_id, number):
        """Record the accordo di programma: date and signatories (active organisations of the register)."""
        return _move("sign", body, tenant, plan_id, number)
