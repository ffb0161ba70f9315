"""The OpenID Connect login end to end over HTTP: Authlib in the service against an identity provider
served by this test (discovery, authorize, token with PKCE, JWKS, end-session), RS256 ID tokens.

The provider is small but real over HTTP: it checks the PKCE verifier against the challenge and hands
out each code once; the service's side is the production code path (Authlib's state, nonce and ID
token checks, then shared.http.auth's claims mapping). What a Keycloak realm adds (SPID/CIE brokering,
group mappers) is configuration: docs/console.md.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, render_template_string, request
from werkzeug.serving import make_server

from shared.config import Settings
from shared.http.app import create_service_app
from shared.http.auth import READERS
from shared.web import PageBlueprint, page_requires
from shared.web.settings import WebSettings
from tests.conftest import random_slug, write_catalogue

CLIENT_ID = "pdz-pagine"
pages = PageBlueprint("prova_oidc", __name__)


@pages.get("/")
@page_requires(*READERS)
def home(tenant):
    return render_template_string("{{ g.principal.subject }} {{ g.roles | sort | join(',') }}")


class Provider:
    """An OpenID provider on a loopback port; `claims` (and `tamper`) say what its next ID token holds."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict = {}
        self.tamper: dict = {}
        self.codes: dict[str, dict] = {}
        self.app = self._app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}/realms/prova"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _app(self) -> Flask:
        app = Flask("provider")

        @app.get("/realms/prova/.well-known/openid-configuration")
        def discovery():
            base = f"{self.issuer}/protocol/openid-connect"
            return jsonify(issuer=self.issuer, authorization_endpoint=f"{base}/auth", token_endpoint=f"{base}/token",
                           jwks_uri=f"{base}/certs", end_session_endpoint=f"{base}/logout",
                           response_types_supported=["code"], id_token_signing_alg_values_supported=["RS256"],
                           code_challenge_methods_supported=["S256"])

        @app.get("/realms/prova/protocol/openid-connect/certs")
        def certs():
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return jsonify(keys=[{**public, "kid": "k1", "use": "sig", "alg": "RS256"}])

        @app.get("/realms/prova/protocol/openid-connect/auth")
        def authorize():
            asked = request.args
            assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
            assert asked["code_challenge_method"] == "S256" and "openid" in asked["scope"].split()
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"challenge": asked["code_challenge"], "nonce": asked["nonce"],
                                "redirect_uri": asked["redirect_uri"]}
            return redirect(f"{asked['redirect_uri']}?code={code}&state={asked['state']}")

        @app.post("/realms/prova/protocol/openid-connect/token")
        def token():
            form = request.form
            grant = self.codes.pop(form.get("code"), None)   # each code once
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant is None or challenge != grant["challenge"] or form.get("redirect_uri") != grant["redirect_uri"]:
                return jsonify(error="invalid_grant"), 400
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant["nonce"],
                      **self.claims, **self.tamper}
            key = self.other_key if self.tamper.pop("_other_key", False) else self.key
            claims.pop("_other_key", None)
            id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
            return jsonify(access_token="a" * 20, token_type="Bearer", expires_in=300, id_token=id_token)

        return app

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def provider():
    found = Provider()
    yield found
    found.stop()


@pytest.fixture
def site(provider, tmp_path):
    slugs = [random_slug("web"), random_slug("web")]
    web = WebSettings(oidc_discovery_url=f"{provider.issuer}/.well-known/openid-configuration",
                      oidc_client_id=CLIENT_ID, urls={"registry": "https://registro.example"})
    secret = "p" * 40
    settings = Settings(env="production", jwt_dev_key=None, jwt_jwks_url=f"{provider.issuer}/certs",
                        tenants_file=write_catalogue(tmp_path, slugs), db_role_secrets={"registry": "r" * 40},
                        extra={"web": WebSettings(**{**web.__dict__, "secret": secret})})
    app = create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages], settings=settings)
    provider.claims = {"sub": "RSSMRA80A01H501U", "groups": [f"/ambiti/{slugs[0]}/operator"],
                       "realm_access": {"roles": ["offline_access"]}}
    provider.tamper = {}
    return app, slugs


def log_in(client, *, next_path: str):
    """/accesso -> the provider (a real HTTP request) -> the callback on the service; the callback's answer."""
    start = client.get(f"/accesso?next={next_path}", base_url="https://registro.example")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.scheme + "://" + back.netloc == "https://registro.example" and back.path == "/accesso/ritorno"
    return client.get(f"{back.path}?{back.query}", base_url="https://registro.example"), authorize


def test_login_through_the_provider_maps_the_groups_to_roles(site):
    app, slugs = site
    client = app.test_client()
    answer, authorize = log_in(client, next_path=f"/{slugs[0]}/")
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["ui_locales"] == ["it"]
    assert answer.status_code == 302 and answer.headers["Location"] == f"/{slugs[0]}/"
    page = client.get(f"/{slugs[0]}/", base_url="https://registro.example")
    assert page.get_data(as_text=True) == "RSSMRA80A01H501U operator"   # the API's mapping: offline_access grants nothing
    assert client.get(f"/{slugs[1]}/", base_url="https://registro.example").status_code == 403
    # Logout ends the session here and at the provider (RP-initiated logout).
    token = client.get("/accesso", base_url="https://registro.example").get_data(as_text=True)
    csrf = token.split('name="csrf_token" value="')[1].split('"')[0]
    out = client.post("/uscita", data={"csrf_token": csrf}, base_url="https://registro.example")
    assert out.status_code == 303
    ended = urlsplit(out.headers["Location"])
    assert ended.path.endswith("/protocol/openid-connect/logout")
    assert parse_qs(ended.query) == {"client_id": [CLIENT_ID], "post_logout_redirect_uri": ["https://registro.example/accesso"],
                                     "ui_locales": ["it"]}
    assert client.get(f"/{slugs[0]}/", base_url="https://registro.example").status_code == 302


def test_production_sends_the_login_straight_to_the_provider_and_has_no_development_login(site, provider):
    app, _ = site
    client = app.test_client()
    answer = client.get("/accesso", base_url="https://registro.example")
    assert answer.status_code == 302 and answer.headers["Location"].startswith(provider.issuer)
    missing = client.get("/accesso/sviluppo", base_url="https://registro.example")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    # The logout form's redirect goes to the provider: the pages' CSP lets forms lead there, nowhere else.
    origin = "http://" + urlsplit(provider.issuer).netloc
    assert f"form-action 'self' {origin};" in missing.headers["Content-Security-Policy"]


@pytest.mark.parametrize("tamper", [
    {"nonce": "another-login"},            # a replayed ID token of another login
    {"aud": "another-client"},             # an ID token issued to another client
    {"iss": "http://127.0.0.1:1/realms/x"},  # from another issuer
    {"exp": 1000},                         # expired
    {"_other_key": True},                  # not signed by the provider's key
    {"sub": ""},                           # the API's mapping refuses an empty subject
])
def test_an_id_token_that_fails_a_check_logs_nobody_in(site, provider, tamper):
    app, slugs = site
    provider.tamper = dict(tamper)
    client = app.test_client()
    answer, _ = log_in(client, next_path=f"/{slugs[0]}/")
    assert answer.status_code == 400 and "L&#39;accesso non è riuscito" in answer.get_data(as_text=True)
    assert client.get(f"/{slugs[0]}/", base_url="https://registro.example").status_code == 302


def test_a_callback_with_another_state_or_a_reused_code_is_refused(site, provider):
    app, slugs = site
    client = app.test_client()
    start = client.get("/accesso", base_url="https://registro.example")
    back = urlsplit(requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    query = parse_qs(back.query)
    forged = client.get(f"/accesso/ritorno?code={query['code'][0]}&state=forged", base_url="https://registro.example")
    assert forged.status_code == 400
    # A code the provider already exchanged (or never gave) is refused by it: no login either.
    again, _ = log_in(client, next_path="/")
    assert again.status_code == 302
    victim = app.test_client()
    victim.get("/accesso", base_url="https://registro.example")
    replay = victim.get(f"/accesso/ritorno?{back.query}", base_url="https://registro.example")
    assert replay.status_code == 400
