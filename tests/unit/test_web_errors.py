"""A page never answers problem+json: its errors are Italian HTML pages with the pages' CSP."""
from __future__ import annotations

import pytest
from flask import abort

from shared.config import Settings
from shared.db.errors import DatabaseUnavailable
from shared.http.app import create_service_app
from shared.web import PageBlueprint
from tests.conftest import random_slug, write_catalogue

pages = PageBlueprint("prova_errori", __name__)


@pages.get("/guasto")
def broken(tenant):
    raise RuntimeError("a bug")


@pages.get("/database")
def database(tenant):
    raise DatabaseUnavailable("pool exhausted", retry_after=2)


@pages.get("/")
def home(tenant):
    return "casa"


@pages.get("/vietato")
def forbidden(tenant):
    abort(403)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    slug = random_slug("web")
    settings = Settings(tenants_file=write_catalogue(tmp_path_factory.mktemp("web"), [slug]))
    app = create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages], settings=settings)
    return app.test_client(), slug


@pytest.mark.parametrize(("path", "status", "title"), [
    ("guasto", 500, "Errore del servizio"),
    ("database", 503, "Servizio momentaneamente non disponibile"),
    ("vietato", 403, "Accesso non consentito"),
    ("non-esiste", 404, "Pagina non trovata"),
])
def test_errors_of_pages_are_italian_pages(client, path, status, title):
    test_client, slug = client
    answer = test_client.get(f"/{slug}/{path}", headers={"Accept": "application/json"})   # whatever is asked
    assert answer.status_code == status and answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    assert f'<h1 data-stato="{status}">{title}</h1>' in html and '<html lang="it">' in html
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'; script-src 'self'")
    assert "a bug" not in html
    if status == 503:
        assert answer.headers["Retry-After"] == "2"


def test_a_form_with_a_nul_character_is_refused_before_the_view(client):
    test_client, slug = client
    html = test_client.get("/accesso/sviluppo").get_data(as_text=True)
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    answer = test_client.post("/accesso/sviluppo", data={"ruolo": "operator", "ambito": slug,
                                                          "soggetto": "a\x00b", "csrf_token": token})
    assert answer.status_code == 400 and "carattere NUL" in answer.get_data(as_text=True)


def test_a_slash_is_added_only_to_an_ambito_that_exists(client):
    test_client, slug = client
    known = test_client.get(f"/{slug}")
    assert known.status_code == 308 and known.headers["Location"].endswith(f"/{slug}/")
    unknown = test_client.get("/non-un-ambito")   # an API client: problem+json, as for any unknown path
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    browser = test_client.get("/non-un-ambito", headers={"Accept": "text/html"})
    assert browser.status_code == 404 and browser.mimetype == "text/html"
