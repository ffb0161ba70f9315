"""Consultation's working pages in a real browser (Debian's chromium, headless), on a tablet-sized screen
with touch: a session from invitation to approved minutes (the office creates a table and seats two
organisations -> schedules a session with its invitations, told at the field first -> takes attendance
with one tap per organisation -> records it held -> writes the minutes, refused empty first -> approves
-> the minutes' PDF link answers a PDF), axe-core with no serious or critical violation on every page kind,
screenshots saved under test-artifacts/console/.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import psycopg
import pytest

from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from tests.browser.web import login, page_checker, tick

from services.consultation.projectors import project
from services.consultation.timeline import service as timeline

pytestmark = pytest.mark.integration
TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True, "locale": "it-IT"}
SENTIERO, POLLINO = "Cooperativa Sociale Il Sentiero", "ODV Amici del Pollino"


@pytest.fixture(scope="module")
def consultation(web_service):
    """Consultation's app (API and pages) over HTTP on a fresh Ambito with two organisations in its register."""
    site = web_service("consultation")
    url = site.catalogue.url_for(site.catalogue.get(site.slug), "consultation")
    for name in (SENTIERO, POLLINO):
        sid = str(uuid.uuid4())
        event = new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=site.slug,
                          aggregate_id=sid, data={"stakeholder_id": sid, "name": name, "type": "ets", "areas": ["3"],
                                                  "status": "active", "version": 1,
                                                  "registered_at": "2026-03-01T09:00:00+00:00"})
        with psycopg.connect(url) as conn:
            apply_rows(conn, project(event))
    today = timeline.today()
    with psycopg.connect(url, autocommit=True) as conn:   # one milestone past its planned end: late
        timeline.plan_milestone(conn=conn, tenant=site.slug, subject="ufficio", phase="fase_2",
                                title="Profilo di comunità", planned_start=today - timedelta(days=20),
                                planned_end=today - timedelta(days=4))
    return site


check = page_checker("consultazione")


def local(delta: timedelta) -> str:
    return (datetime.now() + delta).strftime("%Y-%m-%dT%H:%M")


def body(page) -> str:
    return page.locator("body").inner_text()


def test_a_session_from_invitation_to_approved_minutes(consultation, browser):
    base, slug = consultation.base, consultation.slug
    office = browser.new_context(**TABLET).new_page()
    login(office, consultation, role="operator", subject="operatore-browser")
    office.goto(f"{base}/{slug}/tavoli")
    check(office, "home-ufficio")
    office.get_by_role("link", name="Nuovo tavolo").click()
    office.get_by_role("button", name="Crea il tavolo").click()           # empty: every field told
    assert office.locator("[role=alert]").first.is_visible()
    assert office.locator("#title").get_attribute("aria-invalid") == "true"
    check(office, "tavolo-nuovo-errori")
    office.get_by_label("Tipo di tavolo").select_option("thematic")
    office.get_by_label("Titolo").fill("Tavolo tematico Anziani")
    tick(office, office.locator("[name='areas']").first)
    office.get_by_label("Account del coordinatore").fill("coordinatrice-browser")
    office.get_by_role("button", name="Crea il tavolo").click()
    assert "Tavolo creato" in body(office)
    for name, account in ((SENTIERO, "rappresentante-browser"), (POLLINO, "")):
        office.locator("#organisation_id").select_option(label=name)
        office.get_by_label("Account che agiscono per l'organizzazione").fill(account)
        office.get_by_role("button", name="Aggiungi al tavolo").click()
        assert "Organizzazione aggiunta al tavolo." in body(office)
    assert POLLINO in office.locator("#elenco-membri").inner_text()
    check(office, "tavolo")

    office.get_by_role("link", name="Convoca una sessione").click()
    office.get_by_label("Titolo della sessione").fill("Prima sessione: i bisogni degli anziani")
    office.get_by_label("Inizio (data e ora)").fill(local(timedelta(minutes=-30)))
    office.get_by_role("button", name="Convoca").click()                 # no place, no link: told at the field
    place = office.locator("#place")
    assert place.get_attribute("aria-invalid") == "true"
    assert "Indica il luogo" in office.locator("#place-errore").inner_text()
    assert office.get_by_label("Titolo della sessione").input_value() == "Prima sessione: i bisogni degli anziani"
    check(office, "sessione-nuova-errori")
    place.fill("Sala consiliare, Lauria")
    office.get_by_label("Ordine del giorno").fill("Apertura\nBisogni del territorio\nVarie")
    assert office.locator("#invite").is_checked()
    office.get_by_role("button", name="Convoca").click()
    assert "organizzazioni invitate: 2" in body(office)
    check(office, "sessione-convocata")
    session_url = office.url

    office.get_by_role("link", name="Prendi le presenze").click()
    in_room = office.get_by_role("button", name=f"In sala: {SENTIERO}")
    assert in_room.bounding_box()["height"] >= 44 and in_room.bounding_box()["width"] >= 44   # a finger's target
    check(office, "presenze")
    with office.expect_navigation():
        in_room.tap()
    assert f"Presenza registrata: {SENTIERO}, in presenza." in body(office)
    with office.expect_navigation():
        office.get_by_role("button", name=f"Da remoto: {POLLINO}").tap()
    assert f"Presenza registrata: {POLLINO}, da remoto." in body(office)
    assert office.locator("[data-presenti='1']").count() == 2

    office.goto(session_url)
    office.get_by_role("button", name="Segna la sessione come svolta").click()
    assert "registrata come svolta" in body(office)
    office.get_by_role("link", name="Scrivi o approva il verbale").click()
    check(office, "verbale-bozza")
    office.get_by_role("button", name="Salva la bozza").click()           # empty: refused at the field
    assert office.locator("#body").get_attribute("aria-invalid") == "true"
    office.get_by_label("Testo del verbale").fill(
        f"Presenti: {SENTIERO} (in sala), {POLLINO} (da remoto).\n\nSi discute dei bisogni degli anziani soli.")
    office.get_by_role("button", name="Salva la bozza").click()
    assert "Bozza del verbale salvata." in body(office)
    office.get_by_role("button", name="Approva la versione 1").click()
    assert "Verbale approvato" in body(office)
    assert "anziani soli" in office.locator("#testo-verbale").inner_text()
    check(office, "sessione-verbale-approvato")
    link = office.get_by_role("link", name="Scarica il verbale (PDF)")
    document = office.context.request.get(base + link.get_attribute("href"))
    assert document.status == 200 and document.headers["content-type"] == "application/pdf"
    assert document.body().startswith(b"%PDF")

    office.goto(f"{base}/{slug}/tavoli")
    assert office.locator("[data-conta='da-approvare']").inner_text() == "0"
    assert office.locator("[data-conta='in-ritardo']").inner_text() == "1"
    office.goto(f"{base}/{slug}/cronoprogramma")
    late = office.locator("tr[data-ritardo='4']")
    assert "In ritardo di 4 giorni" in late.inner_text()
    check(office, "cronoprogramma")

    person = browser.new_context(**TABLET).new_page()
    login(person, consultation, role="stakeholder", subject="rappresentante-browser")
    person.goto(session_url)
    assert "anziani soli" in person.locator("#testo-verbale").inner_text()
    assert person.get_by_role("button", name="Segna la sessione come svolta").count() == 0
    check(person, "sessione-rappresentante")
    person.goto(f"{base}/{slug}/tavoli")
    check(person, "home-rappresentante")


def test_needs_proposals_and_rounds_pages(consultation, browser):
    base, slug = consultation.base, consultation.slug
    office = browser.new_context(locale="it-IT").new_page()
    login(office, consultation, role="operator", subject="operatore-contributi")
    office.goto(f"{base}/{slug}/tavoli/nuovo")
    office.get_by_label("Tipo di tavolo").select_option("standing")
    office.get_by_label("Titolo").fill("Tavolo permanente Povertà")
    tick(office, office.locator("[name='areas']").first)
    office.get_by_role("button", name="Crea il tavolo").click()
    office.locator("#organisation_id").select_option(label=SENTIERO)
    office.get_by_label("Account che agiscono per l'organizzazione").fill("rappresentante-contributi")
    office.get_by_role("button", name="Aggiungi al tavolo").click()
    table_url = office.url

    person = browser.new_context(locale="it-IT").new_page()
    login(person, consultation, role="stakeholder", subject="rappresentante-contributi")
    person.goto(table_url)
    person.get_by_role("link", name="Segnala un bisogno").click()
    person.get_by_role("button", name="Registra il bisogno").click()      # no title, no text: told at the fields
    assert person.locator("#title").get_attribute("aria-invalid") == "true"
    check(person, "bisogno-nuovo-errori")
    person.get_by_label("Titolo del bisogno").fill("Famiglie in povertà energetica")
    person.get_by_label("Descrizione").fill("Bollette non pagate in crescita nei comuni dell'Ambito.")
    person.locator("#area").select_option(index=1)
    person.get_by_label("Area di utenza").select_option("poverta_emarginazione")
    person.get_by_role("button", name="Registra il bisogno").click()
    assert "Bisogno registrato." in body(person)
    for title in ("Fondo bollette", "Sportello energia"):
        person.get_by_role("link", name="Presenta una proposta").click()
        tick(person, person.locator("[name='need_ids']").first)
        person.get_by_label("Titolo della proposta").fill(title)
        person.get_by_label("Descrizione").fill("Un aiuto alle famiglie.")
        person.get_by_label("Risultato atteso").fill("Meno distacchi")
        person.get_by_label("Costo stimato (euro)").fill("15.000,00")
        if title == "Sportello energia":
            check(person, "proposta-nuova")
        person.get_by_role("button", name="Presenta la proposta").click()
        assert "Proposta presentata." in body(person)

    office.goto(table_url)
    office.get_by_role("link", name="Apri un turno di priorità").click()
    office.get_by_label("Titolo del turno").fill("Priorità povertà 2026")
    for box in office.locator("[name='proposal_ids']").all():
        tick(office, box)
    office.get_by_label("Chiusura (data e ora)").fill(local(timedelta(days=7)))
    check(office, "turno-nuovo")
    office.get_by_role("button", name="Apri il turno").click()
    assert "Turno di priorità aperto." in body(office)
    round_url = office.url

    person.goto(round_url)
    person.get_by_label("Punti a «Fondo bollette»").fill("6")
    person.get_by_label("Punti a «Sportello energia»").fill("4")
    check(person, "turno-voto")
    person.get_by_role("button", name="Registra il voto").click()
    assert "Voto registrato" in body(person)
    office.goto(round_url)
    office.get_by_role("button", name="Chiudi il turno ora").click()
    assert "Fondo bollette" in office.locator("#graduatoria").inner_text()
    check(office, "turno-graduatoria")
    for path, kind in (("bisogni", "bisogni"), ("turni", "turni")):
        person.goto(f"{base}/{slug}/{path}")
        check(person, kind)


def test_the_sections_are_reached_with_the_keyboard(consultation, browser):
    base, slug = consultation.base, consultation.slug
    page = browser.new_context().new_page()
    login(page, consultation, role="operator", subject="operatore-tastiera")
    page.goto(f"{base}/{slug}/tavoli")
    section_links = page.locator("nav[aria-label='Sezioni della consultazione'] a").element_handles()
    wanted = {page.evaluate("a => a.href", a) for a in section_links}
    assert len(wanted) >= 5
    reached = set()
    for _ in range(page.locator("a[href], button, input, select, textarea, [tabindex='0']").count() + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.href || null")
        if focused:
            reached.add(focused)
    assert wanted <= reached, sorted(wanted - reached)
