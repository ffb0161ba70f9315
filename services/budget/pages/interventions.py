"""Pages of the interventions: a plan's lines (list), a new line (form with its classification: area, L. 328/2000
target group, LEPS, comuni, kind, CUP for an investment) and one intervention with its money and progress."""
from __future__ import annotations

import re
from datetime import date

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, ROLES
from shared.web import page_requires
from shared.web.payload import messages, payload

from services.budget.allocations import service as allocations
from services.budget.interventions import domain, progress_service, service
from services.budget.interventions.http import context
from services.budget.interventions.schemas import InterventionIn
from services.budget.members import service as members
from services.budget.pages.blueprint import blp
from services.budget.pages.catalogue import plan_interventions
from services.budget.pages.common import done, page, reading, writing
from services.budget.pages.labels import PLAN_STATE, label
from services.budget.plans import service as plans
from services.budget.plans.editable import PlanNotEditable, PlanNotFound
from services.budget.proposals import service as proposals
from services.budget.reference import reference
from services.budget.territory import service as territory

FIELDS = ("code", "title", "description", "nomenclature_code", "area", "target_group", "kind", "managing_body", "cup",
          "planned_start", "planned_end")
LISTS = ("leps", "comuni", "proposal_ids")
DATES = ("planned_start", "planned_end")
RULES = {
    "code": _l("Il codice della riga del piano: da 1 a 40 tra lettere, cifre e . _ / - (ad esempio A3.2)."),
    "title": _l("Il titolo va da 3 a 300 caratteri."),
    "description": _l("La descrizione può avere al massimo 20.000 caratteri."),
    "nomenclature_code": _l("Scegli la voce del nomenclatore dall'elenco."),
    "area": _l("Scegli un'area tematica della regione."),
    "target_group": _l("Scegli l'area di utenza (L. 328/2000) dall'elenco."),
    "kind": _l("Scegli la tipologia: servizio, trasferimento o progetto."),
    "leps": _l("Scegli i LEPS dall'elenco."),
    "comuni": _l("Scegli i comuni dell'Ambito dall'elenco (nessuno: tutto l'Ambito)."),
    "managing_body": _l("L'ente gestore è un'organizzazione attiva del registro: sceglila dall'elenco."),
    "cup": _l("Il CUP ha 15 caratteri, lettere maiuscole e cifre."),
    "planned_start": _l("Scrivi la data come gg/mm/aaaa, dentro il triennio del piano."),
    "planned_end": _l("Scrivi la data come gg/mm/aaaa, dentro il triennio e non prima dell'inizio."),
    "proposal_ids": _l("Scegli le proposte accolte dall'elenco."),
}
# The use cases' rules whose English sentence differs by case: (field, marker) -> Italian.
DOMAIN = {
    ("cup", "investment needs"): _l("Un investimento richiede il suo CUP (L. 3/2003 art. 11)."),
    ("investment", ""): _l("Solo un progetto può essere un investimento: scegli la tipologia «Progetto»."),
    ("planned_end", "before"): _l("La fine prevista non può precedere l'inizio previsto."),
    ("planned_start", "triennium"): _l("L'inizio previsto deve cadere nel triennio del piano."),
    ("planned_end", "triennium"): _l("La fine prevista deve cadere nel triennio del piano."),
}
_ITALIAN_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def iso_date(text: str) -> str:
    """'01/03/2025' (as typed in Italy) -> '2025-03-01'; anything else unchanged for the schema to judge."""
    match = _ITALIAN_DATE.match(text or "")
    if not match:
        return text
    day, month, year = (int(x) for x in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def domain_message(exc: domain.InvalidField) -> tuple[str, str]:
    """The field (a list's own name for `leps.1`) and the Italian message of a use case's refusal."""
    field = exc.field.split(".")[0]
    for (name, marker), message in DOMAIN.items():
        if name == field and marker in exc.message:
            return field, str(message)
    return field, str(RULES.get(field) or exc.message)


def choices(conn) -> dict:
    """What the form offers: the vocabularies of the reference data and the replicas of this Ambito."""
    ref = reference()
    try:
        comuni = territory.get_territory(conn=conn, tenant=g.tenant.slug)["comuni"]
    except territory.NoTerritoryYet:
        comuni = []
    bodies = members.list_organisations(conn=conn, status="active", limit=500)
    accepted = proposals.list_proposals(conn=conn, limit=500)
    return {"nomenclature": [(c, f"{c} – {e.name}") for c, e in ref.nomenclature.items()],
            "leps_options": [(c, item.name) for c, item in ref.leps.items()],
            "comuni_options": [(c["istat_code"], c["name"]) for c in comuni],
            "bodies": [(str(o["id"]), o["name"]) for o in bodies],
            "proposal_options": [(str(p["id"]), p["title"]) for p in accepted]}


def _plan_or_404(conn, plan_id) -> dict:
    try:
        return plans.get_plan(conn=conn, plan_id=plan_id)
    except PlanNotFound:
        abort(404)


@blp.route("/bilancio/piani/<uuid:plan_id>/interventi/")
@page_requires(*ROLES)
def interventions(tenant, plan_id):
    """The plan's interventions by code, with their classification and latest progress."""
    with reading() as conn:
        plan = _plan_or_404(conn, plan_id)
        found = sorted(plan_interventions(conn, plan_id), key=lambda i: i["code"])
    return page("interventi.html", plan=plan, interventions=found)


def _new_page(plan, status=200, *, values, errors):
    with reading() as conn:
        offered = choices(conn)
    return page("intervento_nuovo.html", status, plan=plan, values=values, errors=errors, **offered)


@blp.route("/bilancio/piani/<uuid:plan_id>/interventi/nuovo", methods=["GET", "POST"])
@page_requires(OPERATOR)
def new_intervention(tenant, plan_id):
    """Add a line to a plan being drafted (or returned by the Region)."""
    with reading() as conn:
        plan = _plan_or_404(conn, plan_id)
    if request.method == "GET":
        return _new_page(plan, values=MultiDict({"kind": "service"}), errors={})
    form = request.form
    data = payload(form, fields=FIELDS, lists=LISTS, booleans=("investment",))
    for name in DATES:
        if name in data:
            data[name] = iso_date(data[name])
    if "cup" in data:
        data["cup"] = data["cup"].upper()
    try:
        body = InterventionIn().load(data)
    except ValidationError as err:
        return _new_page(plan, 422, values=form, errors=messages(err, RULES))
    try:
        with writing() as conn:
            made = service.plan_intervention(conn=conn, context=context(), by=g.principal.subject, plan_id=plan_id,
                                             values=body)
    except domain.InvalidField as exc:
        field, message = domain_message(exc)
        return _new_page(plan, 422, values=form, errors={field: message})
    except service.DuplicateCode:
        return _new_page(plan, 409, values=form, errors={"code": _("Un altro intervento di questo piano ha già il"
                                                                   " codice «%(codice)s».", codice=body["code"])})
    except domain.InterventionRuleError:
        return _new_page(plan, 409, values=form, errors={"managing_body": _(
            "Questa organizzazione viene da un registro che non è più condiviso con l'Ambito.")})
    except PlanNotEditable as exc:
        return _new_page(plan, 409, values=form, errors={"_schema": _(
            "Il piano è nello stato «%(stato)s»: si aggiungono interventi solo in bozza o dopo la restituzione della"
            " Regione. Apri un aggiornamento annuale.", stato=label(PLAN_STATE, exc.state))})
    return done(_("Intervento %(codice)s aggiunto al piano.", codice=made["code"]), "intervention",
                intervention_id=made["id"])


@blp.route("/bilancio/interventi/<uuid:intervention_id>")
@page_requires(*ROLES)
def intervention(tenant, intervention_id):
    """One intervention: classification, comuni, managing body, CUP, its allocations and its progress."""
    with reading() as conn:
        try:
            found = service.get_intervention(conn=conn, intervention_id=intervention_id)
        except service.InterventionNotFound:
            abort(404)
        plan = plans.get_plan(conn=conn, plan_id=found["plan_id"])
        money = allocations.list_allocations(conn=conn, intervention_id=intervention_id, limit=500)
        progress = progress_service.list_progress(conn=conn, intervention_id=intervention_id)
        body = members.list_organisations(conn=conn, limit=500) if found["managing_body"] else []
        try:
            comuni = {c["istat_code"]: c["name"] for c in territory.get_territory(conn=conn,
                                                                                 tenant=g.tenant.slug)["comuni"]}
        except territory.NoTerritoryYet:
            comuni = {}
    ref = reference()
    bodies = {o["id"]: o["name"] for o in body}
    return page("intervento.html", intervention=found, plan=plan, allocations=money, progress=progress,
                leps_names={c: item.name for c, item in ref.leps.items()},
                nomenclature_names={c: e.name for c, e in ref.nomenclature.items()},
                managing_body=bodies.get(found["managing_body"]), comuni_names=comuni)
