"""The office's forms on the register: register an organisation directly (a comune, the ASL), change a state."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR
from shared.web import page_requires
from shared.web.payload import messages, payload

from services.registry.pages import labels
from services.registry.pages.applications import RULES as APPLICATION_RULES, seat_options
from services.registry.pages.blueprint import blp
from services.registry.pages.common import area_names, done, page, writing
from services.registry.pages.register import stakeholder_page
from services.registry.profile import istat
from services.registry.stakeholders import service
from services.registry.stakeholders.domain import STATUSES
from services.registry.stakeholders.schemas import StakeholderIn

FIELDS = ("name", "type", "tax_code", "runts_section", "runts_number", "seat_istat")
# The organisation's rules are the application's (same schema fields, without the `organisation.` prefix).
RULES = {**{name: APPLICATION_RULES[f"organisation.{name}"] for name in FIELDS},
         "areas": _l("Scegli le aree tra quelle della regione.")}
DUPLICATE = _l("Il registro contiene già un soggetto con questo codice fiscale o partita IVA.")
STALE = _l("Nel frattempo qualcun altro ha modificato il soggetto: rileggilo e riprova.")


def _new_page(status=200, *, values, errors):
    return page("soggetto_nuovo.html", status, values=values, errors=errors, seats=seat_options(),
                types=labels.TYPE_OPTIONS, runts_sections=labels.RUNTS_OPTIONS, areas=list(area_names().items()))


@blp.route("/registro/nuovo", methods=["GET", "POST"])
@page_requires(OPERATOR)
def new_stakeholder(tenant):
    """Register an organisation directly, without an application (e.g. a comune, the ASL)."""
    if request.method == "GET":
        return _new_page(values=MultiDict(), errors={})
    form = request.form
    errors: dict[str, str] = {}
    try:
        body = StakeholderIn().load(payload(form, fields=FIELDS, lists=("areas",)))
    except ValidationError as err:
        errors, body = messages(err, RULES), None
    seat = (form.get("seat_istat") or "").strip()
    if seat and "seat_istat" not in errors and istat.lookup(seat) is None:
        errors["seat_istat"] = RULES["seat_istat"]
    if body and any(code not in area_names() for code in body["areas"]):
        errors["areas"] = RULES["areas"]
    if errors:
        return _new_page(422, values=form, errors=errors)
    try:
        with writing() as conn:
            made = service.register_stakeholder(conn=conn, tenant=tenant, by=g.principal.subject, **body)
    except service.DuplicateTaxCode:
        return _new_page(409, values=form, errors={"tax_code": DUPLICATE})
    return done(_("Soggetto iscritto nel registro."), "stakeholder", stakeholder_id=made["id"])


@blp.route("/registro/<uuid:stakeholder_id>/stato", methods=["POST"])
@page_requires(OPERATOR)
def change_status(tenant, stakeholder_id):
    """Suspend, withdraw or reactivate an organisation (the version read guards against a change meanwhile)."""
    status, version = request.form.get("status"), request.form.get("version", type=int)
    if status not in STATUSES or version is None:
        abort(400)
    try:
        with writing() as conn:
            service.update_stakeholder(conn=conn, tenant=tenant, by=g.principal.subject,
                                       stakeholder_id=stakeholder_id, version=version, changes={"status": status})
    except service.StakeholderNotFound:
        abort(404)
    except service.StaleStakeholder:
        return stakeholder_page(stakeholder_id, 409, problem=STALE)
    return done(_("Stato del soggetto: %(stato)s.", stato=labels.label(labels.STATUS_IT, status)), "stakeholder",
                stakeholder_id=stakeholder_id)
