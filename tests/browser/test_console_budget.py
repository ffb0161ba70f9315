"""Budget's working pages in a real browser (Debian's chromium, headless): the issue's journey "an allocation
refused over a fund's limit with the message shown at the field" (the office makes a plan, a line, records the
fund's decree, allocates too much -> told at the amount, what it typed kept -> allocates what fits -> the live
totals show the rest), axe-core with no serious or critical violation on every page kind, screenshots under
test-artifacts/console/.
"""
from __future__ import annotations

import pytest

from tests.browser.web import login, page_checker

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def budget(web_service):
    """Budget's app (API and pages) over HTTP on a fresh Ambito."""
    return web_service("budget")


check = page_checker("bilancio")


def test_an_allocation_over_the_funds_limit_is_told_at_the_field_then_one_that_fits_updates_the_totals(budget,
                                                                                                      browser):
    base, slug = budget.base, budget.slug
    office = browser.new_context(locale="it-IT").new_page()
    login(office, budget, role="operator", subject="operatore-bilancio")
    office.goto(f"{base}/{slug}/")                                      # the navigation's link
    assert office.url.endswith(f"/{slug}/bilancio")
    check(office, "home-vuota")

    office.get_by_role("link", name="Nuovo piano triennale").first.click()
    office.get_by_role("button", name="Crea il piano").click()          # empty: told at the field
    assert office.locator("#first_year-errore").inner_text() == "Campo obbligatorio."
    check(office, "piano-nuovo-errori")
    office.get_by_label("Primo anno del triennio").fill("2024")
    office.get_by_role("button", name="Crea il piano").click()
    assert "Piano 2024-2026 creato in bozza" in office.locator("body").inner_text()
    check(office, "piano")

    office.get_by_role("link", name="Interventi del piano").click()
    check(office, "interventi-vuoti")
    office.get_by_role("link", name="Nuovo intervento").click()
    office.locator("[name=code]").fill("A3.1")
    office.locator("[name=title]").fill("Assistenza domiciliare agli anziani")
    office.locator("[name=area]").select_option("3")
    office.locator("[name=target_group]").select_option("anziani")
    office.locator("[name=nomenclature_code]").select_option("1")
    office.locator("[name=planned_start]").fill("2027-01-01")           # outside 2024-2026
    office.get_by_role("button", name="Aggiungi l'intervento").click()
    assert "triennio" in office.locator("#planned_start-errore").inner_text()
    assert office.locator("[name=title]").input_value() == "Assistenza domiciliare agli anziani"
    check(office, "intervento-nuovo-errori")
    office.locator("[name=planned_start]").fill("2024-03-01")
    office.get_by_role("button", name="Aggiungi l'intervento").click()
    assert "Intervento A3.1 aggiunto al piano." in office.locator("body").inner_text()
    check(office, "intervento")
    line_url = office.url

    office.goto(f"{base}/{slug}/bilancio/fondi/assegnazione")
    office.locator("[name=fund]").select_option("FNA")
    office.locator("[name=year]").fill("2024")
    office.locator("[name=amount]").fill("10.000,00")
    office.locator("[name=decree_reference]").fill("DGR n. 512 del 14/06/2024")
    office.locator("[name=decree_date]").fill("2024-06-14")
    check(office, "assegnazione")
    office.get_by_role("button", name="Registra l'assegnazione").click()
    assert "Assegnazione registrata: 10.000,00 €" in office.locator("body").inner_text()

    office.goto(line_url)
    office.get_by_role("link", name="Ripartisci un fondo su questo intervento").click()
    form = office.locator("#modulo-ripartizione")
    assert line_url.endswith(form.locator("[name=intervention_id]").input_value())   # the line, chosen already
    form.locator("[name=fund]").select_option("FNA")
    form.locator("[name=year]").fill("2024")
    form.locator("[name=amount]").fill("12.500,50")
    office.get_by_role("button", name="Ripartisci").click()
    amount = office.locator("[name=amount]")
    assert amount.input_value() == "12.500,50" and amount.get_attribute("aria-invalid") == "true"
    message = office.locator("#amount-errore")
    assert message.is_visible()
    assert message.inner_text() == ("Supera la disponibilità del fondo FNA per il 2024: restano 10.000,00 € da"
                                    " ripartire, l'importo richiesto è 12.500,50 €.")
    assert "amount-errore" in amount.get_attribute("aria-describedby")
    field_box, message_box = amount.bounding_box(), message.bounding_box()
    assert abs(message_box["y"] - field_box["y"]) < 3 * field_box["height"]   # next to the field
    assert office.locator("[name=fund]").input_value() == "FNA"
    assert "10.000,00 €" in office.locator("#fondi tr[data-fondo='FNA'] [data-colonna=disponibile]").inner_text()
    check(office, "ripartizione-rifiutata")

    amount.fill("7.500,25")
    office.get_by_role("button", name="Ripartisci").click()
    assert "Ripartiti 7.500,25 € del fondo FNA per il 2024." in office.locator("[role=status]").inner_text()
    row = office.locator("#fondi tr[data-fondo='FNA'][data-anno='2024']")
    assert "7.500,25 €" in row.locator("[data-colonna=ripartito]").inner_text()
    assert "2.499,75 €" in row.locator("[data-colonna=disponibile]").inner_text()
    assert "7.500,25 €" in office.locator("#ripartizioni").inner_text()
    check(office, "ripartizioni")
    office.goto(line_url)
    office.get_by_role("link", name="FNA 2024").click()
    check(office, "ripartizione")

    for path, kind in (("bilancio", "home"), ("bilancio/piani/", "piani")):
        office.goto(f"{base}/{slug}/{path}")
        check(office, kind)

    person = browser.new_context(locale="it-IT").new_page()
    login(person, budget, role="stakeholder", subject="rappresentante-bilancio")
    person.goto(f"{base}/{slug}/bilancio")
    check(person, "home-rappresentante")
    person.get_by_role("link", name="Fondi e ripartizioni").first.click()
    assert person.locator("#modulo-ripartizione").count() == 0
    check(person, "ripartizioni-rappresentante")


def test_approval_commitment_with_a_wrong_cig_and_progress_report_pages(budget, browser, tmp_path):
    base, slug = budget.base, budget.slug
    office = browser.new_context(locale="it-IT").new_page()
    login(office, budget, role="operator", subject="operatore-spesa")
    office.goto(f"{base}/{slug}/bilancio/piani/nuovo")
    office.get_by_label("Primo anno del triennio").fill("2027")
    office.get_by_role("button", name="Crea il piano").click()
    plan_url = office.url
    office.goto(f"{plan_url}/interventi/nuovo")
    office.locator("[name=code]").fill("A5.1")
    office.locator("[name=title]").fill("Trasporto sociale per le persone con disabilità")
    office.locator("[name=area]").select_option("5")
    office.locator("[name=target_group]").select_option("disabilita")
    office.locator("[name=nomenclature_code]").select_option("1")
    office.get_by_role("button", name="Aggiungi l'intervento").click()
    office.goto(f"{base}/{slug}/bilancio/fondi/assegnazione")
    office.locator("[name=fund]").select_option("FNPS")
    office.locator("[name=year]").fill("2027")
    office.locator("[name=amount]").fill("50000")
    office.locator("[name=decree_reference]").fill("Decreto di riparto FNPS 2027")
    office.locator("[name=decree_date]").fill("2026-01-15")
    office.get_by_role("button", name="Registra l'assegnazione").click()
    form = office.locator("#modulo-ripartizione")
    form.locator("[name=intervention_id]").select_option(label="A5.1 – Trasporto sociale per le persone con disabilità"
                                                               " (2027-2029)")
    form.locator("[name=fund]").select_option("FNPS")
    form.locator("[name=year]").fill("2027")
    form.locator("[name=amount]").fill("20.000")
    office.get_by_role("button", name="Ripartisci").click()

    office.goto(plan_url)
    office.get_by_role("button", name="Adotta").click()
    office.get_by_role("button", name="Registra l'approvazione dell'Assemblea dei Sindaci").click()
    assert office.locator("#approval_act-errore").inner_text() == "Campo obbligatorio."
    check(office, "piano-passaggio-errori")
    office.get_by_label("Deliberazione dell'Assemblea dei Sindaci").fill("Delibera n. 7 del 20/11/2026")
    office.get_by_role("button", name="Registra l'approvazione dell'Assemblea dei Sindaci").click()
    assert "Approvato dall'Assemblea dei Sindaci" in office.locator("#piano").inner_text()
    check(office, "piano-approvato")

    office.goto(f"{base}/{slug}/bilancio/impegni")
    office.locator("[name=allocation_id]").select_option(label="A5.1 · FNPS 2027 · impegnabile 20.000,00 €")
    office.locator("[name=amount]").fill("5.000,00")
    office.locator("[name=act_reference]").fill("Determina n. 301 del 25/11/2026")
    office.locator("[name=act_date]").fill("2026-11-25")
    office.locator("[name=cig]").fill("8527277398")
    office.get_by_role("button", name="Registra l'impegno").click()
    cig = office.locator("[name=cig]")
    assert cig.input_value() == "8527277398" and cig.get_attribute("aria-invalid") == "true"
    assert "caratteri di controllo del CIG" in office.locator("#cig-errore").inner_text()
    check(office, "impegno-cig-errato")
    cig.fill("8527277397")
    office.get_by_role("button", name="Registra l'impegno").click()
    assert "Impegno registrato: 5.000,00 €" in office.locator("[role=status]").inner_text()
    check(office, "impegno")
    office.goto(f"{base}/{slug}/bilancio/impegni")
    check(office, "impegni")

    office.goto(f"{plan_url}/avanzamento")
    check(office, "avanzamento")
    bad = tmp_path / "avanzamento.csv"
    bad.write_text("codice;anno;trimestre;stato;percentuale\nA5.1;2027;1;concluso;40\n", encoding="utf-8")
    office.locator("#file").set_input_files(str(bad))
    office.get_by_role("button", name="Carica").click()
    assert "Righe rifiutate: 1 su 1" in office.locator("#file-errore").inner_text()
    assert "2" in office.locator("#rapporto").inner_text()
    check(office, "avanzamento-rapporto")
    office.goto(f"{plan_url}/differenze?da=1&a=1")
    check(office, "differenze")


def test_the_allocation_form_is_filled_and_sent_with_the_keyboard_alone(budget, browser):
    base, slug = budget.base, budget.slug
    page = browser.new_context(locale="it-IT").new_page()
    login(page, budget, role="operator", subject="operatore-tastiera")
    page.goto(f"{base}/{slug}/bilancio/ripartizioni")
    if page.locator("#modulo-ripartizione").count() == 0:     # run alone: a plan and a line of its own first
        page.goto(f"{base}/{slug}/bilancio/piani/nuovo")
        page.get_by_label("Primo anno del triennio").fill("2030")
        page.get_by_role("button", name="Crea il piano").click()
        page.goto(f"{page.url}/interventi/nuovo")
        for name, value in (("code", "K1"), ("title", "Segretariato sociale")):
            page.locator(f"[name={name}]").fill(value)
        for name, value in (("area", "1"), ("target_group", "popolazione_generale"), ("nomenclature_code", "1")):
            page.locator(f"[name={name}]").select_option(value)
        page.get_by_role("button", name="Aggiungi l'intervento").click()
        page.goto(f"{base}/{slug}/bilancio/ripartizioni")
    order = []
    for _ in range(page.locator("a[href], button, input, select, textarea").count() + 5):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement && document.activeElement.name || null")
        if name in ("intervention_id", "fund", "year", "amount") and name not in order:
            order.append(name)
        if page.evaluate("document.activeElement && document.activeElement.id") == "ripartisci-invia":
            break
    assert order == ["intervention_id", "fund", "year", "amount"]          # the focus follows the form's order
    page.focus("[name=amount]")
    with page.expect_navigation():
        page.keyboard.press("Enter")                                      # sent from the keyboard: every field told
    assert page.locator("#riepilogo-errori").is_visible()
    assert page.locator("[name=amount]").get_attribute("aria-invalid") == "true"
