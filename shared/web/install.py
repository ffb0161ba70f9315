"""Install the web layer in a service's app: sessions, CSRF, Babel, page hooks, error pages, layout.

Called by the app factory (shared/http/app.py) when a service registers page blueprints. The pages
and the API share the app but nothing else: pages are authenticated by the session cookie (never a
bearer token) and CSRF-checked on POST; the API's blueprints never see either.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from flask_babel import Babel
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, NotFound, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from shared.config import Settings
from shared.http.platform import Platform
from shared.web import oidc
from shared.web.errors import error_page, not_found, page_error
from shared.web.filters import FILTERS
from shared.web.login import blp as web_blueprint
from shared.web.merger import refuse_writes_when_merged
from shared.web.navigation import links
from shared.web.session import current_principal
from shared.web.settings import WebSettings, checked

HERE = Path(__file__).resolve().parent
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class WebLayer:
    """What the web layer knows about the app it serves (app.extensions["pdz_web"])."""

    service: str
    settings: WebSettings
    development: bool
    pages: frozenset[str]
    csp: str

    @property
    def absolute_seconds(self) -> int:
        return self.settings.absolute_hours * 3600

    @property
    def idle_seconds(self) -> int:
        return self.settings.idle_minutes * 60

    def own_url(self, path: str) -> str:
        """This service's public URL for `path` (the identity provider redirects back to it)."""
        return self.settings.urls.get(self.service, "").rstrip("/") + path

    def serves_path(self, path: str) -> bool:
        """Whether a GET of `path` matches a page of this app."""
        try:
            endpoint, _args = current_app.url_map.bind("localhost").match(path, method="GET")
        except (NotFound, MethodNotAllowed, HTTPException):
            return False
        return endpoint.partition(".")[0] in self.pages


def _no_slash_redirect_to_an_unknown_ambito(platform: Platform) -> None:
    """`/x` matches no route but `/<tenant>/` with a slash added, so routing would answer 308 to `/x/`:
    only for an Ambito that exists. Otherwise it is an unknown path (404: problem+json for the API's
    clients, the Italian page for a browser). Routing exceptions reach the view after these hooks."""
    redirect = request.routing_exception
    if isinstance(redirect, RequestRedirect):
        slug = urlsplit(redirect.new_url).path.strip("/").split("/")[0]
        if slug and platform.catalogue.get(slug) is None:
            raise NotFound()


def page_csp(web: WebSettings) -> str:
    """Styles, fonts, pictures and scripts from this service only; forms post here (and logout's redirect
    goes to the identity provider, which Chromium checks against form-action)."""
    origin = oidc.provider_origin(web)
    form_action = "'self'" + (f" {origin}" if origin else "")
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"connect-src 'self'; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'")


def page_headers(response: Response) -> Response:
    """The pages' CSP (the API's allows nothing) and Vary: Cookie (a page depends on who asks)."""
    web = current_app.extensions.get("pdz_web")
    response.headers["Content-Security-Policy"] = web.csp if web else page_csp(WebSettings())
    response.vary.add("Cookie")
    return response


def _is_page_request() -> bool:
    web = current_app.extensions["pdz_web"]
    return request.blueprint in web.pages


def _wants_html(catalogue) -> bool:
    """A page's path (under a known Ambito) or a browser's request (HTML preferred), outside the API's /v1/."""
    if request.path.startswith("/v1/"):
        return False
    if catalogue.get(request.path.split("/")[1]) is not None:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "application/problem+json", "text/html"])
    return best == "text/html"


def install_web(app: Flask, *, service: str, pages: list, settings: Settings, platform: Platform) -> None:
    """Register `pages` (PageBlueprints) and everything they rely on in `app`."""
    web = checked(WebSettings.of(settings), env=settings.env)   # refuses to start when it would fail open
    development = settings.env == "development"
    blueprints = [web_blueprint, *pages]
    layer = WebLayer(service=service, settings=web, development=development,
                     pages=frozenset(b.name for b in blueprints), csp=page_csp(web))
    app.extensions["pdz_web"] = layer
    app.config.update(
        SECRET_KEY=web.secret,
        SESSION_COOKIE_NAME=web.cookie_name,
        SESSION_COOKIE_SECURE=web.cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_DOMAIN=web.cookie_domain,
        SESSION_REFRESH_EACH_REQUEST=False,   # the idle clock is ours (session.py), not the cookie's expiry
        PERMANENT_SESSION_LIFETIME=timedelta(hours=web.absolute_hours),
        WTF_CSRF_CHECK_DEFAULT=False,         # the API's POSTs carry a bearer token: only pages are checked
        WTF_CSRF_TIME_LIMIT=None,             # the token lives as long as the session (idle/absolute limits)
        WTF_CSRF_SSL_STRICT=False,            # the Referer is never sent (Referrer-Policy: no-referrer)
        BABEL_DEFAULT_LOCALE="it",
        BABEL_DEFAULT_TIMEZONE="Europe/Rome",
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
    )
    csrf = CSRFProtect(app)
    Babel(app, locale_selector=lambda: "it")
    if web.oidc:
        oidc.register(app, web)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    @app.before_request
    def _page_request():
        _no_slash_redirect_to_an_unknown_ambito(platform)
        if request.blueprint not in layer.pages or request.endpoint == "pdz_web.asset":
            return None   # the API's requests, and the stylesheets (no session: they are cached publicly)
        g.principal = current_principal(idle_seconds=layer.idle_seconds, absolute_seconds=layer.absolute_seconds)
        slug = (request.view_args or {}).get("tenant")
        g.tenant = None
        g.roles = g.principal.regional_roles if g.principal else frozenset()
        if slug is not None:
            tenant = platform.catalogue.get(slug)   # the catalogue is in memory: no database touched
            if tenant is None:
                raise not_found(_("Non esiste l'Ambito «%(slug)s».", slug=slug))
            g.tenant = tenant
            g.roles = g.principal.roles_in(slug) if g.principal else frozenset()
        if request.endpoint == "pdz_web.dev_login" and not development:
            raise not_found(_("La pagina non esiste."))   # before CSRF: outside development it does not exist at all
        if request.method == "POST":
            csrf.protect()   # 400 page (CSRFError) before any view runs: nothing is written
            if any(_UNSTORABLE.search(k + v) for k, v in request.form.items(multi=True)):
                return error_page(400, _("Il testo contiene caratteri non ammessi (carattere NUL)."))
            refuse_writes_when_merged()   # 409 page naming the successor (merger.py)
        return None

    @app.after_request
    def _page_headers(response):
        if request.blueprint in layer.pages:
            page_headers(response)
        return response

    # A browser asking for a path no route knows (outside /v1/) gets the Italian page, the API problem+json.
    api_handler = app.error_handler_spec[None][None].get(HTTPException)

    def _unmatched(error):
        if request.blueprint is None and _wants_html(platform.catalogue):
            return page_error(error)
        return api_handler(error) if api_handler else error

    app.register_error_handler(HTTPException, _unmatched)

    for name, function in FILTERS.items():
        # setdefault: a filter of the same name a blueprint registered first (the portal's `euro`) stays its own.
        app.jinja_env.filters.setdefault(name, function)
    app.add_template_global(csrf_input, "csrf_input")

    @app.context_processor
    def _layout():
        principal = g.get("principal")
        tenant = g.get("tenant")
        return {"pdz_principal": principal, "pdz_tenant": tenant, "pdz_service": service,
                "pdz_links": links(web, service=service, tenant=tenant), "pdz_development": development}


def csrf_input() -> Markup:
    """The hidden field every form of a page writes: `{{ csrf_input() }}`."""
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">')
