"""Pages of the plans: the Ambito's plans, a new triennium's plan, one plan with its versions and history."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR
from shared.web import page_requires
from shared.web.payload import messages, payload

from services.budget.members import service as members
from services.budget.pages.blueprint import blp
from services.budget.pages.catalogue import every_plan, plan_interventions
from services.budget.pages.common import PLAN_READERS, done, page, reading, writing
from services.budget.plans import domain, service
from services.budget.plans.editable import PlanNotFound
from services.budget.plans.schemas import PlanIn

RULES = {"first_year": _l("Scrivi il primo anno del triennio con quattro cifre, ad esempio 2027."),
         "title": _l("Il titolo va da 3 a 300 caratteri (vuoto: «Piano Sociale di Zona» e il triennio).")}


@blp.route("/bilancio/piani/")
@page_requires(*PLAN_READERS)
def plans(tenant):
    """The Ambito's plans, one per triennium, with their current version and state."""
    with reading() as conn:
        found = every_plan(conn)
    return page("piani.html", plans=found)


@blp.route("/bilancio/piani/nuovo", methods=["GET", "POST"])
@page_requires(OPERATOR)
def new_plan(tenant):
    """Create the plan of a triennium with its version 1 (triennial, draft)."""
    if request.method == "GET":
        return page("piano_nuovo.html", values=MultiDict(), errors={})
    form = request.form
    data = payload(form, fields=("first_year", "title"))
    if "first_year" in data and data["first_year"].isdigit():
        data["first_year"] = int(data["first_year"])   # PlanIn is strict: JSON integers only
    try:
        body = PlanIn().load(data)
    except ValidationError as err:
        return page("piano_nuovo.html", 422, values=form, errors=messages(err, RULES))
    try:
        with writing() as conn:
            made = service.create_plan(conn=conn, tenant=tenant, first_year=body["first_year"],
                                       title=body.get("title"), by=g.principal.subject)
    except service.DuplicatePlan as exc:
        where = (_("il piano %(primo)s-%(ultimo)s", primo=exc.existing["first_year"], ultimo=exc.existing["last_year"])
                 if exc.existing else _("un altro piano"))
        return page("piano_nuovo.html", 409, values=form, errors={"first_year": _(
            "Il triennio %(primo)s-%(ultimo)s si sovrappone a %(dove)s: un anno appartiene a un solo piano.",
            primo=body["first_year"], ultimo=body["first_year"] + 2, dove=where)})
    return done(_("Piano %(primo)s-%(ultimo)s creato in bozza: aggiungi gli interventi.", primo=made["first_year"],
                  ultimo=made["last_year"]), "plan", plan_id=made["id"])


def plan_page(plan_id, status=200, **context):
    """One plan: its versions, the actions allowed now, the history, its interventions."""
    with reading() as conn:
        try:
            plan = service.get_plan(conn=conn, plan_id=plan_id)
        except PlanNotFound:
            abort(404)
        versions = service.list_versions(conn=conn, plan_id=plan_id)
        history = service.history(conn=conn, plan_id=plan_id, number=None, after_seq=0, limit=500)
        lines = plan_interventions(conn, plan_id)
        current = service.get_version(conn=conn, plan_id=plan_id, number=plan["current_version"])
        steps = [a for a in plan["allowed_actions"] if domain.role_for(a) in g.roles]
        signatories = ([(str(o["id"]), o["name"]) for o in members.list_organisations(
            conn=conn, status="active", limit=500)] if "sign" in steps else [])
    context.setdefault("values", MultiDict())
    context.setdefault("errors", {})
    return page("piano.html", status, plan=plan, versions=versions, history=history, current=current,
                interventions=sorted(lines, key=lambda i: i["code"]), steps=steps, signatories=signatories,
                **context)


@blp.route("/bilancio/piani/<uuid:plan_id>")
@page_requires(*PLAN_READERS)
def plan(tenant, plan_id):
    """One plan with its versions, approval steps and history."""
    return plan_page(plan_id)
