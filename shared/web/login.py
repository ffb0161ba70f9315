"""The routes every service with pages serves: login, development login, OIDC callback, logout, assets.

GET /accesso                the login (production: straight to the identity provider)
GET|POST /accesso/sviluppo  the development login (PDZ_ENV=development only; 404 otherwise)
GET /accesso/ritorno        the identity provider's callback
POST /uscita                logout (and the provider's end-session endpoint)
GET /risorse/<file>         Bootstrap Italia's CSS, fonts and icons, and the layer's own stylesheet
"""
from __future__ import annotations

import logging
import time

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from shared.http.app import current_platform
from shared.http.auth import REGIONAL_ROLES, ROLES, dev_claims, principal_from_claims
from shared.web import assets, oidc
from shared.web.blueprint import PageBlueprint
from shared.web.errors import error_page, not_found
from shared.web.forms import field_errors
from shared.web.session import log_in, log_out, login_method

log = logging.getLogger(__name__)
blp = PageBlueprint("pdz_web", __name__, url_prefix=None, template_folder="templates")
NEXT = "pdz_next"

ROLE_NAMES = {
    "operator": _l("Operatore dell'Ufficio di Piano"), "coordinator": _l("Coordinatore di tavolo"),
    "stakeholder": _l("Rappresentante di un soggetto"), "auditor": _l("Revisore (sola lettura)"),
    "regional-admin": _l("Amministratore regionale"), "regional-reviewer": _l("Revisore regionale dei Piani"),
}


def web():
    return current_app.extensions["pdz_web"]


def safe_next(target: str | None) -> str | None:
    """A path of this site to return to, or None: never another site (//host, /\\host, a scheme)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return None
    return target


def _landing(principal) -> str:
    """Where a fresh login goes without a `next`: its Ambito's home on this service, the regional pages for
    a regional role where this service has them, else /accesso."""
    slugs = sorted(principal.grants)
    if len(slugs) == 1 and web().serves_path(f"/{slugs[0]}/"):
        return f"/{slugs[0]}/"
    if principal.regional_roles and web().serves_path("/regioni/"):
        return "/regioni/"
    return url_for("pdz_web.login")


@blp.get("/accesso")
def login():
    """The login page: who is logged in, or how to log in (production: the identity provider at once)."""
    target = safe_next(request.args.get("next"))
    settings = web().settings
    if g.principal is None:
        if target:
            session[NEXT] = target
        if settings.oidc and (not web().development or request.args.get("via") == "oidc"):
            return oidc.authorize_redirect(current_app, web().own_url("/accesso/ritorno"))
    elif target:
        return redirect(target)
    return render_template("pdz/accesso.html", development=web().development, oidc=settings.oidc,
                           next=target, role_names=ROLE_NAMES)


@blp.get("/accesso/ritorno")
def callback():
    """The identity provider's answer: the verified ID token's principal starts the session."""
    if not web().settings.oidc:
        raise not_found(_("L'accesso tramite il gestore delle identità non è configurato."))
    target = safe_next(session.get(NEXT))
    try:
        principal = oidc.principal_from_callback(current_app)
    except Exception as exc:   # noqa: BLE001  Authlib's, joserfc's, requests' or the mapping's: nobody logs in
        log.warning("login refused", extra={"error": f"{type(exc).__name__}: {exc}"})
        return error_page(400, _("L'accesso non è riuscito: riprova."))
    log_in(principal, via="oidc")
    log.info("login", extra={"subject": principal.subject, "via": "oidc"})
    return redirect(target or _landing(principal))


PREFILL = ("ruolo", "ambito", "soggetto")  # the development login's fields an address may prefill


class DevLogin(Schema):
    ruolo = fields.String(required=True, validate=validate.OneOf(ROLES))
    ambito = fields.String(load_default="")
    soggetto = fields.String(required=True, validate=[validate.Length(min=1, max=100),
                                                      validate.Regexp(r"^[A-Za-z0-9._@-]+$")])


@blp.route("/accesso/sviluppo", methods=["GET", "POST"])
def dev_login():
    """Development login: pick a role, an Ambito and a subject; only with PDZ_ENV=development."""
    if not web().development:
        raise not_found(_("La pagina non esiste."))
    ambiti = [(t.slug, t.name) for t in sorted(current_platform().catalogue, key=lambda t: t.name)]
    target = safe_next(request.values.get("next"))
    # A GET may prefill the form from its address (`pdz demo` prints such links); only "Entra" logs in.
    values = request.form if request.method == "POST" else {k: v for k, v in request.args.items() if k in PREFILL}
    errors, status = {}, 200
    if request.method == "POST":
        # A blank field is a missing one ("Campo obbligatorio."), as in every form of the pages.
        form = {k: v.strip() for k, v in request.form.items() if k in ("ruolo", "ambito", "soggetto") and v.strip()}
        try:
            data, errors = DevLogin().load(form), {}
        except ValidationError as err:
            data, errors = None, field_errors(err)
        if form.get("ruolo") not in REGIONAL_ROLES and current_platform().catalogue.get(form.get("ambito", "")) is None:
            errors.setdefault("ambito", _("Scegliere l'Ambito in cui vale il ruolo."))
        if not errors:
            regional = data["ruolo"] in REGIONAL_ROLES
            claims = dev_claims(subject=data["soggetto"], roles=[data["ruolo"]],
                                tenants=[] if regional else [data["ambito"]])
            claims["exp"] = int(time.time()) + web().absolute_seconds
            principal = principal_from_claims(claims)   # the API's mapping, as for a token
            log_in(principal, via="sviluppo")
            log.info("development login", extra={"subject": principal.subject, "role": data["ruolo"]})
            flash(_("Accesso di sviluppo eseguito come %(ruolo)s.", ruolo=ROLE_NAMES[data["ruolo"]]), "success")
            return redirect(target or _landing(principal), code=303)
        status = 422
    return render_template("pdz/accesso_sviluppo.html", ambiti=ambiti, role_names=ROLE_NAMES, values=values,
                           errors=errors, next=target), status


@blp.post("/uscita")
def logout():
    """Log out: the session ends here (every service shares it), then at the identity provider."""
    via = login_method()
    log_out()
    if via == "oidc":
        ended = oidc.end_session_url(current_app, web().settings, after=web().own_url("/accesso"))
        if ended:
            return redirect(ended, code=303)
    flash(_("Sei uscito."), "success")
    return redirect(url_for("pdz_web.login"), code=303)


@blp.get("/risorse/<path:name>")
def asset(name: str):
    """Bootstrap Italia's CSS, fonts and icons (from the npm install), and `pdz/pdz.css`."""
    if name == "pdz/pdz.css":
        return assets.own("pdz.css")
    return assets.send(name)
