"""The Ufficio di Piano's view of its own regional deadlines (/{tenant}/scadenze, issue 13 item 2) through
Flask's test client, logged in by the development login: the deadlines, outcomes and what is missing equal
/v1/regions/{region}/campaigns for that Ambito; the days left; roles (operator, coordinator, auditor, the
regional roles of the region read; a stakeholder and another Ambito's operator 403); unknown Ambito 404.

The read model and the campaigns file are test_console_regional's Region (facts through the projectors).
"""
from __future__ import annotations

from datetime import datetime
from html import unescape

import pytest

from services.reporting.campaigns.completeness import ROME
from services.reporting.portal import labels
from tests.integration.test_console_regional import Cells, Region, api, login

pytestmark = pytest.mark.integration


@pytest.fixture
def region(catalogue_factory, settings, tmp_path, monkeypatch):
    monkeypatch.delenv("PDZ_REGION", raising=False)
    return Region(catalogue_factory, settings, tmp_path, monkeypatch)


def _expected(app, slug: str) -> dict:
    answer = api(app, "/v1/regions/basilicata/campaigns?year=2025")
    return {d["code"]: (d["due"], next(a for a in d["ambiti"] if a["tenant"] == slug)) for d in answer["deadlines"]}


@pytest.mark.parametrize("who", ["signed", "late", "silent"])
def test_the_ambitos_deadlines_equal_the_regional_campaign_api(region, who):
    app = region.app()
    slug = getattr(region, who)
    page = login(app, "operator", slug).get(f"/{slug}/scadenze?anno=2025")
    assert page.status_code == 200, page.text
    cells = Cells(page.text)
    expected = _expected(app, slug)
    shown = {d["scadenza"]: (d["stato"], d["scaduta"]) for d, _ in cells.having("stato")}
    assert shown == {code: (a["status"], "sì" if a["overdue"] else "no") for code, (_, a) in expected.items()}
    missing = {}
    for data, text in cells.having("manca"):
        missing.setdefault(data["scadenza"], []).append(text)
    assert missing == {code: a["missing"] for code, (_, a) in expected.items() if a["missing"]}
    today = datetime.now(ROME).date()
    days = {d["scadenza"]: (d["giorni"], text) for d, text in cells.having("giorni")}
    for code, (due, _) in expected.items():
        left = (datetime.fromisoformat(due).date() - today).days
        assert days[code][0] == str(left)
        assert days[code][1] == (f"scaduta da {-left} giorni" if left < -1 else
                                 f"mancano {left} giorni" if left > 1 else days[code][1])
    assert labels.moment(region.as_of) in page.text   # the read model's freshness


def test_outcomes_in_the_office_s_words(region):
    app = region.app()
    late = unescape(login(app, "operator", region.late).get(f"/{region.late}/scadenze?anno=2025").text)
    assert "Completato in ritardo" in late and "Mancante" in late
    assert "nessun impegno registrato sul FNA 2025" in late
    signed = Cells(login(app, "auditor", region.signed).get(f"/{region.signed}/scadenze?anno=2025").text)
    assert {d["stato"] for d, _ in signed.having("stato")} == {"done"} and not signed.having("manca")


def test_the_year_defaults_to_this_year_and_lists_the_configured_years(region):
    app = region.app()
    page = login(app, "coordinator", region.late).get(f"/{region.late}/scadenze")
    assert page.status_code == 200, page.text
    this_year = datetime.now(ROME).year
    assert f"Scadenze del {this_year}" in page.text
    if this_year != 2025:
        assert "La Regione non ha configurato scadenze" in unescape(page.text)
    assert f'href="/{region.late}/scadenze?anno=2025"' in page.text


def test_roles_stakeholder_and_another_ambitos_operator_403_regional_roles_read(region, monkeypatch):
    app = region.app()
    path = f"/{region.late}/scadenze?anno=2025"
    for role, tenant in (("stakeholder", region.late), ("operator", region.signed)):
        refused = login(app, role, tenant).get(path)
        assert refused.status_code == 403 and "Accesso non consentito" in refused.text, role
    for role in ("regional-admin", "regional-reviewer"):
        assert login(app, role).get(path).status_code == 200, role
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/accesso?next=")
    monkeypatch.setenv("PDZ_REGION", "puglia")   # another region's admin
    refused = login(region.app(), "regional-admin").get(path)
    assert refused.status_code == 403 and "vale per un'altra regione" in unescape(refused.text)


def test_a_merged_ambito_reads_its_deadlines_unjudged(region):
    page = login(region.app(), "operator", region.former).get(f"/{region.former}/scadenze?anno=2025")
    assert page.status_code == 200, page.text
    assert unescape(page.text).count("L'Ambito non risponde più alla Regione (confluito in un altro).") == 2


def test_unknown_ambito_is_the_italian_404_page(region):
    missing = login(region.app(), "operator", region.late).get("/nessun-ambito-cosi/scadenze")
    assert missing.status_code == 404 and "Pagina non trovata" in missing.text
    assert missing.headers["Content-Type"].startswith("text/html") and 'lang="it"' in missing.text


def test_budgets_home_links_the_office_to_the_deadlines_on_reporting_not_a_stakeholder(region):
    from services.budget.app import create_app
    from shared.web.settings import WebSettings
    budget = create_app(settings=region.settings)
    reporting = WebSettings().urls["reporting"]   # the environment's (local) URL of reporting's pages
    link = f'href="{reporting}/{region.late}/scadenze"'
    for role in ("operator", "auditor"):
        home = login(budget, role, region.late).get(f"/{region.late}/bilancio")
        assert home.status_code == 200, home.text
        assert link in home.text and "Scadenze di rendicontazione della Regione" in home.text, role
    stakeholder = login(budget, "stakeholder", region.late).get(f"/{region.late}/bilancio")
    assert stakeholder.status_code == 200 and "/scadenze" not in stakeholder.text
