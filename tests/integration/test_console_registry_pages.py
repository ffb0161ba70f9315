"""The registry's other working pages: the register (filters, history, exports), a second application of the
same organisation, the Ambito profile (read and edit) and the personal-data page (access log, erasure)."""
from __future__ import annotations

import csv
import io
import uuid

import psycopg
import pytest

from tests.integration.console import Page, csrf, merge_other_into_first, post
from tests.integration.test_console_registry import Console, application_form, draft_and_publish

pytestmark = pytest.mark.integration


@pytest.fixture
def console(tenants, settings, tmp_path):
    return Console(tenants, settings, tmp_path / "tenants.yaml")


@pytest.fixture
def admitted(console):
    """Two organisations applied to a published call; the office admitted the first."""
    operator = console.client("operator", "operatore-1")
    call_url = draft_and_publish(operator, console.slug)
    representative = console.client("stakeholder", "rappresentante-1")
    first = post(representative, f"{call_url}/domanda", application_form()).headers["Location"]
    post(representative, f"{call_url}/domanda", application_form(
        "APS Pollino Solidale", **{"organisation.type": "ets", "organisation.runts_section": "b", "areas": ["5"]}))
    page = operator.get(first)
    assert operator.post(f"{first}/ammetti", data=csrf(page.text)).status_code == 303
    return operator, representative, call_url


def test_the_same_organisation_cannot_apply_twice_and_is_told_which_protocol_holds_its_place(console, admitted):
    _operator, representative, call_url = admitted
    again = post(representative, f"{call_url}/domanda", application_form())
    assert again.status_code == 409
    page = Page(again.text)
    assert "protocollo n." in page.message_of("organisation.tax_code")
    assert page.fields["organisation.tax_code"]["value"] == application_form()["organisation.tax_code"]
    assert console.db("SELECT count(*) FROM applications") == [(2,)]


def test_an_ets_without_its_runts_section_is_refused_at_that_field(console, admitted):
    _operator, representative, call_url = admitted
    refused = post(representative, f"{call_url}/domanda", application_form(
        "Associazione Senza Sezione", **{"organisation.type": "ets", "declarations.possesso_requisiti": None}))
    assert refused.status_code == 422
    page = Page(refused.text)
    assert "sezione del RUNTS" in page.message_of("organisation.runts_section")
    assert "dichiarazione" in page.message_of("declarations.possesso_requisiti")
    assert page.fields["organisation.name"]["value"] == "Associazione Senza Sezione"
    assert console.db("SELECT count(*) FROM applications") == [(2,)]


def test_register_filters_history_and_exports(console, admitted):
    operator, _representative, _call = admitted
    slug = console.slug
    everyone = Page(operator.get(f"/{slug}/registro/").text).texts["registro"]
    assert "Cooperativa Sociale Il Sentiero" in everyone
    assert "Sentiero" in Page(operator.get(f"/{slug}/registro/?q=sentiero").text).texts["registro"]
    none = operator.get(f"/{slug}/registro/?type=ets")
    assert none.status_code == 200 and "Nessun soggetto con questi filtri" in none.text
    bad = operator.get(f"/{slug}/registro/?status=sparito")
    assert bad.status_code == 422 and "Scegli uno stato" in Page(bad.text).message_of("status")
    exported = operator.get(f"/{slug}/registro/registro.csv")
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Denominazione" and [r[0] for r in rows[1:]] == ["Cooperativa Sociale Il Sentiero"]
    workbook = operator.get(f"/{slug}/registro/registro.xlsx")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    assert console.client("stakeholder", "rappresentante-1").get(f"/{slug}/registro/registro.csv").status_code == 403
    call_id = console.db("SELECT id FROM calls")[0][0]
    of_the_call = Page(operator.get(f"/{slug}/domande/?stato=admitted&avviso={call_id}").text)
    assert "Cooperativa Sociale Il Sentiero" in of_the_call.texts["domande"]
    assert "APS Pollino" in Page(operator.get(f"/{slug}/domande/?avviso={call_id}").text).texts["domande"]
    assert "Nessuna domanda." in operator.get(f"/{slug}/domande/?avviso={uuid.uuid4()}").text
    assert not [link for link in Page(operator.get(f"/{slug}/domande/").text).links if "None" in link]


def test_profile_is_read_by_everyone_and_edited_by_the_office_with_errors_at_the_row(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    assert "non ha ancora un profilo" in operator.get(f"/{slug}/profilo").text
    typed = {"name": "Ambito di Potenza", "capofila_istat": "076063", "ente_gestore": "Comune di Potenza",
             "comuni.0.istat_code": "076063", "comuni.0.population": "65.000", "comuni.0.population_date": "2025-01-01",
             "comuni.1.istat_code": "", "comuni.1.population": "", "comuni.1.population_date": "",
             "comuni.2.istat_code": "076014", "comuni.2.population": "molti", "comuni.2.population_date": "2025-01-01"}
    refused = post(operator, f"/{slug}/profilo/modifica", typed)
    assert refused.status_code == 422
    page = Page(refused.text)
    assert "numero intero" in page.message_of("comuni.2.population")
    assert page.fields["comuni.2.population"]["value"] == "molti"
    assert console.db("SELECT count(*) FROM ambito_profile") == [(0,)]
    saved = post(operator, f"/{slug}/profilo/modifica", {**typed, "comuni.2.population": "1.200"})
    assert saved.status_code == 303, saved.text
    shown = console.client("stakeholder", "rappresentante-1").get(f"/{slug}/profilo")
    assert "66.200" in Page(shown.text).texts["profilo"]
    assert console.client("stakeholder", "rappresentante-1").get(f"/{slug}/profilo/modifica").status_code == 403


def test_privacy_page_lists_the_access_log_and_erases_a_person(console, admitted):
    operator, _representative, _call = admitted
    slug = console.slug
    log = Page(operator.get(f"/{slug}/privacy").text).texts["registro-accessi"]
    assert "rappresentante-1" in log and "Inserimento" in log and "operatore-1" in log
    refused = post(operator, f"/{slug}/privacy/cancellazione", {"tax_code": "RSSMRA85T10A562X", "conferma": "1"},
                   form_page=f"/{slug}/privacy")
    assert refused.status_code == 422
    assert Page(refused.text).fields["tax_code"]["value"] == "RSSMRA85T10A562X"
    unconfirmed = post(operator, f"/{slug}/privacy/cancellazione", {"email": "anna.bianchi@example.org"},
                       form_page=f"/{slug}/privacy")
    assert unconfirmed.status_code == 422
    assert console.db("SELECT count(*) FROM people WHERE email = 'anna.bianchi@example.org'") == [(2,)]
    erased = post(operator, f"/{slug}/privacy/cancellazione", {"email": "anna.bianchi@example.org", "conferma": "1"},
                  form_page=f"/{slug}/privacy")
    assert erased.status_code == 303
    assert "2 record personali rimossi" in operator.get(f"/{slug}/privacy").text
    assert console.db("SELECT count(*) FROM people WHERE email = 'anna.bianchi@example.org'") == [(0,)]
    assert console.client("auditor", "revisore-1").post(f"/{slug}/privacy/cancellazione").status_code in (400, 403)


def test_a_merged_ambito_is_read_but_its_forms_write_nothing(console, tenants, settings, tmp_path):
    path = merge_other_into_first(tmp_path / "tenants.yaml", console)
    merged = Console(tenants, settings, path)
    operator = merged.client("operator", "operatore-1", tenant=console.other)
    assert operator.get(f"/{console.other}/avvisi/").status_code == 200
    refused = post(operator, f"/{console.other}/avvisi/nuovo", {"title": "Avviso dopo la fusione", "areas": ["3"],
                                                               "opens_at": "2030-01-01T09:00",
                                                               "closes_at": "2030-02-01T09:00"})
    assert refused.status_code == 409 and console.slug in Page(refused.text).texts.get("contenuto", refused.text)
    with psycopg.connect(tenants.url_for(tenants.get(console.other), "registry")) as conn:
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (0,)


def test_the_office_registers_a_comune_directly_and_suspends_it(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    typed = {"name": "Comune di Lauria", "type": "comune", "tax_code": "0111460100", "seat_istat": "076042",
             "areas": ["3", "5"]}
    refused = post(operator, f"/{slug}/registro/nuovo", typed)
    assert refused.status_code == 422
    page = Page(refused.text)
    assert "Codice fiscale o partita IVA non valido" in page.message_of("tax_code")
    assert page.fields["tax_code"]["value"] == "0111460100"
    assert [o["value"] for o in [page.fields["areas"], *page.fields["areas"].get("options", [])]
            if "checked" in o] == ["3", "5"]
    assert console.db("SELECT count(*) FROM stakeholders") == [(0,)]
    made = post(operator, f"/{slug}/registro/nuovo", {**typed, "tax_code": "01114601006"})
    assert made.status_code == 303, made.text
    again = post(operator, f"/{slug}/registro/nuovo", {**typed, "tax_code": "01114601006"})
    assert again.status_code == 409 and "contiene già" in Page(again.text).message_of("tax_code")
    url = made.headers["Location"]
    shown = operator.get(url)
    version = Page(shown.text).fields["version"]["value"]
    suspended = operator.post(f"{url}/stato", data={**csrf(shown.text), "version": version, "status": "suspended"})
    assert suspended.status_code == 303
    stale = operator.post(f"{url}/stato", data={**csrf(shown.text), "version": version, "status": "withdrawn"})
    assert stale.status_code == 409 and "Nel frattempo" in Page(stale.text).texts["problema"]
    assert console.db("SELECT status, areas FROM stakeholders") == [("suspended", ["3", "5"])]
    history = Page(operator.get(url).text).texts["storico"]
    assert "Iscrizione diretta" in history and "Cambio di stato" in history and "Attivo → Sospeso" in history
    representative = console.client("stakeholder", "rappresentante-1")
    assert representative.get(f"/{slug}/registro/nuovo").status_code == 403
    own_token = csrf(representative.get(f"/{slug}/").text)   # the layout's logout form carries it
    refused = representative.post(f"{url}/stato", data={**own_token, "version": "2", "status": "active"})
    assert refused.status_code == 403
    assert console.db("SELECT status FROM stakeholders") == [("suspended",)]


def test_a_coordinator_reads_calls_but_is_not_offered_what_it_may_not_do(console, admitted):
    _operator, _representative, call_url = admitted
    coordinator = console.client("coordinator", "coordinatore-1")
    home = Page(coordinator.get(f"/{console.slug}/").text)
    assert f"/{console.slug}/domande/" not in home.links and f"{call_url}/domanda" not in home.links
    assert coordinator.get(call_url).status_code == 200
    assert coordinator.get(f"{call_url}/domanda").status_code == 403
    assert coordinator.get(f"/{console.slug}/domande/").status_code == 403


def test_a_representative_sees_what_the_register_holds_of_its_admitted_organisation_only(console, admitted):
    operator, representative, _call = admitted
    slug = console.slug
    page = Page(representative.get(f"/{slug}/organizzazione/").text)
    shown = " ".join(page.texts.values())
    assert "Cooperativa Sociale Il Sentiero" in shown and "APS Pollino Solidale" not in shown   # not admitted
    assert f"/{slug}/organizzazione/" in page.links
    assert "Nessuna organizzazione" in console.client("stakeholder", "altro").get(f"/{slug}/organizzazione/").text
    assert operator.get(f"/{slug}/organizzazione/").status_code == 403
