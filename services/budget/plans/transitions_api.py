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


# action -> who takes it, its body, the conflicts it may meet, and what it does (the OpenAPI summary)
ACTIONS = {
    "adopt": (OPERATOR, TransitionIn, (TRANSITION,),
              "Adopt the draft (or returned) version: its content is frozen into the snapshot (Ufficio di Piano)."),
    "approve": (OPERATOR, ApproveIn, (TRANSITION,),
                "Record the Assemblea dei Sindaci's approval with its deliberation (`approval_act`)."),
    "send": (OPERATOR, TransitionIn, (TRANSITION,), "Send the approved version to the Region for its review."),
    "return": (REGIONAL_REVIEWER, ReturnIn, (TRANSITION,),
               "The Region returns the version with its remarks: the Ufficio di Piano edits and adopts again."),
    "accept": (REGIONAL_REVIEWER, TransitionIn, (TRANSITION,),
               "The Region accepts the version: the accordo di programma can be signed."),
    "sign": (OPERATOR, SignIn, (TRANSITION, REVOKED),
             "Record the accordo di programma: date and signatories (active organisations of the register)."),
}


def _view(action: str, role: str, schema, problems: tuple, summary: str) -> type[MethodView]:
    """The POST /{action} view: the same decorators as one written out, the summary as its docstring."""
    def post(self, body, tenant, plan_id, number):
        return _move(action, body, tenant, plan_id, number)

    post.__doc__ = summary  # before the decorators, which copy it as flask-smorest reads it
    for decorate in (blp.alt_response(409, **conflicts(*problems)), blp.response(200, PlanOut),
                     blp.arguments(schema), requires(role)):
        post = decorate(post)
    return type(action.capitalize(), (MethodView,), {"post": post})  # the endpoint: plan_transitions.Adopt, ...


for _action, _spec in ACTIONS.items():
    blp.route(f"/{_action}")(_view(_action, *_spec))
