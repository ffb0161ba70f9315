"""The session cookie: its flags, its idle and absolute lifetimes, and the settings that refuse to fail open."""
from __future__ import annotations

import re
import time

import pytest
from flask import render_template_string

from shared.config import Settings
from shared.http.app import create_service_app
from shared.http.auth import Principal
from shared.web import PageBlueprint, page_requires
from shared.web.session import KEY, current_principal, log_in
from shared.web.settings import DEV_WEB_SECRET, WebSettings, checked
from tests.conftest import random_slug, write_catalogue

pages = PageBlueprint("prova_sessione", __name__)


@pages.get("/")
@page_requires("operator")
def home(tenant):
    return render_template_string("ok")


def make_app(tmp_path, **web):
    slug = random_slug("web")
    settings = Settings(tenants_file=write_catalogue(tmp_path, [slug]), extra={"web": WebSettings(**web)})
    return create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages], settings=settings), slug


def login_cookie(app, slug: str) -> str:
    client = app.test_client()
    # A Secure cookie is sent back over https only.
    html = client.get("/accesso/sviluppo", base_url="https://registro.pdz.example.org").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    answer = client.post("/accesso/sviluppo", base_url="https://registro.pdz.example.org",
                         data={"ruolo": "operator", "ambito": slug, "soggetto": "prova", "csrf_token": token})
    assert answer.status_code == 303
    return answer.headers["Set-Cookie"]


def test_the_cookie_is_secure_httponly_and_lax(tmp_path):
    app, slug = make_app(tmp_path, cookie_domain="pdz.example.org", cookie_secure=True)
    cookie = login_cookie(app, slug)
    assert cookie.startswith("pdz_sessione=")
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite", "domain", "expires"} <= flags
    assert "SameSite=Lax" in cookie and "Domain=pdz.example.org" in cookie


def test_in_development_the_cookie_goes_over_plain_http_unless_asked(tmp_path):
    app, slug = make_app(tmp_path)
    assert "Secure" not in login_cookie(app, slug)


def test_the_session_lapses_when_idle_or_too_old(tmp_path):
    app, _ = make_app(tmp_path)
    principal = Principal(subject="prova")
    with app.test_request_context():
        start = time.time()
        log_in(principal, via="sviluppo", now=start)
        assert current_principal(idle_seconds=1800, absolute_seconds=36000, now=start + 1799) == principal
        # Each request moves the idle clock (at most once a minute): active use keeps the session alive ...
        for minutes in range(20, 600, 20):
            assert current_principal(idle_seconds=1800, absolute_seconds=36000, now=start + minutes * 60)
        # ... until the absolute lifetime, whatever the activity.
        assert current_principal(idle_seconds=1800, absolute_seconds=36000, now=start + 36001) is None
        log_in(principal, via="sviluppo", now=start)
        assert current_principal(idle_seconds=1800, absolute_seconds=36000, now=start + 1801) is None
        from flask import session
        assert KEY not in session   # a lapsed session is cleared, not just ignored


@pytest.mark.parametrize(("env", "web", "refusal"), [
    ("production", WebSettings(), "PDZ_WEB_SECRET is not set"),
    ("production", WebSettings(secret="corto"), "at least 32"),
    ("production", WebSettings(secret=DEV_WEB_SECRET), "development secret"),
    ("production", WebSettings(secret="s" * 40, cookie_secure=False), "PDZ_WEB_COOKIE_SECURE"),
    ("production", WebSettings(secret="s" * 40), "PDZ_OIDC_DISCOVERY_URL"),
    ("production", WebSettings(secret="s" * 40, oidc_discovery_url="https://idp/x"), "PDZ_OIDC_CLIENT_ID"),
    ("development", WebSettings(oidc_discovery_url="file:///etc/passwd", oidc_client_id="pdz"), "http"),
])
def test_settings_that_would_fail_open_are_refused(env, web, refusal):
    with pytest.raises(ValueError, match=refusal):
        checked(web, env=env)


def test_development_signs_with_the_development_secret_and_production_with_its_own():
    assert checked(WebSettings(), env="development").secret == DEV_WEB_SECRET
    web = WebSettings(secret="s" * 40, oidc_discovery_url="https://idp/x", oidc_client_id="pdz")
    assert checked(web, env="production").secret == web.secret
    assert checked(web, env="production").cookie_secure is True


def test_settings_from_the_environment():
    web = WebSettings.from_env({"PDZ_WEB_SECRET": "x" * 32, "PDZ_WEB_COOKIE_SECURE": "false",
                                "PDZ_WEB_COOKIE_DOMAIN": ".regione.example", "PDZ_WEB_IDLE_MINUTES": "15",
                                "PDZ_WEB_URL_BUDGET": "https://bilancio.example/"})
    assert (web.secret, web.cookie_secure, web.cookie_domain, web.idle_minutes) == ("x" * 32, False, ".regione.example", 15)
    assert web.urls["budget"] == "https://bilancio.example" and web.urls["registry"] == "http://127.0.0.1:58081"
    with pytest.raises(ValueError, match="PDZ_WEB_COOKIE_SECURE"):
        WebSettings.from_env({"PDZ_WEB_COOKIE_SECURE": "forse"})
