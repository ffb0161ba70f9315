"""Budget's working pages (FASE 3) through Flask's test client, logged in by the development login: a plan, its
interventions, a fund's assignment and allocations with the live totals; an allocation over the fund's limit or
against its earmarking refused at the field in Italian with what was typed kept (nothing written); roles."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.budget.app import create_app
from tests.integration.console import Page, ServiceConsole, csrf, post

pytestmark = pytest.mark.integration


class Console(ServiceConsole):
    """The budget app on fresh Ambiti, driven as a browser without JavaScript would."""

    service, key = "budget", "b"
    create_app = staticmethod(create_app)


@pytest.fixture
def console(tenants, settings, tmp_path):
    return Console(tenants, settings, tmp_path / "tenants.yaml")


def base(console) -> str:
    return f"/{console.slug}/bilancio"


def make_plan(console, operator, first_year=2024) -> str:
    """The office creates a plan through its page; the plan page's URL."""
    made = post(operator, f"{base(console)}/piani/nuovo", {"first_year": str(first_year)})
    assert made.status_code == 303, made.text
    return made.headers["Location"]


def add_intervention(console, operator, plan_url, **changes) -> str:
    form = {"code": "A3.1", "title": "Assistenza domiciliare agli anziani", "area": "3", "target_group": "anziani",
            "nomenclature_code": "1", "kind": "service"}
    form.update(changes)
    made = post(operator, f"{plan_url}/interventi/nuovo", {k: v for k, v in form.items() if v is not None})
    assert made.status_code == 303, made.text
    return made.headers["Location"]


def assign(console, operator, fund="FNA", year="2024", amount="10.000,00", decree="DGR n. 512 del 14/06/2024"):
    made = post(operator, f"{base(console)}/fondi/assegnazione", {
        "fund": fund, "year": year, "amount": amount, "decree_reference": decree, "decree_date": f"{year}-06-14"})
    assert made.status_code == 303, made.text


def intervention_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_allocations_live_totals_and_a_refusal_over_the_limit_at_the_amount(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    elderly = add_intervention(console, operator, plan_url)
    assign(console, operator, amount="10.000,00")
    url = f"{base(console)}/ripartizioni"

    too_much = {"intervention_id": intervention_id(elderly), "fund": "FNA", "year": "2024", "amount": "12.500,50"}
    refused = post(operator, url, too_much)
    assert refused.status_code == 409, refused.text
    form = Page(refused.text)
    assert form.fields["amount"].get("aria-invalid") == "true"
    assert form.fields["amount"]["value"] == "12.500,50"                      # what was typed, kept
    message = form.message_of("amount")
    assert "Supera la disponibilità del fondo FNA per il 2024" in message and "10.000,00 €" in message, message
    assert console.db("SELECT count(*) FROM allocations") == [(0,)]
    assert console.db("SELECT allocated FROM fund_years") == [(Decimal("0.00"),)]

    accepted = post(operator, url, {**too_much, "amount": "7.500,25"})
    assert accepted.status_code == 303
    page = operator.get(accepted.headers["Location"])
    assert "Ripartiti 7.500,25 € del fondo FNA per il 2024." in page.text
    totals = Page(page.text).texts["fondi"]
    assert "7.500,25 €" in totals and "2.499,75 €" in totals                   # allocated, available now
    assert console.db("SELECT amount FROM allocations") == [(Decimal("7500.25"),)]
    assert console.db("SELECT allocated FROM fund_years") == [(Decimal("7500.25"),)]

    again = post(operator, url, {**too_much, "amount": "1500"})                # the same fund, year, line
    assert again.status_code == 409 and "ha già una ripartizione" in Page(again.text).message_of("fund")
    assert "quasi-esauriti" not in operator.get(base(console)).text
    # Another line takes most of the rest: the home lists the fund-year as near its limit.
    disabled = add_intervention(console, operator, plan_url, code="A5.1", title="Trasporto sociale", area="5",
                                target_group="disabilita")
    assert post(operator, url, {**too_much, "intervention_id": intervention_id(disabled),
                                "amount": "1600"}).status_code == 303
    home = Page(operator.get(base(console)).text)
    assert "FNA 2024" in home.texts["quasi-esauriti"] and "899,75 €" in home.texts["quasi-esauriti"]


def test_earmarking_refused_at_the_fund_and_bad_amounts_said_in_italian(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    poverty = add_intervention(console, operator, plan_url, code="A4.1", title="Presa in carico dei nuclei",
                               area="4", target_group="poverta_emarginazione")
    assign(console, operator)
    url = f"{base(console)}/ripartizioni"
    typed = {"intervention_id": intervention_id(poverty), "fund": "FNA", "year": "2024", "amount": "100"}
    refused = post(operator, url, typed)
    assert refused.status_code == 422
    form = Page(refused.text)
    assert "Vincolo di destinazione del fondo FNA" in form.message_of("fund")
    assert "area tematica" in form.message_of("fund")
    assert form.fields["amount"]["value"] == "100"
    for amount, words in (("1,234.56", "virgola per i centesimi"), ("12,345", "Al massimo due decimali"),
                          ("-5", "non può essere negativo"), ("", "Campo obbligatorio.")):
        bad = post(operator, url, {**typed, "amount": amount})
        assert bad.status_code == 422, amount
        assert words in Page(bad.text).message_of("amount"), (amount, Page(bad.text).message_of("amount"))
    out = post(operator, url, {**typed, "year": "2030"})
    assert out.status_code in (409, 422)
    assert console.db("SELECT count(*) FROM allocations") == [(0,)]
    assert console.db("SELECT count(*) FROM outbox WHERE type LIKE %s", "%allocation%") == [(0,)]


def test_an_intervention_refused_at_its_fields_keeps_what_was_typed(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    form = {"code": "A5.2", "title": "Percorsi di autonomia", "area": "5", "target_group": "disabilita",
            "nomenclature_code": "1", "kind": "project", "investment": "1", "planned_start": "01/03/2031"}
    refused = post(operator, f"{plan_url}/interventi/nuovo", form)
    assert refused.status_code == 422
    page = Page(refused.text)
    assert "triennio" in page.message_of("planned_start") or "CUP" in page.message_of("cup")
    assert page.fields["title"]["value"] == "Percorsi di autonomia"
    assert console.db("SELECT count(*) FROM interventions") == [(0,)]
    no_cup = post(operator, f"{plan_url}/interventi/nuovo", {**form, "planned_start": "01/03/2025"})
    assert no_cup.status_code == 422 and "richiede il suo CUP" in Page(no_cup.text).message_of("cup")
    made = post(operator, f"{plan_url}/interventi/nuovo", {**form, "planned_start": "01/03/2025",
                                                              "cup": "j51b21005120006"})
    assert made.status_code == 303, made.text
    detail = operator.get(made.headers["Location"])
    assert "J51B21005120006" in detail.text and "01/03/2025" in detail.text
    twice = post(operator, f"{plan_url}/interventi/nuovo", {**form, "planned_start": "01/03/2025",
                                                               "cup": "J51B21005120006"})
    assert twice.status_code == 409 and "A5.2" in Page(twice.text).message_of("code")
    blank = post(operator, f"{plan_url}/interventi/nuovo", {"code": "", "title": ""})
    assert blank.status_code == 422 and "Campo obbligatorio." in Page(blank.text).message_of("title")
    assert console.db("SELECT count(*) FROM interventions") == [(1,)]


def test_roles_a_stakeholder_cannot_allocate_another_ambitos_operator_gets_403(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    elderly = add_intervention(console, operator, plan_url)
    assign(console, operator)
    stakeholder = console.client("stakeholder", "rappresentante-1")
    page = stakeholder.get(f"{base(console)}/ripartizioni")
    assert page.status_code == 200 and "modulo-ripartizione" not in page.text
    refused = stakeholder.post(f"{base(console)}/ripartizioni", data={
        **csrf(page.text), "intervention_id": intervention_id(elderly), "fund": "FNA", "year": "2024",
        "amount": "100,00"})
    assert refused.status_code == 403
    assert console.db("SELECT count(*) FROM allocations") == [(0,)]
    assert stakeholder.get(elderly).status_code == 200                       # the plan's lines are public
    assert stakeholder.get(plan_url).status_code == 403                      # its versions are the office's
    stranger = console.client("operator", "operatore-altrove", tenant=console.other)
    assert stranger.get(base(console)).status_code == 403
    assert stranger.get(f"{base(console)}/ripartizioni").status_code == 403
    anonymous = console.app.test_client().get(f"{base(console)}/ripartizioni")
    assert anonymous.status_code == 302 and "/accesso" in anonymous.headers["Location"]


def test_an_allocation_raised_over_the_limit_or_lowered_below_the_committed_is_told_at_the_amount(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    line = add_intervention(console, operator, plan_url)
    assign(console, operator, amount="10.000,00")
    assert post(operator, f"{base(console)}/ripartizioni", {"intervention_id": intervention_id(line), "fund": "FNA",
                                                           "year": "2024", "amount": "6.000"}).status_code == 303
    allocation = console.db("SELECT id FROM allocations")[0][0]
    url = f"{base(console)}/ripartizioni/{allocation}"
    page = operator.get(url)
    assert Page(page.text).fields["amount"]["value"] == "6000,00"
    version = Page(page.text).fields["version"]["value"]
    raised = operator.post(f"{url}/importo", data={**csrf(page.text), "version": version, "amount": "10.000,01"})
    assert raised.status_code == 409
    assert "al massimo di 4.000,00 €" in Page(raised.text).message_of("amount")
    assert Page(raised.text).fields["amount"]["value"] == "10.000,01"
    assert console.db("SELECT amount FROM allocations") == [(Decimal("6000.00"),)]
    lowered = operator.post(f"{url}/importo", data={**csrf(page.text), "version": version, "amount": "9.000"})
    assert lowered.status_code == 303
    assert console.db("SELECT allocated FROM fund_years") == [(Decimal("9000.00"),)]
    stale = operator.post(f"{url}/importo", data={**csrf(page.text), "version": version, "amount": "1"})
    assert stale.status_code == 409 and "Nel frattempo" in Page(stale.text).message_of("amount")
    page = operator.get(url)
    released = operator.post(f"{url}/rilascia", data={**csrf(page.text),
                                                      "version": Page(page.text).fields["version"]["value"]})
    assert released.status_code == 303
    assert console.db("SELECT count(*) FROM allocations") == [(0,)]
    assert console.db("SELECT allocated FROM fund_years") == [(Decimal("0.00"),)]
