"""The shared web layer in a real browser (Debian's chromium): the development login, the layout, a form
with its Italian errors, the 403 and 404 pages, logout; axe-core finds no serious or critical violation
on any of them; screenshots and axe findings under test-artifacts/console/.

The pages are a throwaway app's (a form and a home under /{tenant}/), so this tests shared/web alone;
the services' own journeys use the same fixtures (tests/browser/web.py).
"""
from __future__ import annotations

import re

import pytest
from flask import g, redirect, render_template_string, request
from marshmallow import Schema, ValidationError, fields, validate

from shared.http.app import create_service_app
from shared.http.auth import OPERATOR, READERS
from shared.web import PageBlueprint, field_errors, page_requires
from tests.browser.web import axe_findings, login, logout

pages = PageBlueprint("prova_pagine", __name__)
HOME = """{% extends "pdz/layout.html" %}{% block title %}Home di prova{% endblock %}
{% block content %}<h1>Home di prova</h1><p id="ruoli">{{ g.roles | sort | join(",") }}</p>
<p><a href="{{ url_for('prova_pagine.form', tenant=g.tenant.slug) }}">Modulo</a></p>{% endblock %}"""
FORM = """{% extends "pdz/layout.html" %}{% from "pdz/forms.html" import error_summary, input %}
{% block title %}Modulo di prova{% endblock %}{% block content %}<h1>Modulo di prova</h1>
{{ error_summary(errors, labels={"titolo": "Titolo"}) }}
<form method="post" novalidate>{{ csrf_input() }}
{{ input("titolo", "Titolo", values, errors, required=True, hint="Da 3 a 20 caratteri.") }}
<button type="submit" class="btn btn-primary" id="salva">Salva</button></form>{% endblock %}"""


class Titolo(Schema):
    titolo = fields.String(required=True, validate=validate.Length(min=3, max=20))


@pages.get("/")
@page_requires(*READERS)
def home(tenant):
    return render_template_string(HOME)


@pages.route("/modulo", methods=["GET", "POST"])
@page_requires(OPERATOR)
def form(tenant):
    values, errors = request.form, {}
    if request.method == "POST":
        try:
            Titolo().load({k: v for k, v in request.form.items() if k == "titolo" and v})
            return redirect(f"/{g.tenant.slug}/", code=303)
        except ValidationError as err:
            errors = field_errors(err)
            return render_template_string(FORM, values=values, errors=errors), 422
    return render_template_string(FORM, values=values, errors=errors)


def make_app(settings):
    return create_service_app(service="registry", title="Prova", blueprints=[], pages=[pages], settings=settings)


@pytest.fixture(scope="module")
def site(web_site):
    return web_site(make_app)


def test_development_login_then_logout(site, page):
    answer = page.goto(site.url(f"/{site.slug}/"))
    # Anonymous: sent to the login, which in development offers the development login.
    assert page.url == site.url(f"/accesso?next=/{site.slug}/")
    assert answer.status == 200 and page.locator("html").get_attribute("lang") == "it"
    assert axe_findings(page, "accesso") == []
    page.click("#accesso-sviluppo")
    assert page.locator("h1").inner_text() == "Accesso di sviluppo"
    assert axe_findings(page, "accesso-sviluppo") == []
    # A wrong subject: the page answers with the message at the field, keeping what was chosen.
    page.select_option("#ruolo", "operator")
    page.fill("#soggetto", "")
    page.click("#entra")
    assert page.locator("#soggetto-errore").inner_text() == "Campo obbligatorio."
    assert page.locator("#ambito-errore").inner_text() == "Scegliere l'Ambito in cui vale il ruolo."
    assert page.locator("#ruolo").input_value() == "operator"
    assert axe_findings(page, "accesso-sviluppo-errori") == []

    login(page, site, role="operator", subject="mario.rossi", next_path=f"/{site.slug}/")
    assert page.url == site.url(f"/{site.slug}/")
    assert page.locator("#ruoli").inner_text() == "operator"
    assert page.locator("[role=status]").inner_text().startswith("Accesso di sviluppo eseguito")
    assert page.locator("#utente").inner_text() == "Utente: mario.rossi"
    # Bootstrap Italia came from this service: its header style applies.
    assert page.locator(".it-header-center-wrapper").evaluate("e => getComputedStyle(e).backgroundColor") \
        == "rgb(0, 102, 204)"
    cookie = next(c for c in page.context.cookies() if c["name"] == "pdz_sessione")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert axe_findings(page, "home") == []

    logout(page)
    assert page.url == site.url("/accesso")
    assert page.locator("[role=status]").inner_text() == "Sei uscito."
    page.goto(site.url(f"/{site.slug}/"))
    assert page.url.startswith(site.url("/accesso?next="))


def test_a_form_answers_at_the_field_and_keeps_what_was_typed(site, page):
    login(page, site, role="operator")
    page.goto(site.url(f"/{site.slug}/modulo"))
    page.fill("#titolo", "ab")
    page.click("#salva")
    assert page.locator("#titolo-errore").inner_text() == "Tra 3 e 20 caratteri."
    assert page.locator("#titolo").input_value() == "ab"
    assert page.locator("#titolo").get_attribute("aria-invalid") == "true"
    assert "titolo-errore" in page.locator("#titolo").get_attribute("aria-describedby")
    assert page.locator("#riepilogo-errori a[href='#titolo']").inner_text() == "Titolo: Tra 3 e 20 caratteri."
    assert axe_findings(page, "modulo-errori") == []
    page.fill("#titolo", "Un titolo")
    page.click("#salva")
    assert page.url == site.url(f"/{site.slug}/")


def test_error_pages_are_italian_and_accessible(site, page):
    login(page, site, role="stakeholder")
    answer = page.goto(site.url(f"/{site.slug}/modulo"))
    assert answer.status == 403 and page.locator("h1").inner_text() == "Accesso non consentito"
    assert axe_findings(page, "errore-403") == []
    answer = page.goto(site.url("/ambito-che-non-esiste/"))
    assert answer.status == 404 and page.locator("h1").inner_text() == "Pagina non trovata"
    assert re.search("Non esiste l'Ambito «ambito-che-non-esiste»", page.locator("#dettaglio").inner_text())
    assert axe_findings(page, "errore-404") == []


other_pages = PageBlueprint("prova_altro_servizio", __name__)


@other_pages.get("/")
@page_requires(*READERS)
def other_home(tenant):
    return render_template_string('{% extends "pdz/layout.html" %}{% block title %}Consultazione di prova'
                                  '{% endblock %}{% block content %}<h1>Consultazione di prova</h1>{% endblock %}')


def make_other_app(settings):
    return create_service_app(service="consultation", title="Prova", blueprints=[], pages=[other_pages],
                              settings=settings)


def test_one_login_serves_every_service_and_the_navigation_links_them(site, web_site, page):
    other = web_site(make_other_app, service="consultation", beside=site)
    login(page, site, role="auditor", subject="revisore")
    # Another service (another port: cookies ignore ports, as a shared cookie domain does for hosts): logged in.
    page.goto(other.url(f"/{site.slug}/"))
    assert page.locator("h1").inner_text() == "Consultazione di prova"
    assert page.locator("#utente").inner_text() == "Utente: revisore"
    navigation = page.locator("nav[aria-label='Servizi del Piano']")
    assert navigation.locator("a[aria-current]").inner_text() == "Consultazione"
    # Its navigation leads back to the registry's pages of the same Ambito.
    navigation.locator("text=Registro e avvisi").click()
    assert page.url == site.url(f"/{site.slug}/") and page.locator("h1").inner_text() == "Home di prova"
    # Logging out in one service logs out of all (one cookie).
    page.goto(other.url(f"/{site.slug}/"))
    logout(page)
    page.goto(site.url(f"/{site.slug}/"))
    assert page.url.startswith(site.url("/accesso?next="))


def test_the_skip_link_is_the_first_stop_of_the_keyboard(site, page):
    login(page, site, role="operator")
    page.goto(site.url(f"/{site.slug}/modulo"))
    page.keyboard.press("Tab")
    skip = page.locator(".skiplink a")
    assert skip.evaluate("a => a === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#contenuto")
    page.keyboard.press("Tab")   # from the main content on: the form's first field, not the header again
    assert page.evaluate("document.activeElement.id") in ("titolo",)
