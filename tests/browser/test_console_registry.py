"""The registry's working pages in a real browser (Debian's chromium, headless): the FASE 1 journey of the
issue (the office publishes a call -> a representative applies, with a bad codice fiscale first, told at the
field with what it typed kept -> the office admits -> the organisation is in the register), axe-core with no
serious or critical violation on every page kind, the main links reached with Tab, screenshots saved
under test-artifacts/console/.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.cli.demo import demo_tax_code
from tests.browser.web import login, page_checker, tick

pytestmark = pytest.mark.integration
BAD_CF = "12345678901"          # eleven digits whose check digit is wrong
ORGANISATION = "Cooperativa Sociale La Ginestra"


@pytest.fixture(scope="module")
def registry(web_service):
    """The registry's app (API and pages) over HTTP on a fresh Ambito."""
    return web_service("registry")


check = page_checker("registro")


def local(delta: timedelta) -> str:
    """A datetime-local value: the pages read it in Italian time, whatever the machine's zone."""
    return (datetime.now(ZoneInfo("Europe/Rome")) + delta).strftime("%Y-%m-%dT%H:%M")


def test_fase1_journey_in_the_browser(registry, browser):
    base, slug = registry.base, registry.slug
    office = browser.new_context(locale="it-IT").new_page()
    login(office, registry, role="operator", subject="operatore-browser")
    office.goto(f"{base}/{slug}/")
    check(office, "home-ufficio")
    office.get_by_role("link", name="Nuovo avviso").first.click()
    office.get_by_role("button", name="Salva la bozza").click()          # empty: every field told
    assert office.locator("[role=alert]").first.is_visible()
    check(office, "avviso-nuovo-errori")
    office.get_by_label("Titolo dell'avviso").fill("Avviso pubblico per la rete del Piano 2026-2028")
    tick(office, office.get_by_label("Persone anziane"))
    office.get_by_label("Apertura (data e ora)").fill(local(timedelta(hours=-1)))
    office.get_by_label("Scadenza (data e ora)").fill(local(timedelta(days=30)))
    office.get_by_role("button", name="Salva la bozza").click()
    assert "Bozza dell'avviso salvata" in office.locator("body").inner_text()
    check(office, "avviso-bozza")
    office.get_by_role("button", name="Pubblica l'avviso").click()
    assert "Avviso pubblicato." in office.locator("body").inner_text()
    call_url = office.url

    person = browser.new_context(locale="it-IT").new_page()
    login(person, registry, role="stakeholder", subject="rappresentante-browser")
    person.goto(f"{base}/{slug}/")
    check(person, "home-rappresentante")
    person.get_by_role("link", name=re.compile("Presenta la domanda")).first.click()
    person.get_by_label("Denominazione").fill(ORGANISATION)
    person.get_by_label("Tipologia").select_option("social_cooperative")
    person.get_by_label("Codice fiscale o partita IVA").fill(BAD_CF)
    person.get_by_label("Comune della sede").select_option("076063")
    person.locator("[name='legal_representative.full_name']").fill("Maria Verdi")
    person.locator("[name='contact_person.full_name']").fill("Luca Neri")
    person.locator("[name='contact_person.email']").fill("luca.neri@example.org")
    tick(person, person.locator("[name='areas']").first)
    for name in ("possesso_requisiti", "assenza_cause_esclusione", "presa_visione_informativa_privacy"):
        tick(person, person.locator(f"[name='declarations.{name}']"))
    person.get_by_role("button", name="Presenta la domanda").click()
    code = person.locator("[name='organisation.tax_code']")
    assert code.input_value() == BAD_CF and code.get_attribute("aria-invalid") == "true"
    message = person.locator(f"#{code.get_attribute('aria-describedby').split()[-1]}")
    assert message.is_visible() and "Codice fiscale o partita IVA non valido" in message.inner_text()
    # Next to the field: the message sits within a field's height of the input.
    field_box, message_box = code.bounding_box(), message.bounding_box()
    assert abs(message_box["y"] - field_box["y"]) < 3 * field_box["height"]
    assert person.get_by_label("Denominazione").input_value() == ORGANISATION
    check(person, "domanda-errori")
    code.fill(demo_tax_code(ORGANISATION, "076"))
    for name in ("possesso_requisiti", "assenza_cause_esclusione", "presa_visione_informativa_privacy"):
        tick(person, person.locator(f"[name='declarations.{name}']"))
    person.get_by_role("button", name="Presenta la domanda").click()
    protocol = re.search(r"protocollo n\. ([0-9]{4}/[0-9]{6})", person.locator("body").inner_text()).group(1)
    check(person, "domanda-presentata")

    office.goto(f"{base}/{slug}/")
    office.get_by_role("link", name=protocol).click()
    check(office, "domanda-istruttoria")
    office.get_by_role("button", name="Ammetti").click()
    assert "Domanda ammessa" in office.locator("body").inner_text()
    office.goto(f"{base}/{slug}/registro/")
    assert ORGANISATION in office.locator("#registro").inner_text()
    check(office, "registro")
    office.get_by_role("link", name=ORGANISATION).click()
    assert protocol in office.locator("#storico").inner_text()
    check(office, "soggetto")
    for path, kind in (("avvisi/", "avvisi"), ("domande/", "domande"), ("profilo", "profilo"),
                       ("profilo/modifica", "profilo-modifica"), ("privacy", "privacy"),
                       ("registro/nuovo", "soggetto-nuovo")):
        office.goto(f"{base}/{slug}/{path}")
        check(office, kind)
    person.goto(f"{base}/{slug}/domande/")
    assert "Ammessa" in person.locator("#domande").inner_text()
    check(person, "mie-domande")
    person.goto(f"{base}/{slug}/organizzazione/")
    assert ORGANISATION in person.locator("main").inner_text()
    check(person, "organizzazione")
    assert call_url


def test_the_main_links_are_reached_with_the_keyboard(registry, browser):
    base, slug = registry.base, registry.slug
    page = browser.new_context().new_page()
    login(page, registry, role="operator", subject="operatore-tastiera")
    page.goto(f"{base}/{slug}/")
    sections = page.locator("nav[aria-label='Sezioni del registro'] a").element_handles()
    wanted = {page.evaluate("a => a.href", a) for a in sections}
    assert len(wanted) >= 5
    reached = set()
    for _ in range(page.locator("a[href], button, input, select, textarea, [tabindex='0']").count() + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.href || null")
        if focused:
            reached.add(focused)
    assert wanted <= reached, sorted(wanted - reached)
