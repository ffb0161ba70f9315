"""The representative's form: ask the office to correct what the register holds of its organisation."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import STAKEHOLDER
from shared.web import page_requires
from shared.web.payload import messages

from services.registry.corrections import domain, service
from services.registry.corrections.schemas import CorrectionIn
from services.registry.pages import labels
from services.registry.pages.applications import seat_options
from services.registry.pages.blueprint import blp
from services.registry.pages.common import area_names, done, page, reading, writing
from services.registry.profile import istat

TEXTS = ("name", "type", "runts_section", "runts_number", "seat_istat")
RULES = {"changes.name": _l("La denominazione va da 2 a 300 caratteri."),
         "changes.type": _l("Scegli la tipologia dall'elenco."),
         "changes.runts_section": _l("Per un Ente del Terzo settore indica la sezione del RUNTS."),
         "changes.runts_number": _l("Il numero RUNTS ha al massimo 40 caratteri."),
         "changes.seat_istat": _l("Scegli il comune della sede dall'elenco."),
         "changes.areas": _l("Scegli le aree tra quelle della regione."),
         "reason": _l("Spiega la correzione all'Ufficio di Piano, da 5 a 2.000 caratteri.")}
NOTHING = _l("Nessun dato è diverso da quello del registro: modificate almeno un campo.")
PENDING = _l("Per questa organizzazione c'è già una richiesta in attesa dell'Ufficio di Piano: potete chiederne"
             " un'altra quando sarà decisa.")


def _values(stakeholder: dict) -> MultiDict:
    """The form filled with what the register holds: the representative changes what is wrong."""
    found = MultiDict({f"changes.{k}": stakeholder[k] or "" for k in TEXTS})
    for code in stakeholder["areas"]:
        found.add("changes.areas", code)
    return found


def _form_page(target: dict, status=200, *, values, errors, problem=None):
    return page("correzione_nuova.html", status, stakeholder=target["stakeholder"], pending=target["pending"],
                values=values, errors=errors, problem=problem, seats=seat_options(), types=labels.TYPE_OPTIONS,
                runts_sections=labels.RUNTS_OPTIONS, areas=list(area_names().items()), labels=labels)


def _target(stakeholder_id) -> dict:
    with reading() as conn:
        try:
            return service.correction_target(conn=conn, by=g.principal.subject, stakeholder_id=stakeholder_id)
        except service.NotRepresented:
            abort(403)


def _changes(form: MultiDict) -> dict:
    """Every field of the form: a blank one proposes no value (the schema says which may be blank)."""
    changes = {k: (form.get(f"changes.{k}") or "").strip() or None for k in TEXTS}
    changes["areas"] = [v for v in form.getlist("changes.areas") if v.strip()]
    return changes


@blp.route("/organizzazione/<uuid:stakeholder_id>/correzione", methods=["GET", "POST"])
@page_requires(STAKEHOLDER)
def ask_correction(tenant, stakeholder_id):
    """Propose the right values of the organisation's data, with a reason, for the office to decide."""
    target = _target(stakeholder_id)
    if request.method == "GET":
        return _form_page(target, values=_values(target["stakeholder"]), errors={},
                          problem=PENDING if target["pending"] else None)
    form = request.form
    errors: dict[str, str] = {}
    try:
        body = CorrectionIn().load({"stakeholder_id": str(stakeholder_id), "changes": _changes(form),
                                    "reason": form.get("reason", "")})
    except ValidationError as err:
        errors, body = messages(err, RULES), None
    seat = (form.get("changes.seat_istat") or "").strip()
    if seat and "changes.seat_istat" not in errors and istat.lookup(seat) is None:
        errors["changes.seat_istat"] = RULES["changes.seat_istat"]
    if any(code not in area_names() for code in form.getlist("changes.areas")):
        errors["changes.areas"] = RULES["changes.areas"]
    if errors:
        return _form_page(target, 422, values=form, errors=errors)
    try:
        with writing() as conn:
            service.request_correction(conn=conn, by=g.principal.subject, stakeholder_id=stakeholder_id,
                                       changes=body["changes"], reason=body["reason"])
    except domain.NothingToCorrect:
        return _form_page(target, 422, values=form, errors={"_schema": str(NOTHING)})
    except domain.RuntsSectionRequired:
        return _form_page(target, 422, values=form, errors={"changes.runts_section": RULES["changes.runts_section"]})
    except service.CorrectionPending:
        return _form_page(_target(stakeholder_id), 409, values=form, errors={}, problem=PENDING)
    return done(_("Richiesta di correzione inviata all'Ufficio di Piano."), "organisation")
