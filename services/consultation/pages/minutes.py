"""Pages of the minutes: write and edit the draft of a held session, approve it, write a correction."""
from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.web import page_requires
from shared.web.payload import messages, payload

from services.consultation.pages.blueprint import blp
from services.consultation.pages.common import MANAGERS, caller, done, manages_table, page, reading, refused, \
    writing
from services.consultation.pages.sessions import session_or_404, session_refusal
from services.consultation.sessions import domain as sessions_domain
from services.consultation.sessions.minutes import domain, service
from services.consultation.sessions.minutes.schemas import MinutesIn
from services.consultation.sessions.service import Stale
from services.consultation.tables.access import NotAllowed

RULES = {
    "body": _l("Il testo del verbale va da 1 a 80.000 caratteri."),
    "reason": _l("Una rettifica dice che cosa corregge e perché (al massimo 5.000 caratteri)."),
}
REFUSALS = {
    "minutes-approved": _l("Il verbale è già approvato e non cambia più: scrivete una rettifica."),
    "minutes-exist": _l("La sessione ha già un verbale: modificate la bozza o scrivete una rettifica."),
    "minutes-draft-pending": _l("C'è una bozza in attesa: approvatela o modificatela prima."),
    "minutes-not-in-force": _l("Si rettifica solo il verbale in vigore."),
}
STALE = _l("Nel frattempo qualcun altro ha modificato il verbale: rileggilo e riprova.")


def _refusal(exc) -> str:
    if isinstance(exc, Stale):
        return str(STALE)
    if isinstance(exc, sessions_domain.SessionRuleError):
        return session_refusal(exc)
    return str(REFUSALS.get(exc.code, _("Il verbale non lo consente ora.")))


def _editor(session_id, status: int = 200, *, values=None, errors=None):
    with reading() as conn:
        found, table = session_or_404(conn, session_id)
        if not manages_table(table):
            abort(403)
        versions = service.list_versions(conn=conn, caller=caller(), session_id=session_id)
    draft = next((v for v in versions["items"] if v["status"] == domain.DRAFT), None)
    if values is None:
        values = MultiDict({"body": draft["body"], "reason": draft["reason"] or ""} if draft else {})
    return page("verbale.html", status, session=found, table=table, draft=draft, in_force=versions["in_force"],
                versions=versions["items"], values=values, errors=errors or {})


@blp.route("/sessioni/<uuid:session_id>/verbale", methods=["GET", "POST"])
@page_requires(*MANAGERS)
def minutes_editor(tenant, session_id):
    """Write the minutes: the first draft, the draft's changes, or a correction of the version in force."""
    if request.method == "GET":
        return _editor(session_id)
    form = request.form
    data = payload(form, fields=("body", "reason"))
    version = form.get("version", type=int)
    correcting = form.get("corrects", type=int)
    if correcting is not None:
        data["corrects"] = correcting
    try:
        body = MinutesIn().load(data)
    except ValidationError as err:
        return _editor(session_id, 422, values=form, errors=messages(err, RULES))
    try:
        with writing() as conn:
            if version is not None:   # the draft read on the page
                number = form.get("number", type=int) or 0
                changes = {"body": body["body"], **({"reason": body["reason"]} if body["reason"] else {})}
                service.edit(conn=conn, tenant=tenant, caller=caller(), session_id=session_id, number=number,
                             version=version, changes=changes)
            else:
                service.draft(conn=conn, tenant=tenant, caller=caller(), session_id=session_id, **body)
    except service.MinutesNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except (Stale, domain.MinutesRuleError, sessions_domain.SessionRuleError) as exc:
        return _editor(session_id, 409, values=form, errors={"_schema": _refusal(exc)})
    return done(_("Bozza del verbale salvata."), "minutes_editor", session_id=session_id)


@blp.route("/sessioni/<uuid:session_id>/verbale/<int:number>/approva", methods=["POST"])
@page_requires(*MANAGERS)
def approve(tenant, session_id, number):
    """Approve the draft read on the page: from now on it never changes."""
    version = request.form.get("version", type=int)
    try:
        with writing() as conn:
            service.approve(conn=conn, tenant=tenant, caller=caller(), session_id=session_id, number=number,
                            version=version if version is not None else -1)
    except service.MinutesNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except (Stale, domain.MinutesRuleError) as exc:
        return refused(_refusal(exc), "minutes_editor", session_id=session_id)
    return done(_("Verbale approvato: è un documento pubblico e non cambia più."), "session", session_id=session_id)
