"""The regional admin's pages in a real browser (Debian's chromium, headless): log in as regional admin,
see the region's Ambiti with their phase, Piano and completeness of the year's deadlines, follow the
drill-down into one Ambito and from there its link into the registry's pages of that Ambito (one login
serves both); axe-core with no serious or critical violation on each page kind, every link of the page
reached with Tab, screenshots saved under test-artifacts/console/ (regionale-*.png).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest

from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event

from services.reporting import freshness
from services.reporting.projector import project
from tests.browser.web import login, page_checker

pytestmark = pytest.mark.integration
YEAR = datetime.now(ZoneInfo("Europe/Rome")).year


def registry_app(settings):
    from services.registry.app import create_app
    return create_app(settings=settings)


def reporting_app(settings):
    from services.reporting.app import create_app
    return create_app(settings=settings)


def _events(signed: str, caller: str) -> list:
    """A signed Piano for one Ambito (this triennium), a published call for the other."""
    plan_id, call_id = str(uuid.uuid4()), str(uuid.uuid4())
    first = YEAR - 1
    common = {"plan_id": plan_id, "first_year": first, "last_year": first + 2, "number": 1, "kind": "triennial"}
    events = [new_event(type="it.pdz.budget.plan.created.v1", service="budget", tenant=signed, aggregate_id=plan_id,
                        data={**common, "title": "Piano", "state": "draft",
                              "created_at": f"{first}-02-03T09:00:00+00:00", "version": 1})]
    moves = [("adopt", "draft", "adopted"), ("approve", "adopted", "approved"), ("send", "approved", "sent"),
             ("accept", "sent", "accepted"), ("sign", "accepted", "signed")]
    for version, (action, from_, to) in enumerate(moves, start=2):
        events.append(new_event(type="it.pdz.budget.plan.transitioned.v1", service="budget", tenant=signed,
                                aggregate_id=plan_id, data={**common, "reference_year": first, "action": action,
                                                            "from": from_, "to": to, "by_role": "operator",
                                                            "at": f"{first}-0{version}-10T10:00:00+01:00",
                                                            "version": version}))
    events.append(new_event(type="it.pdz.registry.call.published.v1", service="registry", tenant=caller,
                            aggregate_id=call_id, data={"call_id": call_id, "title": "Avviso per la rete",
                                                        "areas": ["3"], "opens_at": f"{YEAR}-01-10T09:00:00+01:00",
                                                        "closes_at": f"{YEAR + 1}-02-10T12:00:00+01:00",
                                                        "status": "published", "version": 2}))
    return events


@pytest.fixture(scope="module")
def sites(web_site):
    """The registry and, beside it on the same Ambiti, reporting (each linking to the other), with a read model."""
    registry = web_site(registry_app, service="registry")
    reporting = web_site(reporting_app, service="reporting", beside=registry)
    with psycopg.connect(reporting.catalogue.regional_url("reporting")) as conn:
        for event in _events(registry.slug, registry.other_slugs[0]):
            apply_rows(conn, [*project(event), freshness.mark(event)])
    return registry, reporting


check = page_checker("regionale")


def test_the_regional_admin_sees_the_ambiti_and_follows_a_drill_down(sites, browser):
    registry, reporting = sites
    signed, caller = registry.slug, registry.other_slugs[0]
    page = browser.new_context(locale="it-IT").new_page()
    login(page, reporting, role="regional-admin", subject="ufficio-regionale", next_path="/regioni/")
    assert page.url == reporting.url("/regioni/basilicata/")   # one region: straight to it
    check(page, "regione")
    main = page.locator("main")
    assert main.locator(f"tr[data-ambito='{signed}'] [data-fase]").inner_text() == "Piano sottoscritto"
    assert main.locator(f"tr[data-ambito='{caller}'] [data-fase]").inner_text() == "FASE 1 · Avviso e rete"
    row = main.locator(f"#ambiti-ciclo tr[data-ambito='{signed}']")
    assert "Sottoscritto (accordo di programma)" in row.inner_text()
    deadlines = main.locator("section[data-scadenza]")
    assert deadlines.count() >= 1, "the local campaigns file has deadlines for Basilicata this year"
    first = deadlines.first.locator(f"tr[data-ambito='{caller}']")
    assert first.locator("[data-stato]").inner_text().startswith(("Mancante", "Completato"))
    assert first.locator("td li").count() >= 1   # what is missing, listed

    page.get_by_role("link", name=f"Ambito di prova {signed}").click()
    page.wait_for_url(f"**/regioni/basilicata/ambiti/{signed}**")
    check(page, "ambito")
    assert page.locator("h1").inner_text() == f"Ambito di prova {signed}"
    assert page.locator("#piani [data-piano='signed']").count() == 1
    assert page.locator("#indicatori").is_visible()
    page.locator("#pagine-ambito a[data-servizio='registry']").click()
    page.wait_for_url(registry.url(f"/{signed}/"))
    assert page.locator("#utente").inner_text() == "Utente: ufficio-regionale"   # the same login, read-only there
    assert page.locator("h1").count() == 1 and page.get_by_role("link", name="Nuovo avviso").count() == 0


def test_every_link_of_the_regional_pages_is_reached_with_the_keyboard(sites, browser):
    registry, reporting = sites
    page = browser.new_context().new_page()
    login(page, reporting, role="regional-admin", subject="tastiera-regionale",
          next_path=f"/regioni/basilicata/ambiti/{registry.slug}")
    for path in ("/regioni/basilicata/", f"/regioni/basilicata/ambiti/{registry.slug}"):
        page.goto(reporting.url(path))
        wanted = {page.evaluate("a => a.href", a) for a in page.locator("main a[href]").element_handles()}
        assert len(wanted) >= 2, path
        reached = set()
        for _ in range(page.locator("a[href], button, input, select, textarea, [tabindex='0']").count() + 5):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement && document.activeElement.href || null")
            if focused:
                reached.add(focused)
        assert wanted <= reached, (path, sorted(wanted - reached))


def test_an_operator_gets_the_italian_403_page(sites, browser):
    registry, reporting = sites
    page = browser.new_context().new_page()
    login(page, reporting, role="operator", subject="operatore-ambito", next_path="/accesso")
    answer = page.goto(reporting.url("/regioni/basilicata/"))
    assert answer.status == 403 and page.locator("h1").inner_text() == "Accesso non consentito"
    check(page, "403")
