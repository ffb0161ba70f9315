"""The web layer with the Flask test client on a real tenant database: development login, the login
redirect, the 403 and 404 pages, CSRF refusing a write, a merged Ambito refusing writes (but the views marked
allowed_after_merger), production refusing to start without a secret.

The pages are a throwaway blueprint whose POST writes a row in the registry's database of the Ambito
(protocol_counters), so a refused POST can be shown to write nothing.
"""
from __future__ import annotations

import re

import psycopg
import pytest
import yaml
from flask import g, redirect, render_template_string, request

from shared.config import Settings
from shared.http.app import create_service_app, current_platform
from shared.http.auth import OPERATOR, READERS
from shared.web import PageBlueprint, allowed_after_merger, page_requires
from shared.web.settings import WebSettings
from tests.browser.web import fresh_catalogue

pages = PageBlueprint("prova_integrazione", __name__)
PAGE = '{% extends "pdz/layout.html" %}{% block title %}Prova{% endblock %}{% block content %}' \
       '<h1>Prova</h1><form method="post">{{ csrf_input() }}<button>Scrivi</button></form>{% endblock %}'


@pages.get("/pagina")
@page_requires(*READERS)
def read(tenant):
    return render_template_string(PAGE)


@pages.post("/scrivi")
@page_requires(OPERATOR)
def write(tenant):
    return _written()


@pages.post("/diritto")
@allowed_after_merger
@page_requires(OPERATOR)
def write_after_merger(tenant):
    return _written()


def _written():
    with current_platform().write(g.tenant) as conn:
        conn.execute("INSERT INTO protocol_counters (year, last_number) VALUES (%s, 1)",
                     (int(request.form["anno"]),))
    return redirect(f"/{g.tenant.slug}/pagina", code=303)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path, slugs, catalogue = fresh_catalogue(tmp_path_factory.mktemp("web"))
    base = Settings.from_env()
    settings = Settings(tenants_file=path, database_url=base.database_url, kafka_bootstrap=base.kafka_bootstrap,
                        extra={"web": WebSettings(cookie_secure=False)})
    app = create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages], settings=settings)
    return app, slugs, catalogue


@pytest.fixture(scope="module")
def merged_world(tmp_path_factory):
    """Two Ambiti, the second merged into the first."""
    path, slugs, catalogue = fresh_catalogue(tmp_path_factory.mktemp("web-merged"))
    document = yaml.safe_load(path.read_text())
    document["tenants"][0]["merged_from"] = [slugs[1]]
    document["tenants"][1].update(status="merged", merged_into=slugs[0], merged_on="2024-07-01")
    path.write_text(yaml.safe_dump(document))
    base = Settings.from_env()
    settings = Settings(tenants_file=path, database_url=base.database_url, kafka_bootstrap=base.kafka_bootstrap,
                        extra={"web": WebSettings(cookie_secure=False)})
    app = create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages], settings=settings)
    return app, slugs, catalogue


def csrf(client, path: str = "/accesso/sviluppo") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def dev_login(client, *, role: str, tenant: str | None, next_path: str | None = None):
    form = {"ruolo": role, "ambito": tenant or "", "soggetto": "prova", "csrf_token": csrf(client)}
    if next_path:
        form["next"] = next_path
    return client.post("/accesso/sviluppo", data=form)


def rows(catalogue, slug: str) -> int:
    with psycopg.connect(catalogue.url_for(catalogue.get(slug), "registry")) as conn:
        return conn.execute("SELECT count(*) FROM protocol_counters").fetchone()[0]


def test_anonymous_is_sent_to_the_login_and_comes_back(world):
    app, slugs, _ = world
    client = app.test_client()
    answer = client.get(f"/{slugs[0]}/pagina?vista=tutte")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/accesso?next=/{slugs[0]}/pagina%3Fvista%3Dtutte"
    answer = dev_login(client, role="operator", tenant=slugs[0], next_path=f"/{slugs[0]}/pagina?vista=tutte")
    assert answer.status_code == 303 and answer.headers["Location"] == f"/{slugs[0]}/pagina?vista=tutte"
    page = client.get(f"/{slugs[0]}/pagina")
    assert page.status_code == 200 and "<h1>Prova</h1>" in page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'; script-src 'self'")


def test_next_never_leads_to_another_site(world):
    app, slugs, _ = world
    client = app.test_client()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = dev_login(client, role="operator", tenant=slugs[0], next_path=target)
        assert answer.status_code == 303 and "evil" not in answer.headers["Location"]


def test_a_role_in_another_ambito_gets_the_403_page(world):
    app, slugs, _ = world
    client = app.test_client()
    dev_login(client, role="operator", tenant=slugs[0])
    answer = client.get(f"/{slugs[1]}/pagina")
    assert answer.status_code == 403 and answer.mimetype == "text/html"
    assert "Accesso non consentito" in answer.get_data(as_text=True)
    # A stakeholder here is not a reader: 403 too; the regional admin reads every Ambito.
    dev_login(client, role="stakeholder", tenant=slugs[0])
    assert client.get(f"/{slugs[0]}/pagina").status_code == 403
    dev_login(client, role="regional-admin", tenant=None)
    assert client.get(f"/{slugs[1]}/pagina").status_code == 200
    assert client.post(f"/{slugs[1]}/scrivi", data={"anno": "2001", "csrf_token": csrf(client)}).status_code == 403


def test_an_unknown_ambito_is_the_italian_404_page_even_anonymous(world):
    app, _, _ = world
    answer = app.test_client().get("/non-esiste/pagina")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert "Non esiste l&#39;Ambito «non-esiste»." in answer.get_data(as_text=True)


def test_a_post_without_its_csrf_token_writes_nothing(world):
    app, slugs, catalogue = world
    client = app.test_client()
    dev_login(client, role="operator", tenant=slugs[0])
    before = rows(catalogue, slugs[0])
    for form in ({"anno": "2031"}, {"anno": "2031", "csrf_token": "falso"}):
        answer = client.post(f"/{slugs[0]}/scrivi", data=form)
        assert answer.status_code == 400 and answer.mimetype == "text/html"
        assert "Nessun dato è stato salvato." in answer.get_data(as_text=True)
    assert rows(catalogue, slugs[0]) == before
    # Another session's token is refused too: the token is tied to the session.
    other = app.test_client()
    dev_login(other, role="operator", tenant=slugs[0])
    assert client.post(f"/{slugs[0]}/scrivi", data={"anno": "2031", "csrf_token": csrf(other)}).status_code == 400
    assert rows(catalogue, slugs[0]) == before
    answer = client.post(f"/{slugs[0]}/scrivi", data={"anno": "2031", "csrf_token": csrf(client)})
    assert answer.status_code == 303 and rows(catalogue, slugs[0]) == before + 1


def test_logout_ends_the_session(world):
    app, slugs, _ = world
    client = app.test_client()
    dev_login(client, role="operator", tenant=slugs[0])
    assert client.get(f"/{slugs[0]}/pagina").status_code == 200
    assert client.post("/uscita", data={}).status_code == 400   # logout is a form too: no token, no logout
    answer = client.post("/uscita", data={"csrf_token": csrf(client, f"/{slugs[0]}/pagina")})
    assert answer.status_code == 303 and answer.headers["Location"] == "/accesso"
    assert client.get(f"/{slugs[0]}/pagina").status_code == 302


def test_the_api_stays_problem_json_and_token_checked(world):
    app, slugs, _ = world
    client = app.test_client()
    dev_login(client, role="operator", tenant=slugs[0])
    # The session cookie is no API credential, and a browser asking the API gets problem+json.
    answer = client.get(f"/v1/{slugs[0]}/sharing", headers={"Accept": "text/html"})
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert client.get("/non/esiste", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/non/esiste", headers={"Accept": "application/json"}).mimetype == "application/problem+json"


def test_the_development_login_is_a_404_outside_development(world):
    _, _, catalogue = world
    base = Settings.from_env()
    web = WebSettings(secret="s" * 40, oidc_discovery_url="https://idp.example.org/realms/r/.well-known/openid-configuration",
                      oidc_client_id="pdz")
    settings = Settings(env="production", jwt_dev_key=None, jwt_jwks_url="https://idp.example.org/certs",
                        tenants_file=world[0].extensions["pdz"].settings.tenants_file,
                        database_url=base.database_url, db_role_secrets={"registry": "r" * 40}, extra={"web": web})
    app = create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages], settings=settings)
    client = app.test_client()
    for method in ("get", "post"):
        answer = getattr(client, method)("/accesso/sviluppo")
        assert answer.status_code == 404 and answer.mimetype == "text/html"
    # ... and production will not start without a real secret for the session cookie.
    for secret in (None, "short", "pdz-local-web-session-secret-not-for-production"):
        refused = Settings(**{**settings.__dict__, "extra": {"web": WebSettings(**{**web.__dict__, "secret": secret})}})
        with pytest.raises(ValueError, match="PDZ_WEB_SECRET"):
            create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages], settings=refused)


SERVE_PAGES = """
from shared.http.app import create_service_app
from shared.http.serve import serve
from tests.integration.test_web_pages import pages
serve(lambda: create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages]))
"""


def test_a_real_process_with_pages_refuses_to_start_in_production_without_the_secret(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import random_slug, write_catalogue
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(root), "PDZ_ENV": "production",
           "PDZ_JWT_JWKS_URL": "https://idp.example.org/certs", "PDZ_DB_ROLE_SECRET_REGISTRY": "r" * 40,
           "PDZ_TENANTS_FILE": str(write_catalogue(tmp_path, [random_slug("web")])),
           "PDZ_BIND": "127.0.0.1:0", "PDZ_METRICS_PORT": "0", "PDZ_WEB_WORKERS": "1"}
    done = subprocess.run([sys.executable, "-c", SERVE_PAGES], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert "PDZ_WEB_SECRET is not set" in done.stderr


def test_a_merged_ambito_is_read_but_its_pages_write_only_where_marked(merged_world):
    app, slugs, catalogue = merged_world
    client = app.test_client()
    dev_login(client, role="operator", tenant=slugs[1])
    assert client.get(f"/{slugs[1]}/pagina").status_code == 200
    before = rows(catalogue, slugs[1])
    refused = client.post(f"/{slugs[1]}/scrivi", data={"anno": "2031", "csrf_token": csrf(client)})
    assert refused.status_code == 409 and refused.mimetype == "text/html"
    assert f"L&#39;Ambito è confluito in «{slugs[0]}»" in refused.get_data(as_text=True)
    assert rows(catalogue, slugs[1]) == before
    allowed = client.post(f"/{slugs[1]}/diritto", data={"anno": "2032", "csrf_token": csrf(client)})
    assert allowed.status_code == 303 and rows(catalogue, slugs[1]) == before + 1
    anonymous = app.test_client().post(f"/{slugs[1]}/scrivi", data={"anno": "2033"})
    assert anonymous.status_code == 400   # no session, no CSRF token: refused before the merger is asked
