"""A correction of the register in a real browser (Debian's chromium, headless): the representative asks from
'La vostra organizzazione' (a too-short name first, told at the field with what it typed kept) -> the office
finds it on its home and accepts -> the register shows the new value and the representative the outcome;
axe-core with no serious or critical violation on each page kind, screenshots under test-artifacts/console/.
"""
from __future__ import annotations

import pytest

from tests.browser.web import login, page_checker
from tests.integration.console import csrf, post
from tests.integration.test_console_registry import ORGANISATION, application_form, draft_and_publish

pytestmark = pytest.mark.integration
NEW_NAME = "Cooperativa Sociale Il Sentiero Impresa Sociale"
REPRESENTATIVE = "rappresentante-correzioni"


@pytest.fixture(scope="module")
def registry(web_service):
    """The registry's app (API and pages) over HTTP on a fresh Ambito."""
    return web_service("registry")


def client(site, role: str, subject: str):
    """The same app's test client, logged in by the development login (to set the scene, not under test)."""
    test_client = site.app.test_client()
    form = test_client.get("/accesso/sviluppo")
    test_client.post("/accesso/sviluppo", data={**csrf(form.text), "ruolo": role, "ambito": site.slug,
                                                "soggetto": subject})
    return test_client


@pytest.fixture(scope="module")
def admitted(registry):
    """The representative's organisation, admitted by the office through the pages."""
    operator = client(registry, "operator", "operatore-scena")
    call_url = draft_and_publish(operator, registry.slug)
    application = post(client(registry, "stakeholder", REPRESENTATIVE), f"{call_url}/domanda",
                       application_form()).headers["Location"]
    assert operator.post(f"{application}/ammetti", data=csrf(operator.get(application).text)).status_code == 303


check = page_checker("registro")


def test_a_representative_asks_the_office_accepts_and_the_register_shows_it(registry, admitted, browser):
    base, slug = registry.base, registry.slug
    person = browser.new_context(locale="it-IT").new_page()
    login(person, registry, role="stakeholder", subject=REPRESENTATIVE)
    person.goto(f"{base}/{slug}/organizzazione/")
    person.get_by_role("link", name="Chiedi una correzione").click()
    name = person.get_by_label("Denominazione")
    assert name.input_value() == ORGANISATION        # the register's value, to be corrected
    check(person, "correzione-nuova")
    name.fill("X")
    person.get_by_role("button", name="Invia la richiesta").click()
    name = person.get_by_label("Denominazione")
    assert name.input_value() == "X" and name.get_attribute("aria-invalid") == "true"
    message = person.locator(f"#{name.get_attribute('aria-describedby').split()[-1]}")
    assert message.is_visible() and "da 2 a 300 caratteri" in message.inner_text()
    field_box, message_box = name.bounding_box(), message.bounding_box()
    assert abs(message_box["y"] - field_box["y"]) < 3 * field_box["height"]
    assert person.locator("#reason-errore").is_visible()
    check(person, "correzione-errori")
    name.fill(NEW_NAME)
    person.get_by_label("Motivazione").fill("Dal 2026 lo statuto ci qualifica come impresa sociale")
    person.get_by_role("button", name="Invia la richiesta").click()
    assert "Richiesta di correzione inviata" in person.locator("body").inner_text()
    assert "In attesa" in person.locator("main table").inner_text()
    check(person, "organizzazione-richiesta")

    office = browser.new_context(locale="it-IT").new_page()
    login(office, registry, role="operator", subject="operatore-correzioni")
    office.goto(f"{base}/{slug}/")
    assert ORGANISATION in office.locator("#correzioni-in-attesa").inner_text()
    check(office, "home-ufficio-correzioni")
    office.locator("#correzioni-in-attesa").get_by_role("link", name=ORGANISATION).click()
    assert NEW_NAME in office.locator("#valori").inner_text()
    check(office, "correzione-ufficio")
    request_url = office.url
    office.get_by_role("link", name=ORGANISATION).click()           # the register's record says a request waits
    assert office.locator("#correzione-in-attesa").is_visible()
    check(office, "soggetto-correzione-in-attesa")
    office.locator("#correzione-in-attesa a").click()
    assert office.url == request_url
    office.get_by_role("button", name="Accogli la correzione").click()
    assert "Correzione accolta" in office.locator("body").inner_text()
    office.goto(f"{base}/{slug}/registro/")
    assert NEW_NAME in office.locator("#registro").inner_text()
    office.get_by_role("link", name=NEW_NAME).click()
    assert NEW_NAME in office.locator("#storico").inner_text()
    office.goto(f"{base}/{slug}/correzioni/?stato=accepted")
    assert ORGANISATION in office.locator("#correzioni").inner_text()
    check(office, "correzioni")

    person.goto(f"{base}/{slug}/organizzazione/")
    assert NEW_NAME in person.locator("main h2").first.inner_text()
    assert "Accolta" in person.locator("main table").inner_text()
    check(person, "organizzazione-esito")
