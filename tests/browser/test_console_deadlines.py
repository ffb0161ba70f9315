"""The Ufficio di Piano's regional deadlines in a real browser (Debian's chromium, headless): the operator
logs in on budget, follows «Scadenze di rendicontazione della Regione» from budget's home to reporting's
/{tenant}/scadenze (one login serves both) and reads the year's deadlines of the local campaigns file with
the Ambito's outcome, what is missing and the days left; axe-core with no serious or critical violation,
screenshot saved under test-artifacts/console/scadenze-ambito.png.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.browser.web import axe_findings, login

pytestmark = pytest.mark.integration
YEAR = datetime.now(ZoneInfo("Europe/Rome")).year


def budget_app(settings):
    from services.budget.app import create_app
    return create_app(settings=settings)


def reporting_app(settings):
    from services.reporting.app import create_app
    return create_app(settings=settings)


@pytest.fixture(scope="module")
def sites(web_site):
    """Reporting, and budget beside it on the same Ambiti (budget's navigation points at this reporting)."""
    reporting = web_site(reporting_app, service="reporting")
    budget = web_site(budget_app, service="budget", beside=reporting)
    return budget, reporting


def test_the_operator_follows_budgets_home_to_the_regions_deadlines(sites, browser):
    budget, reporting = sites
    slug = budget.slug
    page = browser.new_context(locale="it-IT").new_page()
    login(page, budget, role="operator", subject="operatore-scadenze", next_path=f"/{slug}/bilancio")
    page.get_by_role("link", name="Scadenze di rendicontazione della Regione").click()
    page.wait_for_url(reporting.url(f"/{slug}/scadenze"))
    assert page.locator("html").get_attribute("lang") == "it" and page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == "Scadenze di rendicontazione della Regione"
    assert page.locator("#utente").inner_text() == "Utente: operatore-scadenze"   # the same login
    with open("deploy/local/campaigns.yaml", encoding="utf-8") as f:
        configured = [d["code"] for d in yaml.safe_load(f)["campaigns"]["basilicata"].get(YEAR, [])]
    rows = page.locator("#scadenze-ambito tbody tr")
    shown = [rows.nth(i).get_attribute("data-scadenza") for i in range(rows.count())]
    assert sorted(shown) == sorted(configured) and len(shown) == len(configured)
    if configured:   # a fresh Ambito has done nothing: each deadline missing, with what is missing listed
        first = rows.first
        assert first.locator("[data-stato]").inner_text().startswith("Mancante")
        assert first.locator("[data-manca]").count() >= 1
        assert first.locator("[data-giorni]").inner_text().startswith(("manca", "scad"))
    assert axe_findings(page, "scadenze-ambito") == []
