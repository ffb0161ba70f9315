"""The plan's approval steps on its page: adopt, approve (the Assemblea's deliberation), send, sign (the accordo
di programma) for the office; return with remarks or accept for the Region's reviewer. Each form carries the plan's
version read (a step taken meanwhile is said, not overwritten); a refusal is said at its field, in Italian."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError

from shared.web import page_requires
from shared.web.payload import messages, payload

from services.budget.members import service as members
from services.budget.pages.blueprint import blp
from services.budget.pages.common import done, writing
from services.budget.pages.interventions import iso_date
from services.budget.pages.labels import ACTION, PLAN_STATE, label
from services.budget.pages.plans import plan_page
from services.budget.plans import domain, service, transitions
from services.budget.plans.editable import PlanNotFound
from services.budget.plans.schemas import ApproveIn, ReturnIn, SignIn, TransitionIn

SCHEMAS = {"adopt": TransitionIn, "approve": ApproveIn, "send": TransitionIn, "return": ReturnIn,
           "accept": TransitionIn, "sign": SignIn}
RULES = {"approval_act": _l("Scrivi gli estremi della deliberazione, da 3 a 300 caratteri (ad esempio «Delibera n. 4"
                            " del 12/10/2024»)."),
         "remarks": _l("Scrivi le osservazioni della Regione (da 3 a 20.000 caratteri): l'Ufficio di Piano le"
                       " leggerà."),
         "signed_on": _l("Scrivi la data di sottoscrizione (gg/mm/aaaa)."),
         "signatories": _l("Scegli almeno un ente firmatario dall'elenco."),
         "note": _l("La nota ha al massimo 2.000 caratteri.")}
DONE = {"adopt": _l("Versione adottata: il suo contenuto è congelato."),
        "approve": _l("Approvazione dell'Assemblea dei Sindaci registrata."),
        "send": _l("Versione inviata alla Regione."), "return": _l("Versione restituita con le osservazioni."),
        "accept": _l("Versione accolta: si può sottoscrivere l'accordo di programma."),
        "sign": _l("Accordo di programma registrato: la versione è in vigore.")}


def signatory_options(conn) -> list[tuple[str, str]]:
    return [(str(o["id"]), o["name"]) for o in members.list_organisations(conn=conn, status="active", limit=500)]


def steps_for(roles) -> list[str]:
    """The steps these roles take (the office's or the Region's)."""
    return [a for a in domain.PUBLIC_ACTIONS if domain.role_for(a) in roles]


STEP = "<any(adopt, approve, send, return, accept, sign):action>"


@blp.route(f"/bilancio/piani/<uuid:plan_id>/versioni/<int:number>/{STEP}", methods=["POST"])
@page_requires(domain.OPERATOR, domain.REGIONAL_REVIEWER)
def step(tenant, plan_id, number, action):
    """Take one step of the approval path on the plan's current version."""
    if domain.role_for(action) not in g.roles:
        abort(403)
    form = request.form
    data = payload(form, fields=("note", "approval_act", "remarks", "signed_on"), lists=("signatories",))
    data = {k: v for k, v in data.items() if k in SCHEMAS[action]().fields}
    if "signed_on" in data:
        data["signed_on"] = iso_date(data["signed_on"])
    try:
        acts = SCHEMAS[action]().load(data)
    except ValidationError as err:
        return plan_page(plan_id, 422, values=form, errors=messages(err, RULES), acting=action)
    version = form.get("version", type=int)
    try:
        with writing() as conn:
            transitions.transition(conn=conn, tenant=tenant, plan_id=plan_id, number=number,
                                   version=version if version is not None else -1, action=action,
                                   by=g.principal.subject, acts=acts)
    except (PlanNotFound, service.VersionNotFound):
        abort(404)
    except service.StalePlan:
        return plan_page(plan_id, 409, values=form, acting=action, errors={"_schema": _(
            "Nel frattempo il piano è cambiato: rileggi il suo stato e riprova.")})
    except domain.InvalidTransition as exc:
        return plan_page(plan_id, 409, values=form, acting=action, errors={"_schema": _(
            "«%(passo)s» non si può fare ora: la versione è nello stato «%(stato)s».",
            passo=label(ACTION, action), stato=label(PLAN_STATE, exc.state))})
    except transitions.InvalidAct as exc:
        errors = {}
        for field, message in exc.errors:
            name = field.split(".")[0]
            errors.setdefault(name, _("La data non può essere futura.") if name == "signed_on"
                              else _("Ogni firmatario è un'organizzazione attiva del registro."))
        return plan_page(plan_id, 422, values=form, errors=errors, acting=action)
    except transitions.OrganisationRevoked:
        return plan_page(plan_id, 409, values=form, acting=action, errors={"signatories": _(
            "Un firmatario viene da un registro che non è più condiviso con l'Ambito.")})
    return done(str(DONE[action]), "plan", plan_id=plan_id)


@blp.route("/bilancio/piani/<uuid:plan_id>/versioni", methods=["POST"])
@page_requires(domain.OPERATOR)
def open_update(tenant, plan_id):
    """Open the yearly update of a year of the triennium (version n+1, draft) once the current one is signed."""
    form = request.form
    year = (form.get("reference_year") or "").strip()
    if not (year.isdigit() and len(year) == 4):
        return plan_page(plan_id, 422, values=form, errors={"reference_year": _(
            "Scrivi l'anno dell'aggiornamento con quattro cifre, ad esempio 2025.")})
    try:
        with writing() as conn:
            made = service.open_version(conn=conn, tenant=tenant, plan_id=plan_id, reference_year=int(year),
                                        by=g.principal.subject)
    except PlanNotFound:
        abort(404)
    except service.BadReferenceYear:
        return plan_page(plan_id, 422, values=form, errors={"reference_year": _(
            "L'aggiornamento annuale riguarda un anno successivo al primo del triennio, non precedente a quello"
            " della versione corrente.")})
    except domain.InvalidTransition:
        return plan_page(plan_id, 409, values=form, errors={"reference_year": _(
            "Un aggiornamento annuale si apre solo quando la versione corrente è sottoscritta.")})
    return done(_("Aggiornamento annuale %(anno)s aperto in bozza (versione %(n)s).", anno=made["reference_year"],
                  n=made["number"]), "plan", plan_id=plan_id)
