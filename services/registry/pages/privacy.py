"""The personal-data page of the office: the access log, and erasure requests (GDPR art. 17)."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, READERS
from shared.web import allowed_after_merger, page_requires
from shared.web.payload import messages, payload

from services.registry.pages import labels
from services.registry.pages.blueprint import blp
from services.registry.pages.common import done, page, reading, writing
from services.registry.privacy import service
from services.registry.privacy.api import ErasureIn
from services.registry.privacy.schemas import LogQuery
from services.registry.taxcodes import normalise_personal_code

FILTERS = ("subject", "action", "resource_id", "after")
RULES = {"tax_code": _l("Indica il codice fiscale della persona (16 caratteri, controllato) oppure la sua"
                        " e-mail, non entrambi."),
         "email": _l("Indirizzo e-mail non valido (esempio: nome@dominio.it)."),
         "conferma": _l("Conferma che la cancellazione è stata chiesta dalla persona o è dovuta per legge."),
         "subject": _l("Al massimo 200 caratteri."), "action": _l("Scegli un'azione dall'elenco."),
         "resource_id": _l("Al massimo 200 caratteri."), "after": _l("Pagina non valida: torna alla prima.")}


def _page(status=200, *, values=None, errors=None):
    asked = {k: v.strip() for k, v in request.args.items() if k in FILTERS and v.strip()}
    log_errors: dict[str, str] = {}
    entries, next_cursor = [], None
    try:
        query = LogQuery().load(asked)
    except ValidationError as err:
        log_errors = messages(err, RULES)
    else:
        with reading() as conn:
            found = service.access_log(conn=conn, after=query.get("after"), limit=query["limit"],
                                       subject=query.get("subject"), action=query.get("action"),
                                       resource_id=query.get("resource_id"))
        entries, next_cursor = found["items"], found["next_cursor"]
    return page("privacy.html", 422 if log_errors else status, entries=entries, next_cursor=next_cursor,
                filters={k: v for k, v in asked.items() if k != "after"}, log_values=request.args,
                log_errors=log_errors, values=values or MultiDict(), errors=errors or {}, labels=labels)


@blp.route("/privacy")
@page_requires(*READERS)
def privacy(tenant):
    """Who created, read or erased personal data, filtered; the office's erasure form."""
    return _page()


@blp.route("/privacy/cancellazione", methods=["POST"])
@allowed_after_merger   # a data subject's right survives the merger of its Ambito (as the API's erasure does)
@page_requires(OPERATOR)
def erase(tenant):
    """Erase every record of a person, found by codice fiscale or e-mail."""
    form = request.form
    errors: dict[str, str] = {}
    try:
        body = ErasureIn().load(payload(form, fields=("tax_code", "email")))
    except ValidationError as err:
        errors = messages(err, RULES)
    if "conferma" not in form:
        errors["conferma"] = RULES["conferma"]
    if errors:
        return _page(422, values=form, errors=errors)
    tax_code = normalise_personal_code(body["tax_code"]) if body["tax_code"] else None
    with writing() as conn:
        result = service.erase_person(conn=conn, tenant=tenant, by=g.principal.subject, tax_code=tax_code,
                                      email=body["email"], request_id=g.request_id)
    protocols = sorted({r["application_protocol"] for r in result["removed"] if r["application_protocol"]})
    named = _(" (domande n. %(numeri)s)", numeri=", ".join(protocols)) if protocols else ""
    return done(_("Cancellazione eseguita: %(quanti)s record personali rimossi%(domande)s.",
                  quanti=result["people_removed"], domande=named), "privacy")
