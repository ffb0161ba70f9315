"""The registry's working pages (FASE 1) through Flask's test client, logged in by the development login:
a call drafted and published, an application refused at the field then filed, admitted into the register;
bad input answered in Italian at the field with what was typed kept, nothing written; CSRF; roles.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.cli.demo import demo_tax_code

from services.registry.app import create_app
from tests.integration.console import Page, ServiceConsole, csrf, post

pytestmark = pytest.mark.integration
BAD_CF = "RSSMRA85T10A562X"   # a codice fiscale whose check character is wrong
ORGANISATION = "Cooperativa Sociale Il Sentiero"


class Console(ServiceConsole):
    """The registry app on a fresh Ambito, driven as a browser without JavaScript would."""

    service, key = "registry", "c"
    create_app = staticmethod(create_app)


def local(delta: timedelta) -> str:
    """A datetime-local value: the pages read it in Italian time, whatever the machine's zone."""
    return (datetime.now(ZoneInfo("Europe/Rome")) + delta).strftime("%Y-%m-%dT%H:%M")


def draft_and_publish(operator, slug: str, title="Avviso pubblico per la rete del Piano 2026-2028") -> str:
    """The office drafts a call and publishes it; the call's page URL."""
    made = post(operator, f"/{slug}/avvisi/nuovo", {"title": title, "areas": ["3", "5"],
                                                   "requirements": "Sede operativa nell'Ambito",
                                                   "opens_at": local(timedelta(hours=-1)),
                                                   "closes_at": local(timedelta(days=30))})
    assert made.status_code == 303, made.text
    url = made.headers["Location"]
    page = operator.get(url)
    version = Page(page.text).fields["version"]["value"]
    published = operator.post(f"{url}/pubblica", data={**csrf(page.text), "version": version})
    assert published.status_code == 303, published.text
    return url


def application_form(name=ORGANISATION, tax_code=None, **changes) -> dict:
    form = {"organisation.name": name, "organisation.type": "social_cooperative",
            "organisation.tax_code": tax_code or demo_tax_code(name, "076"), "organisation.seat_istat": "076063",
            "legal_representative.full_name": "Mario Rossi", "legal_representative.tax_code": "RSSMRA85T10A562S",
            "contact_person.full_name": "Anna Bianchi", "contact_person.email": "anna.bianchi@example.org",
            "areas": ["3"], "declarations.possesso_requisiti": "1", "declarations.assenza_cause_esclusione": "1",
            "declarations.presa_visione_informativa_privacy": "1"}
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}   # None: left blank, unticked


@pytest.fixture
def console(tenants, settings, tmp_path):
    return Console(tenants, settings, tmp_path / "tenants.yaml")


def test_fase1_journey_publish_apply_with_a_bad_code_first_admit_register(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    call_url = draft_and_publish(operator, slug)
    assert "Avviso pubblicato." in operator.get(call_url).text

    representative = console.client("stakeholder", "rappresentante-1")
    home = representative.get(f"/{slug}/")
    assert home.status_code == 200 and f"{call_url}/domanda" in Page(home.text).links

    refused = post(representative, f"{call_url}/domanda", application_form(**{"legal_representative.tax_code": BAD_CF}))
    assert refused.status_code == 422
    form = Page(refused.text)
    field = form.fields["legal_representative.tax_code"]
    assert field["value"] == BAD_CF and field.get("aria-invalid") == "true"
    assert "Codice fiscale della persona non valido" in form.message_of("legal_representative.tax_code")
    assert form.fields["organisation.name"]["value"] == ORGANISATION          # the rest is kept too
    assert form.texts["riepilogo-errori"].count("Codice fiscale del legale rappresentante:") == 1
    assert console.db("SELECT count(*) FROM applications") == [(0,)]
    assert console.db("SELECT count(*) FROM people") == [(0,)]

    filed = post(representative, f"{call_url}/domanda", application_form())
    assert filed.status_code == 303, filed.text
    mine = representative.get(filed.headers["Location"])
    protocol = re.search(r"protocollo n\. ([0-9]{4}/[0-9]{6})", mine.text).group(1)
    assert console.db("SELECT protocol_number, status, submitted_by FROM applications") == [
        (protocol, "submitted", "rappresentante-1")]
    assert protocol in representative.get(f"/{slug}/domande/").text

    office_home = operator.get(f"/{slug}/")
    assert protocol in Page(office_home.text).texts["domande-da-esaminare"]
    review_url = filed.headers["Location"]
    review = operator.get(review_url)
    assert protocol in review.text and "Mario Rossi" in review.text
    admitted = operator.post(f"{review_url}/ammetti", data=csrf(review.text))
    assert admitted.status_code == 303
    assert console.db("SELECT status FROM applications") == [("admitted",)]

    register = operator.get(f"/{slug}/registro/")
    assert ORGANISATION in Page(register.text).texts["registro"]
    stakeholder_id = console.db("SELECT id FROM stakeholders")[0][0]
    history = operator.get(f"/{slug}/registro/{stakeholder_id}")
    assert "Ammissione da domanda" in history.text and protocol in history.text
    assert "Ammessa" in representative.get(f"/{slug}/domande/").text


def test_a_call_with_bad_dates_is_refused_at_the_field_and_nothing_is_written(console):
    operator = console.client("operator", "operatore-1")
    typed = {"title": "Avviso con le date al contrario", "areas": ["3"], "opens_at": local(timedelta(days=5)),
             "closes_at": local(timedelta(days=1))}
    refused = post(operator, f"/{console.slug}/avvisi/nuovo", typed)
    assert refused.status_code == 422
    form = Page(refused.text)
    assert "dopo l'apertura" in form.message_of("closes_at")
    assert form.fields["closes_at"]["value"] == typed["closes_at"]
    assert form.fields["title"]["value"] == typed["title"]
    assert console.db("SELECT count(*) FROM calls") == [(0,)]
    assert console.db("SELECT count(*) FROM outbox") == [(0,)]
    blank = post(operator, f"/{console.slug}/avvisi/nuovo", {"title": "", "opens_at": "", "closes_at": ""})
    assert blank.status_code == 422
    assert "Campo obbligatorio." in Page(blank.text).message_of("title")
    assert "area" in Page(blank.text).texts["areas-errore"]
    assert console.db("SELECT count(*) FROM calls") == [(0,)]


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(console):
    operator = console.client("operator", "operatore-1")
    page = operator.get(f"/{console.slug}/avvisi/nuovo")
    assert csrf(page.text)
    forged = operator.post(f"/{console.slug}/avvisi/nuovo", data={
        "title": "Avviso da un altro sito", "areas": ["3"], "opens_at": local(timedelta(hours=-1)),
        "closes_at": local(timedelta(days=3))})
    assert forged.status_code in (400, 403)
    assert console.db("SELECT count(*) FROM calls") == [(0,)]


def test_roles_a_representative_cannot_admit_another_ambitos_operator_gets_403(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    call_url = draft_and_publish(operator, slug)
    representative = console.client("stakeholder", "rappresentante-1")
    filed = post(representative, f"{call_url}/domanda", application_form())
    review_url = filed.headers["Location"]
    own = representative.get(review_url)
    assert own.status_code == 200 and "Ammetti" not in own.text
    refused = representative.post(f"{review_url}/ammetti", data=csrf(own.text))
    assert refused.status_code == 403
    assert console.db("SELECT status FROM applications") == [("submitted",)]
    assert representative.get(f"/{slug}/registro/").status_code == 403
    assert representative.get(f"/{slug}/avvisi/nuovo").status_code == 403

    # Someone else's application is not this representative's to read.
    other_rep = console.client("stakeholder", "rappresentante-2")
    assert other_rep.get(review_url).status_code == 403

    stranger = console.client("operator", "operatore-altrove", tenant=console.other)
    assert stranger.get(f"/{slug}/").status_code == 403
    assert stranger.get(review_url).status_code == 403
    anonymous = console.app.test_client().get(f"/{slug}/domande/")
    assert anonymous.status_code == 302 and "/accesso" in anonymous.headers["Location"]


def test_a_rejection_needs_its_reason_and_a_reviewed_application_stays_reviewed(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    call_url = draft_and_publish(operator, slug)
    representative = console.client("stakeholder", "rappresentante-1")
    review_url = post(representative, f"{call_url}/domanda", application_form()).headers["Location"]
    page = operator.get(review_url)
    blank = operator.post(f"{review_url}/respingi", data={**csrf(page.text), "reason": " "})
    assert blank.status_code == 422 and "Campo obbligatorio." in Page(blank.text).message_of("reason")
    short = operator.post(f"{review_url}/respingi", data={**csrf(page.text), "reason": "No"})
    assert short.status_code == 422 and Page(short.text).fields["reason"].get("aria-invalid") == "true"
    assert "motivazione" in Page(short.text).message_of("reason")
    assert console.db("SELECT status FROM applications") == [("submitted",)]
    rejected = operator.post(f"{review_url}/respingi", data={**csrf(page.text), "reason": "Sede fuori dall'Ambito"})
    assert rejected.status_code == 303
    again = operator.post(f"{review_url}/ammetti", data=csrf(page.text))
    assert again.status_code == 409 and "già stata esaminata" in Page(again.text).texts["problema"]
    assert console.db("SELECT status, rejection_reason FROM applications") == [("rejected", "Sede fuori dall'Ambito")]
    assert "Sede fuori dall'Ambito" in Page(representative.get(review_url).text).texts["motivazione"]


def test_a_draft_is_edited_until_published_and_not_after(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    made = post(operator, f"/{slug}/avvisi/nuovo", {"title": "Avviso in bozza", "areas": ["3"],
                                                   "opens_at": local(timedelta(hours=-1)),
                                                   "closes_at": local(timedelta(days=10))})
    url = made.headers["Location"]
    form = Page(operator.get(f"{url}/modifica").text)
    assert form.fields["title"]["value"] == "Avviso in bozza" and form.fields["version"]["value"] == "1"
    typed = {"title": "Avviso in bozza, corretto", "areas": ["3", "5"], "version": "1",
             "opens_at": form.fields["opens_at"]["value"], "closes_at": local(timedelta(days=-2))}
    refused = post(operator, f"{url}/modifica", typed)
    assert refused.status_code == 422 and "dopo l'apertura" in Page(refused.text).message_of("closes_at")
    assert console.db("SELECT title, version FROM calls") == [("Avviso in bozza", 1)]
    edited = post(operator, f"{url}/modifica", {**typed, "closes_at": local(timedelta(days=20))})
    assert edited.status_code == 303
    assert console.db("SELECT title, areas, version FROM calls") == [("Avviso in bozza, corretto", ["3", "5"], 2)]
    stale = post(operator, f"{url}/modifica", {**typed, "closes_at": local(timedelta(days=20))})
    assert stale.status_code == 409 and "Nel frattempo" in Page(stale.text).texts["problema"]
    page = operator.get(url)
    operator.post(f"{url}/pubblica", data={**csrf(page.text), "version": "2"})
    late = post(operator, f"{url}/modifica", {**typed, "version": "3", "closes_at": local(timedelta(days=20))})
    assert late.status_code == 409 and "atto pubblico" in Page(late.text).texts["problema"]
    assert console.db("SELECT title, status FROM calls") == [("Avviso in bozza, corretto", "published")]
