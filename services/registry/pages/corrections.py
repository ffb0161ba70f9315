"""The office's pages of correction requests: the queue, one request against the register, accept or reject."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, READERS, STAKEHOLDER
from shared.web import page_requires
from shared.web.payload import messages

from services.registry.corrections import domain, service
from services.registry.corrections.schemas import CorrectionRejectIn
from services.registry.pages import labels
from services.registry.pages.blueprint import blp
from services.registry.pages.common import area_names, done, is_reader, page, reading, writing
from services.registry.pages.register import shown
from services.registry.stakeholders import service as stakeholders

REASON = _l("Scrivi la motivazione, da 5 a 2.000 caratteri: l'organizzazione la leggerà.")
DECIDED = _l("La richiesta è già stata decisa: l'esito non si può cambiare.")
CHANGED = _l("Nel frattempo il soggetto è stato modificato: confronta di nuovo i valori qui sotto e decidi.")
STATES = ("pending", "accepted", "rejected")


def rows(correction: dict, now: dict | None) -> list[tuple[str, str, str, str | None]]:
    """(field, value when asked, value proposed, value now) of each field the request corrects, as people read them."""
    names = area_names()
    return [(str(labels.label(labels.FIELDS, field)), shown(field, correction["current"].get(field), names),
             shown(field, value, names), shown(field, now[field], names) if now else None)
            for field, value in sorted(correction["changes"].items())]


@blp.route("/correzioni/")
@page_requires(*READERS)
def corrections(tenant):
    """The organisations' correction requests, waiting ones first by default (`?stato=`)."""
    state = request.args.get("stato", "pending")
    if state not in (*STATES, "tutte"):
        state = "pending"
    with reading() as conn:
        found = service.list_corrections(conn=conn, status=None if state == "tutte" else state, limit=500)
    return page("correzioni.html", corrections=found["items"], state=state, states=STATES, labels=labels)


def correction_page(correction_id, status: int = 200, *, problem=None, values=None, errors=None):
    """One request beside the register's record as it is now; the office's decision forms while it waits."""
    with reading() as conn:
        try:
            found = service.get_correction(conn=conn, correction_id=correction_id, reader=g.principal.subject,
                                           own_only=not is_reader())
        except service.CorrectionNotFound:
            abort(404)
        except service.NotYours:
            abort(403)
        now = stakeholders.get_stakeholder(conn=conn, stakeholder_id=found["stakeholder_id"]) if is_reader() else None
    return page("correzione.html", status, correction=found, stakeholder=now, rows=rows(found, now), labels=labels,
                problem=problem, values=values or MultiDict(), errors=errors or {})


@blp.route("/correzioni/<uuid:correction_id>")
@page_requires(*READERS, STAKEHOLDER)
def correction(tenant, correction_id):
    """One request: what was asked and why, the register now, the outcome."""
    return correction_page(correction_id)


@blp.route("/correzioni/<uuid:correction_id>/accetta", methods=["POST"])
@page_requires(OPERATOR)
def accept_correction(tenant, correction_id):
    """Accept: the register takes the proposed values, if it is still the version the office compared."""
    version = request.form.get("stakeholder_version", type=int)
    if version is None:
        abort(400)
    try:
        with writing() as conn:
            service.accept_correction(conn=conn, tenant=tenant, by=g.principal.subject, correction_id=correction_id,
                                      stakeholder_version=version)
    except service.CorrectionNotFound:
        abort(404)
    except domain.AlreadyDecided:
        return correction_page(correction_id, 409, problem=DECIDED)
    except service.StakeholderChanged:
        return correction_page(correction_id, 409, problem=CHANGED)
    except domain.RuntsSectionRequired:
        return correction_page(correction_id, 409, problem=_("Con questa correzione l'Ente del Terzo settore"
                                                             " resterebbe senza sezione RUNTS: respingila."))
    return done(_("Correzione accolta: il registro è aggiornato."), "correction", correction_id=correction_id)


@blp.route("/correzioni/<uuid:correction_id>/respingi", methods=["POST"])
@page_requires(OPERATOR)
def reject_correction(tenant, correction_id):
    """Reject, with the reason the organisation will read."""
    form = request.form
    try:
        body = CorrectionRejectIn().load({"reason": form.get("reason", "")})
    except ValidationError as err:
        return correction_page(correction_id, 422, values=form, errors=messages(err, {"reason": REASON}))
    try:
        with writing() as conn:
            service.reject_correction(conn=conn, by=g.principal.subject, correction_id=correction_id,
                                      reason=body["reason"])
    except service.CorrectionNotFound:
        abort(404)
    except domain.AlreadyDecided:
        return correction_page(correction_id, 409, problem=DECIDED)
    return done(_("Richiesta di correzione respinta."), "correction", correction_id=correction_id)
