"""Pages of the public calls: list, draft (form), one call, publish and close."""
from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, ROLES
from shared.web import page_requires
from shared.web.payload import local_instant, messages, payload

from services.registry.calls import domain, service
from services.registry.calls.schemas import CallIn
from services.registry.pages import labels
from services.registry.pages.blueprint import blp
from services.registry.pages.common import ROME, area_names, done, is_reader, page, reading, writing

FIELDS = ("title", "description", "requirements", "opens_at", "closes_at")
RULES = {
    "title": _l("Il titolo va da 5 a 300 caratteri."),
    "description": _l("La descrizione può avere al massimo 20.000 caratteri."),
    "requirements": _l("I requisiti possono avere al massimo 20.000 caratteri."),
    "areas": _l("Scegli almeno un'area tematica tra quelle della regione."),
    "opens_at": _l("Indica data e ora di apertura (gg/mm/aaaa, hh:mm)."),
    "closes_at": _l("Indica data e ora di scadenza, dopo l'apertura."),
}
# The use cases' refusals (CallRuleError's English text is for API clients).
STALE = _l("Nel frattempo qualcun altro ha modificato l'avviso: rileggilo e riprova.")
PUBLIC_ACT = _l("Solo una bozza si può modificare: un avviso pubblicato è un atto pubblico.")


def _call_or_404(conn, call_id) -> dict:
    try:
        call = service.get_call(conn=conn, call_id=call_id)
    except service.CallNotFound:
        abort(404)
    if call["status"] == "draft" and not is_reader():
        abort(404)   # a draft is not yet a public act: only the office sees it
    return call


@blp.route("/avvisi/")
@page_requires(*ROLES)
def calls(tenant):
    """Every call of the Ambito (drafts only for the office), newest first."""
    with reading() as conn:
        found = service.list_calls(conn=conn, status=None, after=None, limit=500)["items"]
    shown = [c for c in reversed(found) if c["status"] != "draft" or is_reader()]
    return page("avvisi.html", calls=shown, labels=labels)


def _checked(form, areas) -> tuple[dict | None, dict[str, str]]:
    """The call's fields as the API's schema reads them, or the Italian message of each wrong field."""
    data = payload(form, fields=FIELDS, lists=("areas",))
    for name in ("opens_at", "closes_at"):
        if name in data:
            data[name] = local_instant(data[name])
    try:
        body = CallIn().load(data)
    except ValidationError as err:
        return None, messages(err, RULES)
    if any(code not in dict(areas) for code in body["areas"]):
        return None, {"areas": RULES["areas"]}
    return body, {}


@blp.route("/avvisi/nuovo", methods=["GET", "POST"])
@page_requires(OPERATOR)
def new_call(tenant):
    """Draft a call: title, areas, requirements, opening and closing time."""
    areas = list(area_names().items())
    if request.method == "GET":
        return page("avviso_nuovo.html", values=MultiDict(), errors={}, areas=areas)
    form = request.form
    body, errors = _checked(form, areas)
    if errors:
        return page("avviso_nuovo.html", 422, values=form, errors=errors, areas=areas)
    with writing() as conn:
        call = service.draft_call(conn=conn, tenant=tenant, **body)
    return done(_("Bozza dell'avviso salvata: controllala e pubblicala."), "call", call_id=call["id"])


def _call_values(call: dict) -> MultiDict:
    """The form as the saved draft fills it (times in Italian time, as datetime-local shows them)."""
    values = MultiDict({k: call[k] or "" for k in ("title", "description", "requirements")})
    for name in ("opens_at", "closes_at"):
        values[name] = call[name].astimezone(ROME).strftime("%Y-%m-%dT%H:%M")
    values["version"] = str(call["version"])
    values.setlist("areas", list(call["areas"]))
    return values


@blp.route("/avvisi/<uuid:call_id>/modifica", methods=["GET", "POST"])
@page_requires(OPERATOR)
def edit_call(tenant, call_id):
    """Change a draft before it is published (a published call is a public act)."""
    areas = list(area_names().items())
    with reading() as conn:
        found = _call_or_404(conn, call_id)
    if request.method == "GET":
        problem = None if found["status"] == "draft" else PUBLIC_ACT
        return page("avviso_nuovo.html", values=_call_values(found), errors={}, areas=areas, call=found,
                    problem=problem)
    form = request.form
    body, errors = _checked(form, areas)
    if errors:
        return page("avviso_nuovo.html", 422, values=form, errors=errors, areas=areas, call=found)
    try:
        with writing() as conn:
            service.edit_call(conn=conn, tenant=tenant, call_id=call_id, version=form.get("version", -1, type=int),
                              changes=body)
    except (service.StaleCall, domain.CallRuleError) as exc:
        problem = STALE if isinstance(exc, service.StaleCall) else PUBLIC_ACT
        return page("avviso_nuovo.html", 409, values=form, errors={}, areas=areas, call=found, problem=problem)
    return done(_("Bozza dell'avviso aggiornata."), "call", call_id=call_id)


@blp.route("/avvisi/<uuid:call_id>")
@page_requires(*ROLES)
def call(tenant, call_id):
    """One call: its text, window and state; the office publishes or closes it here."""
    with reading() as conn:
        found = _call_or_404(conn, call_id)
    return page("avviso.html", call=found, labels=labels, problem=None)


def _move(tenant, call_id, action, message: str):
    version = request.form.get("version", type=int)
    try:
        with writing() as conn:
            action(conn=conn, tenant=tenant, call_id=call_id, version=version if version is not None else -1)
    except service.CallNotFound:
        abort(404)
    except (service.StaleCall, domain.CallRuleError) as exc:
        with reading() as conn:
            found = _call_or_404(conn, call_id)
        problem = STALE if isinstance(exc, service.StaleCall) else _refusal(found)
        return page("avviso.html", 409, call=found, labels=labels, problem=problem)
    return done(message, "call", call_id=call_id)


def _refusal(call: dict) -> str:
    if call["status"] == "closed":
        return _("L'avviso è chiuso: non si può più pubblicare né chiudere.")
    if call["status"] == "published":
        return _("L'avviso è già pubblicato.")
    return _("La scadenza dell'avviso è già passata: non si può pubblicare. Crea un nuovo avviso con date"
             " future.")


@blp.route("/avvisi/<uuid:call_id>/pubblica", methods=["POST"])
@page_requires(OPERATOR)
def publish(tenant, call_id):
    """Publish a draft: from its opening time organisations can apply."""
    return _move(tenant, call_id, service.publish_call, _("Avviso pubblicato."))


@blp.route("/avvisi/<uuid:call_id>/chiudi", methods=["POST"])
@page_requires(OPERATOR)
def close(tenant, call_id):
    """Close a published call now (early closure)."""
    return _move(tenant, call_id, service.close_call, _("Avviso chiuso: non accetta più domande."))

