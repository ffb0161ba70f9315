"""Pages of the applications: apply to an open call, follow one's own, review with the protocol number."""
from __future__ import annotations

import uuid
from functools import lru_cache

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, READERS, STAKEHOLDER
from shared.web import page_requires
from shared.web.payload import messages, payload

from services.registry.applications import domain, service
from services.registry.applications.schemas import ApplicationIn, RejectIn
from services.registry.calls import service as calls
from services.registry.pages import labels
from services.registry.pages.blueprint import blp
from services.registry.pages.common import area_names, done, is_reader, page, reading, region, writing
from services.registry.profile import istat
from services.registry.profile.domain import in_region
from services.registry.stakeholders.service import DuplicateTaxCode

FIELDS = ("organisation.name", "organisation.type", "organisation.tax_code", "organisation.runts_section",
          "organisation.runts_number", "organisation.seat_istat",
          "legal_representative.full_name", "legal_representative.tax_code", "legal_representative.email",
          "legal_representative.phone", "contact_person.full_name", "contact_person.email",
          "contact_person.phone", "declarations.note")
DECLARATIONS = tuple(f"declarations.{name}" for name in domain.REQUIRED_DECLARATIONS)
PERSON_CODE = _l("Codice fiscale della persona non valido: 16 caratteri, con il carattere di controllo giusto.")
PHONE = _l("Un numero di telefono ha da 6 a 20 cifre, eventualmente con il prefisso +39.")
EMAIL = _l("Indirizzo e-mail non valido (esempio: nome@dominio.it).")
DECLARE = _l("Questa dichiarazione è necessaria per presentare la domanda.")
FULL_NAME = _l("Nome e cognome: da 3 a 200 caratteri.")
RULES = {
    "organisation.name": _l("La denominazione va da 2 a 300 caratteri."),
    "organisation.type": _l("Scegli la tipologia dell'organizzazione dall'elenco."),
    "organisation.tax_code": _l("Codice fiscale o partita IVA non valido: 11 cifre (partita IVA o codice fiscale"
                                " numerico) o 16 caratteri (codice fiscale), con il carattere di controllo giusto."),
    "organisation.runts_section": _l("Per un Ente del Terzo settore indica la sezione del RUNTS."),
    "organisation.runts_number": _l("Il numero RUNTS ha al massimo 40 caratteri."),
    "organisation.seat_istat": _l("Scegli il comune della sede dall'elenco."),
    "legal_representative.full_name": FULL_NAME, "legal_representative.tax_code": PERSON_CODE,
    "legal_representative.email": EMAIL, "legal_representative.phone": PHONE,
    "contact_person.full_name": FULL_NAME, "contact_person.email": EMAIL, "contact_person.phone": PHONE,
    "areas": _l("Scegli almeno una delle aree tematiche dell'avviso."),
    "declarations.note": _l("Le note hanno al massimo 2.000 caratteri."),
    **{name: DECLARE for name in DECLARATIONS},
}
REASON = _l("Scrivi la motivazione, da 5 a 2.000 caratteri: l'organizzazione la leggerà.")
REVIEWED = _l("La domanda è già stata esaminata: l'esito non si può cambiare.")
ALREADY_REGISTERED = _l("Il registro contiene già questo codice fiscale: riprova, l'ammissione aggiornerà quel"
                        " soggetto.")


@lru_cache(maxsize=32)
def _comuni(region_slug: str, region_name: str | None) -> tuple[tuple[str, str], ...]:
    """The comuni of the region in the official ISTAT list, by name: where an organisation's seat is."""
    found = [c for c in istat.official_list().values() if in_region(c.region, slug=region_slug, name=region_name)]
    return tuple((c.istat_code, f"{c.name} ({c.province})") for c in sorted(found, key=lambda c: c.name))


def seat_options() -> list[tuple[str, str]]:
    found = region()
    return list(_comuni(g.tenant.region, found.name if found else None))


def _apply_page(call, status=200, *, values, errors, problem=None):
    names = area_names()
    return page("domanda_nuova.html", status, call=call, values=values, errors=errors, problem=problem,
                seats=seat_options(), types=labels.TYPE_OPTIONS, runts_sections=labels.RUNTS_OPTIONS,
                declarations=DECLARATIONS, call_areas=[(code, names.get(code, code)) for code in call["areas"]])


def _open_call(conn, call_id) -> dict:
    try:
        call = calls.get_call(conn=conn, call_id=call_id)
    except calls.CallNotFound:
        abort(404)
    if call["status"] == "draft":
        abort(404)
    return call


def _closed_message(call: dict) -> str:
    if call["status"] == "closed":
        return _("L'avviso è chiuso: non accetta più domande.")
    return _("L'avviso non è ancora aperto: le domande si presentano dalla data di apertura.")


@blp.route("/avvisi/<uuid:call_id>/domanda", methods=["GET", "POST"])
@page_requires(STAKEHOLDER, OPERATOR)
def apply(tenant, call_id):
    """Apply to an open call: the organisation, its legal representative and contact, areas, declarations."""
    with reading() as conn:
        call = _open_call(conn, call_id)
    if request.method == "GET":
        problem = None if call["accepting_applications"] else _closed_message(call)
        return _apply_page(call, values=MultiDict(), errors={}, problem=problem)
    form = request.form
    data = payload(form, fields=FIELDS, lists=("areas",), booleans=DECLARATIONS)
    data["call_id"] = str(call_id)
    errors: dict[str, str] = {}
    try:
        body = ApplicationIn().load(data)
    except ValidationError as err:
        errors = messages(err, RULES)
        body = None
    seat = form.get("organisation.seat_istat", "").strip()
    if seat and "organisation.seat_istat" not in errors and istat.lookup(seat) is None:
        errors["organisation.seat_istat"] = RULES["organisation.seat_istat"]
    if errors:
        return _apply_page(call, 422, values=form, errors=errors)
    try:
        with writing() as conn:
            made = service.submit_application(conn=conn, tenant=tenant, by=g.principal.subject,
                                              request_id=g.request_id, **body)
    except calls.CallNotFound:
        abort(404)
    except service.AreasOutsideCall:
        return _apply_page(call, 422, values=form, errors={"areas": RULES["areas"]})
    except service.CallNotAccepting:
        with reading() as conn:
            call = _open_call(conn, call_id)
        return _apply_page(call, 409, values=form, errors={}, problem=_closed_message(call))
    except service.DuplicateApplication as exc:
        standing = _(" (protocollo n. %(numero)s)", numero=exc.protocol_number) if exc.protocol_number else ""
        message = _("Questa organizzazione ha già una domanda in corso per questo avviso%(protocollo)s. Se non"
                    " l'avete presentata voi, chiedete all'Ufficio di Piano di esaminarla: respinta quella,"
                    " potrete presentare la vostra.", protocollo=standing)
        return _apply_page(call, 409, values=form, errors={"organisation.tax_code": message})
    return done(_("Domanda presentata: protocollo n. %(numero)s.", numero=made["protocol_number"]), "application",
                application_id=made["id"])


@blp.route("/domande/")
@page_requires(*READERS, STAKEHOLDER)
def applications(tenant):
    """The office: applications by state (to review first); a representative: the ones it submitted."""
    status = request.args.get("stato") or ("submitted" if is_reader() else None)
    if status not in (None, *domain.REVIEW):
        status = None
    only_of = None if is_reader() else g.principal.subject
    call_id = _uuid(request.args.get("avviso"))
    with reading() as conn:
        found = service.list_applications(conn=conn, call_id=call_id, status=status, submitted_by=None,
                                          only_of=only_of, after=None, limit=500)["items"]
        titles = {c["id"]: c["title"] for c in calls.list_calls(conn=conn, status=None, after=None,
                                                                  limit=500)["items"]}
    return page("domande.html", applications=found, titles=titles, chosen=status, labels=labels, call_id=call_id)


def _uuid(text: str | None) -> uuid.UUID | None:
    """The call a list is narrowed to; a malformed one narrows nothing."""
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _application_page(application_id, status=200, *, values=None, errors=None, problem=None):
    with reading() as conn:
        try:
            found = service.get_application(conn=conn, application_id=application_id, reader=g.principal.subject,
                                            own_only=not is_reader(), request_id=g.request_id)
        except service.ApplicationNotFound:
            abort(404)
        except service.NotYours:
            abort(403)
        call = calls.get_call(conn=conn, call_id=found["call_id"])
    return page("domanda.html", status, application=found, call=call, labels=labels, values=values or MultiDict(),
                errors=errors or {}, problem=problem, declarations=domain.REQUIRED_DECLARATIONS)


@blp.route("/domande/<uuid:application_id>")
@page_requires(*READERS, STAKEHOLDER)
def application(tenant, application_id):
    """One application with its protocol number, the people it names (the read is logged) and its outcome."""
    return _application_page(application_id)


def _review(tenant, application_id, action, message):
    try:
        with writing() as conn:
            action(conn)
    except service.ApplicationNotFound:
        abort(404)
    except domain.ApplicationRuleError:
        return _application_page(application_id, 409, problem=REVIEWED)
    except DuplicateTaxCode:
        return _application_page(application_id, 409, problem=ALREADY_REGISTERED)
    return done(message, "application", application_id=application_id)


@blp.route("/domande/<uuid:application_id>/ammetti", methods=["POST"])
@page_requires(OPERATOR)
def admit(tenant, application_id):
    """Admit: the organisation enters the register (or its record there is updated)."""
    return _review(tenant, application_id, lambda conn: service.admit_application(
        conn=conn, tenant=tenant, by=g.principal.subject, application_id=application_id),
        _("Domanda ammessa: l'organizzazione è nel registro dei soggetti."))


@blp.route("/domande/<uuid:application_id>/respingi", methods=["POST"])
@page_requires(OPERATOR)
def reject(tenant, application_id):
    """Reject, with the reason the organisation will read."""
    form = request.form
    try:
        body = RejectIn().load(payload(form, fields=("reason",)))
    except ValidationError as err:
        return _application_page(application_id, 422, values=form, errors=messages(err, {"reason": REASON}))
    return _review(tenant, application_id, lambda conn: service.reject_application(
        conn=conn, tenant=tenant, by=g.principal.subject, application_id=application_id, reason=body["reason"]),
        _("Domanda respinta: la motivazione è registrata."))
