"""Correction requests on the registry's pages (test client, development login): the representative asks from
'La vostra organizzazione', refused input is told at the field in Italian with what was typed kept; the office
sees it on its home, accepts (the register changes, with its history) or rejects with a reason the
representative reads; a second decision or a record changed meanwhile is a 409 page; roles."""
from __future__ import annotations

import re

import pytest

from tests.integration.console import Page, csrf, post
from tests.integration.test_console_registry import ORGANISATION, Console, application_form
from tests.integration.test_console_registry import draft_and_publish

pytestmark = pytest.mark.integration
NEW_NAME = "Cooperativa Sociale Il Sentiero Onlus"


@pytest.fixture
def console(tenants, settings, tmp_path):
    return Console(tenants, settings, tmp_path / "tenants.yaml")


@pytest.fixture
def organisation(console):
    """The representative's organisation admitted by the office: (operator, representative, form URL)."""
    operator = console.client("operator", "operatore-1")
    call_url = draft_and_publish(operator, console.slug)
    representative = console.client("stakeholder", "rappresentante-1")
    application = post(representative, f"{call_url}/domanda", application_form()).headers["Location"]
    assert operator.post(f"{application}/ammetti", data=csrf(operator.get(application).text)).status_code == 303
    mine = Page(representative.get(f"/{console.slug}/organizzazione/").text)
    form_url = next(link for link in mine.links if link.endswith("/correzione"))
    return operator, representative, form_url


def correction_form(page_html: str, **changes) -> dict:
    """What the form holds (the register's values) with `changes` typed over it."""
    fields = Page(page_html).fields
    form = {name: attrs.get("value", "") for name, attrs in fields.items()
            if name.startswith("changes.") and attrs.get("type") != "checkbox"}
    form["changes.type"] = "social_cooperative"
    form["changes.seat_istat"] = "076063"
    form["changes.areas"] = ["3"]
    form.update(changes)
    return form


def ask(representative, form_url, **changes):
    page = representative.get(form_url)
    assert page.status_code == 200, page.text
    return representative.post(form_url, data={**csrf(page.text), **correction_form(page.text, **changes)})


def pending_link(operator, slug) -> str:
    home = Page(operator.get(f"/{slug}/").text)
    return next(link for link in home.links if re.search(r"/correzioni/[0-9a-f-]{36}$", link))


def test_the_form_holds_the_registers_values_and_refusals_are_told_at_the_field(console, organisation):
    _operator, representative, form_url = organisation
    page = Page(representative.get(form_url).text)
    assert page.fields["changes.name"]["value"] == ORGANISATION
    refused = ask(representative, form_url, **{"changes.name": "X", "changes.type": "banca", "reason": "no"})
    assert refused.status_code == 422
    shown = Page(refused.text)
    assert "da 2 a 300 caratteri" in shown.message_of("changes.name")
    assert "Spiega la correzione" in shown.message_of("reason")
    assert shown.fields["changes.name"]["value"] == "X"
    assert "riepilogo-errori" in shown.texts and "Denominazione:" in shown.texts["riepilogo-errori"]
    ets = ask(representative, form_url, **{"changes.type": "ets", "reason": "Siamo iscritti al RUNTS dal 2025"})
    assert ets.status_code == 422 and "sezione del RUNTS" in Page(ets.text).message_of("changes.runts_section")
    assert "Siamo iscritti al RUNTS dal 2025" in Page(ets.text).texts["reason"]
    same = ask(representative, form_url, reason="Nessuna modifica in realtà")
    assert same.status_code == 422 and "Nessun dato è diverso" in Page(same.text).texts["riepilogo-errori"]
    assert console.db("SELECT count(*) FROM correction_requests") == [(0,)]


def test_asked_accepted_and_the_register_shows_it_with_its_history(console, organisation):
    operator, representative, form_url = organisation
    slug = console.slug
    sent = ask(representative, form_url, **{"changes.name": NEW_NAME, "reason": "Nuova denominazione da statuto"})
    assert sent.status_code == 303, sent.text
    again = ask(representative, form_url, **{"changes.name": "Altro nome", "reason": "Un'altra richiesta"})
    assert again.status_code == 409 and "già una richiesta in attesa" in Page(again.text).texts["problema"]
    home = Page(operator.get(f"/{slug}/").text)
    assert home.texts["correzioni-in-attesa"].count(ORGANISATION) == 1
    detail_url = pending_link(operator, slug)
    detail = operator.get(detail_url)
    assert NEW_NAME in Page(detail.text).texts["valori"]
    stakeholder_id = console.db("SELECT id FROM stakeholders")[0][0]
    assert detail_url in Page(operator.get(f"/{slug}/registro/{stakeholder_id}").text).links   # the record says so
    version = Page(detail.text).fields["stakeholder_version"]["value"]
    accepted = operator.post(f"{detail_url}/accetta", data={**csrf(detail.text), "stakeholder_version": version})
    assert accepted.status_code == 303, accepted.text
    twice = operator.post(f"{detail_url}/accetta", data={**csrf(detail.text), "stakeholder_version": version})
    assert twice.status_code == 409 and "già stata decisa" in Page(twice.text).texts["problema"]
    register = Page(operator.get(f"/{slug}/registro/{stakeholder_id}").text)
    assert detail_url not in register.links
    assert register.texts["storico"].count(NEW_NAME) == 1 and "operatore-1" in register.texts["storico"]
    mine = Page(representative.get(f"/{slug}/organizzazione/").text)
    assert NEW_NAME in " ".join(mine.texts.values()) and "Accolta" in mine.texts[f"richieste-{stakeholder_id}"]
    assert "Nessuna richiesta di correzione in attesa" in operator.get(f"/{slug}/").text


def test_rejected_with_a_reason_the_representative_reads(console, organisation):
    operator, representative, form_url = organisation
    slug = console.slug
    ask(representative, form_url, **{"changes.runts_number": "4711", "reason": "Numero di iscrizione mancante"})
    detail_url = pending_link(operator, slug)
    detail = operator.get(detail_url)
    short = operator.post(f"{detail_url}/respingi", data={**csrf(detail.text), "reason": "No"})
    assert short.status_code == 422 and "da 5 a 2.000 caratteri" in Page(short.text).message_of("reason")
    assert Page(short.text).texts["reason"] == "No"
    done = operator.post(f"{detail_url}/respingi", data={**csrf(detail.text), "reason": "Manca il decreto"})
    assert done.status_code == 303
    stakeholder_id = console.db("SELECT id FROM stakeholders")[0][0]
    mine = Page(representative.get(f"/{slug}/organizzazione/").text).texts[f"richieste-{stakeholder_id}"]
    assert "Respinta" in mine and "Manca il decreto" in mine
    assert console.db("SELECT runts_number, version FROM stakeholders") == [(None, 1)]
    assert representative.get(detail_url).status_code == 200   # its own request, with the outcome


def test_a_record_changed_meanwhile_is_a_409_with_the_new_values_to_compare(console, organisation):
    operator, representative, form_url = organisation
    slug = console.slug
    ask(representative, form_url, **{"changes.name": NEW_NAME, "reason": "Nuova denominazione da statuto"})
    detail_url = pending_link(operator, slug)
    detail = operator.get(detail_url)
    stakeholder_id = console.db("SELECT id FROM stakeholders")[0][0]
    page = operator.get(f"/{slug}/registro/{stakeholder_id}")
    suspended = operator.post(f"/{slug}/registro/{stakeholder_id}/stato", data={
        **csrf(page.text), "status": "suspended", "version": Page(page.text).fields["version"]["value"]})
    assert suspended.status_code == 303
    stale = operator.post(f"{detail_url}/accetta", data={
        **csrf(detail.text), "stakeholder_version": Page(detail.text).fields["stakeholder_version"]["value"]})
    assert stale.status_code == 409 and "Nel frattempo il soggetto" in Page(stale.text).texts["problema"]
    assert console.db("SELECT name, status FROM stakeholders") == [(ORGANISATION, "suspended")]
    fresh = Page(stale.text).fields["stakeholder_version"]["value"]
    assert operator.post(f"{detail_url}/accetta", data={**csrf(stale.text), "stakeholder_version": fresh}
                         ).status_code == 303
    assert console.db("SELECT name, status FROM stakeholders") == [(NEW_NAME, "suspended")]


def test_roles_on_the_correction_pages(console, organisation):
    operator, representative, form_url = organisation
    slug = console.slug
    ask(representative, form_url, **{"changes.runts_number": "4711", "reason": "Numero di iscrizione mancante"})
    detail_url = pending_link(operator, slug)
    stranger = console.client("stakeholder", "altro")
    assert stranger.get(form_url).status_code == 403
    assert stranger.get(detail_url).status_code == 403
    assert operator.get(form_url).status_code == 403
    auditor = console.client("auditor", "revisore-1")
    assert auditor.get(f"/{slug}/correzioni/").status_code == 200
    seen = auditor.get(detail_url)
    assert seen.status_code == 200 and "stakeholder_version" not in Page(seen.text).fields
    assert representative.get(f"/{slug}/correzioni/").status_code == 403
    posted = representative.post(f"{detail_url}/accetta", data={**csrf(representative.get(detail_url).text),
                                                                "stakeholder_version": "1"})
    assert posted.status_code == 403
    assert console.db("SELECT status FROM correction_requests") == [("pending",)]
