"""The public portal in a real browser (Debian's chromium, headless): every page kind loads, axe-core
finds no serious or critical violation (WCAG 2.1 AA and best practices), the figures shown equal the
API's and the read model's, Tab reaches every link, nothing needs JavaScript, and each page is
saved as a screenshot under test-artifacts/portal/.
"""
from __future__ import annotations

import json
import re
import urllib.request
from datetime import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe

from shared.documents import italian
from shared.http.auth import mint_dev_token
from services.reporting.portal import labels
from tests.browser import world
from tests.browser.conftest import ARTIFACTS, KEY

pytestmark = pytest.mark.integration
SERIOUS = {"serious", "critical"}


def kinds(portal) -> dict[str, str]:
    """Every page kind: home, a plain Ambito, a merged one, a former one, the comparison, open data, 404."""
    s = portal.slugs
    return {"home": "/portale/", "ambito": f"/portale/ambiti/{s['D']}", "ambito-unito": f"/portale/ambiti/{s['C']}",
            "territorio-di-provenienza": f"/portale/ambiti/{s['A']}",
            "confronto": "/portale/regioni/basilicata/confronto", "open-data": "/portale/open-data",
            "non-trovato": "/portale/ambiti/nessuno"}


def euro(text: str) -> Decimal:
    """'1.234,56 €' -> Decimal('1234.56')."""
    match = re.fullmatch(r"(-?[0-9.]+),([0-9]{2}) €", text.strip())
    assert match, f"{text!r} is not an amount in euro"
    return Decimal(f"{match.group(1).replace('.', '')}.{match.group(2)}")


def integer(text: str) -> int:
    return int(text.strip().split()[0].replace(".", ""))


def api(portal, path: str) -> dict:
    token = mint_dev_token(key=KEY, subject="portal-test", roles=["regional-admin"], tenants=[])
    request = urllib.request.Request(portal.page(path), headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def cell(page, table: str, row: str, figure: str) -> str:
    return page.locator(f"#{table} tr[data-riga='{row}'] [data-cifra='{figure}']").inner_text()


@pytest.mark.parametrize("kind", ["home", "ambito", "ambito-unito", "territorio-di-provenienza", "confronto",
                                  "open-data", "non-trovato"])
def test_every_page_kind_is_accessible_and_saved(portal, page, kind):
    answer = page.goto(portal.page(kinds(portal)[kind]))
    assert answer.status == (404 if kind == "non-trovato" else 200)
    # No token was sent: the portal is public; and its pages allow no script at all.
    assert "script-src" not in answer.headers["content-security-policy"]
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.locator("h1").count() == 1
    # Bootstrap Italia came from this service (its header style applies), never from another site.
    assert page.locator(".it-header-center-wrapper").evaluate("e => getComputedStyle(e).backgroundColor") \
        == "rgb(0, 102, 204)"
    assert page.locator("#aggiornamento time").inner_text() != "non disponibile"
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
    # Every finding of any impact is kept beside the screenshot, for people to read.
    (ARTIFACTS / f"{kind}-axe.json").write_text(json.dumps(results.response["violations"], indent=1))
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert serious == [], serious
    page.screenshot(path=ARTIFACTS / f"{kind}.png", full_page=True)


def test_only_this_service_is_asked_and_no_script_runs(portal, page):
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    for path in kinds(portal).values():
        page.goto(portal.page(path))
        assert page.locator("script").count() == 0
        for image in page.locator("img").all():
            assert image.evaluate("i => i.complete && i.naturalWidth > 0"), image.get_attribute("src")
    assert asked and all(url.startswith(portal.base) for url in asked), [u for u in asked if not u.startswith(portal.base)]


def test_every_page_says_how_fresh_its_figures_are(portal, page):
    newest = {}
    for event in portal.events:
        when = datetime.fromisoformat(event.time)
        newest[event.service] = max(newest.get(event.service, when), when)
    page.goto(portal.page("/portale/"))
    for service, name in labels.SERVICES.items():
        assert page.locator(f"[data-fonte='{name}']").inner_text() == f"{name}: {italian.moment(newest[service])}"
    assert page.locator("#aggiornamento time").inner_text() == italian.moment(max(newest.values()))


def test_the_figures_are_readable_without_javascript(portal, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(portal.page(f"/portale/ambiti/{portal.slugs['C']}"))
        assert euro(page.locator("#fondi tfoot [data-cifra='paid']").inner_text()) == Decimal("27500.10")
    finally:
        context.close()


def test_the_ambito_shows_the_apis_figures(portal, page):
    c = portal.slugs["C"]
    page.goto(portal.page(f"/portale/ambiti/{c}"))
    stats = api(portal, f"/v1/{c}/statistics/funds")
    assert stats["funds"], "the world gave the merged Ambito money"
    assert page.locator("#fondi tbody tr").count() == len(stats["funds"])
    for row in stats["funds"]:
        for figure in ("allocated", "committed", "paid"):
            assert euro(cell(page, "fondi", f"{row['fund']}-{row['year']}", figure)) == Decimal(row[figure])
    for figure in ("allocated", "committed", "paid"):
        assert euro(page.locator(f"#fondi tfoot [data-cifra='{figure}']").inner_text()) == Decimal(stats["totals"][figure])
    # Territory: the profile's comuni and population as the registry's event gave them.
    population = sum(world.COMUNI["C"].values())
    assert integer(page.locator("#profilo [data-cifra='popolazione']").inner_text()) == population
    assert page.locator("#comuni tbody tr").count() == len(world.COMUNI["C"])
    assert euro(page.locator("#profilo [data-cifra='liquidato-per-abitante']").inner_text()) == \
        (Decimal(stats["totals"]["paid"]) / population).quantize(Decimal("0.01"))
    assert page.locator("#piani [data-cifra='stato']").inner_text() == "Sottoscritto (accordo di programma)"
    # By area: the interventions' money adds up to the funds' totals.
    areas = page.locator("#aree tbody tr")
    assert areas.count() == 2
    assert sum(euro(t) for t in page.locator("#aree [data-cifra='allocated']").all_inner_texts()) == \
        Decimal(stats["totals"]["allocated"])
    assert page.locator("#interventi-elenco tbody tr").count() == 2


def test_the_consultation_is_shown_in_aggregate(portal, page, read_model):
    c = portal.slugs["C"]
    page.goto(portal.page(f"/portale/ambiti/{c}"))
    table_id = read_model.execute("SELECT table_id FROM consultation_table_facts WHERE tenant = %s", (c,)).fetchone()[0]
    row = str(table_id)
    assert integer(cell(page, "tavoli", row, "members")) == 3
    assert cell(page, "tavoli", row, "sessions_held") == "1 di 1"
    assert integer(cell(page, "tavoli", row, "present")) == 2
    assert integer(cell(page, "tavoli", row, "needs")) == 3
    assert integer(cell(page, "tavoli", row, "proposals")) == 2
    funnel = {k: integer(page.locator(f"#percorso [data-cifra='{k}']").inner_text())
              for k in ("needs", "proposals", "accepted", "funded")}
    assert funnel == {"needs": 3, "proposals": 2, "accepted": 1, "funded": 1}


def test_the_merged_ambito_is_shown_with_its_former_territories(portal, page):
    s = portal.slugs
    page.goto(portal.page(f"/portale/ambiti/{s['C']}"))
    whole = api(portal, f"/v1/{s['C']}/statistics/stakeholders")["whole"]["total"]
    row = "+".join([s["C"], s["A"], s["B"]])
    assert integer(cell(page, "provenienza", row, "soggetti")) == whole
    a_paid = Decimal(api(portal, f"/v1/{s['A']}/statistics/funds")["totals"]["paid"])
    assert euro(cell(page, "provenienza", s["A"], "paid")) == a_paid == Decimal("10000.00")
    assert integer(cell(page, "provenienza", s["A"], "popolazione")) == sum(world.COMUNI["A"].values())
    c_paid = Decimal(api(portal, f"/v1/{s['C']}/statistics/funds")["totals"]["paid"])
    assert euro(cell(page, "provenienza", row, "paid")) == a_paid + c_paid
    # The former Ambito's page says where it went.
    page.goto(portal.page(f"/portale/ambiti/{s['A']}"))
    assert page.get_by_role("note").get_by_role("link").get_attribute("href") == f"/portale/ambiti/{s['C']}"


def test_the_regional_comparison_is_per_inhabitant(portal, page):
    page.goto(portal.page("/portale/regioni/basilicata/confronto"))
    rows = page.locator("#confronto tbody tr")
    assert rows.count() == 3   # A, B, C: D is in Puglia
    for key in "ABC":
        slug = portal.slugs[key]
        totals = api(portal, f"/v1/{slug}/statistics/funds")["totals"]
        population = sum(world.COMUNI[key].values())
        assert integer(cell(page, "confronto", slug, "popolazione")) == population
        for figure in ("allocated", "paid"):
            assert euro(cell(page, "confronto", slug, figure)) == Decimal(totals[figure])
            assert euro(cell(page, "confronto", slug, f"{figure}_pc")) == \
                (Decimal(totals[figure]) / population).quantize(Decimal("0.01"))


def test_tab_reaches_every_link(portal, page):
    for kind, path in kinds(portal).items():
        page.goto(portal.page(path))
        links = set(page.locator("a[href]").evaluate_all("as => as.map(a => a.href)"))
        # Links, and the scrollable table boxes, which take the focus too (so a keyboard can scroll them).
        stops = page.locator("a[href], [tabindex='0']").count()
        reached = set()
        for _ in range(stops + 5):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement && document.activeElement.href || null")
            if focused:
                reached.add(focused)
        assert links <= reached, (kind, sorted(links - reached))


def test_no_personal_data_on_any_page(portal, page):
    for path in kinds(portal).values():
        page.goto(portal.page(path))
        text = page.locator("body").inner_text()
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), "an e-mail address on a public page"
        assert not re.search(r"\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b",
                             text), "a personal tax code on a public page"


def test_a_phone_reads_the_ambito_without_horizontal_scrolling_of_the_page(portal, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(portal.page(f"/portale/ambiti/{portal.slugs['C']}"))
    # Wide tables scroll inside their own box (table-responsive); the page itself does not (WCAG 1.4.10).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in SERIOUS]
    assert serious == []
    page.screenshot(path=ARTIFACTS / "ambito-unito-telefono.png", full_page=True)


def test_the_period_indicators_are_the_registrys(portal, page, read_model):
    from services.reporting.indicators import evaluate, territories
    from services.reporting.indicators.model import Period
    from services.reporting.portal.indicators import shown, value_text

    c = portal.catalogue.get(portal.slugs["C"])
    page.goto(portal.page(f"/portale/ambiti/{c.slug}?periodo=2025"))
    items = [i for i in evaluate.indicators() if shown(i)]
    expected, nonzero = {}, set()
    for item in items:
        for labelled in evaluate.figures(read_model, item=item, territories=territories.of_ambito(c), period=Period(2025)):
            row = (item.definition.code, json.dumps(labelled.figure.dimension, sort_keys=True))
            expected[(*row, f"{labelled.territory.level}:{labelled.territory.code}")] = \
                value_text(labelled.figure.value, item.definition.unit)
            if labelled.figure.value:
                nonzero.add(row)
    # Rows that are 0 for every territory are left out of the page.
    expected = {key: text for key, text in expected.items() if key[:2] in nonzero}
    assert expected, "the registry gave the world's Ambito some figures"
    shown_cells = {}
    for row in page.locator("#indicatori-periodo tbody tr").all():
        code, dimension = row.get_attribute("data-indicatore"), row.get_attribute("data-dimensione")
        for cell_ in row.locator("td[data-territorio]").all():
            if cell_.inner_text() != "—":
                shown_cells[(code, dimension, cell_.get_attribute("data-territorio"))] = cell_.inner_text()
    assert shown_cells == expected
    # The world's population reaches the registry's `abitanti` (a stock at the end of 2025).
    assert shown_cells[("abitanti", "{}", f"ambito:{c.slug}")] == labels.number(sum(world.COMUNI["C"].values()))


def test_the_comparison_per_inhabitant_of_a_period_is_the_registrys(portal, page, read_model):
    from services.reporting.indicators import evaluate, territories
    from services.reporting.indicators.model import Period

    page.goto(portal.page("/portale/regioni/basilicata/confronto?periodo=2025"))
    shown_territories = territories.representative(territories.of_region(list(portal.catalogue), "basilicata"))
    checked = 0
    for item in evaluate.indicators():
        if item.definition.unit != "EUR/abitante" or len(item.definition.dimensions) != 1:
            continue
        dimension = item.definition.dimensions[0]
        for labelled in evaluate.figures(read_model, item=item, territories=shown_territories, period=Period(2025)):
            if not labelled.figure.value:
                continue
            row = f"{labelled.territory.level}:{labelled.territory.code}"
            shown = page.locator(f"#{item.definition.code} tr[data-riga='{row}'] "
                                 f"[data-cifra='{labelled.figure.dimension[dimension]}']").inner_text()
            assert euro(shown) == labelled.figure.value
            checked += 1
    assert checked, "the registry gave the world's region some amounts per inhabitant in 2025"


def test_every_open_data_link_answers_without_a_token(portal, page):
    page.goto(portal.page("/portale/open-data"))
    links = page.locator("main a[href]").evaluate_all("as => as.map(a => a.href)")
    assert any("/opendata/statistiche.csv" in link for link in links)
    for link in links:
        with urllib.request.urlopen(link.split("#")[0], timeout=30) as answer:
            assert answer.status == 200, link
