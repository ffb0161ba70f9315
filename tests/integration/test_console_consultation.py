"""Consultation's working pages (FASE 2) through Flask's test client, logged in by the development login:
a table created and its organisations seated, a session scheduled with its invitations, attendance taken
with one tap per organisation, recorded as held, minutes written and approved, the PDF downloaded; bad input
answered in Italian at the field with what was typed kept (422) and nothing written; CSRF; roles.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import psycopg
import pytest

from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event

from services.consultation.app import create_app
from services.consultation.projectors import project
from services.consultation.timeline import service as timeline_service
from tests.integration.console import Page, ServiceConsole, csrf, merge_other_into_first, post

pytestmark = pytest.mark.integration


class Console(ServiceConsole):
    """The consultation app on a fresh Ambito, with organisations in its register replica."""

    service, key = "consultation", "k"
    create_app = staticmethod(create_app)

    def organisation(self, name: str) -> str:
        """An active organisation of the register, arrived as the consumer writes it."""
        sid = str(uuid.uuid4())
        event = new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=self.slug,
                          aggregate_id=sid, data={"stakeholder_id": sid, "name": name, "type": "ets", "areas": ["3"],
                                                  "status": "active", "version": 1,
                                                  "registered_at": "2026-03-01T09:00:00+00:00"})
        with psycopg.connect(self.url()) as conn:
            apply_rows(conn, project(event))
        return sid


def local(delta: timedelta) -> str:
    return (datetime.now() + delta).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def console(tenants, settings, tmp_path):
    return Console(tenants, settings, tmp_path / "tenants.yaml")


def new_table(operator, slug: str, title="Tavolo tematico Anziani") -> str:
    made = post(operator, f"/{slug}/tavoli/nuovo", {"kind": "thematic", "title": title, "areas": ["3"],
                                                   "coordinator": "coordinatrice-1", "membership": "closed"})
    assert made.status_code == 303, made.text
    return made.headers["Location"]


def seat(operator, table_url: str, organisation_id: str, *accounts: str):
    seated = post(operator, f"{table_url}/membri", {"organisation_id": organisation_id,
                                                   "accounts": "\n".join(accounts)}, form_page=table_url)
    assert seated.status_code == 303, seated.text


def schedule(operator, table_url: str, **changes) -> str:
    form = {"title": "Prima sessione: i bisogni", "starts_at": local(timedelta(hours=-1)),
            "place": "Sala consiliare", "agenda": "Apertura\nBisogni del territorio", "invite": "1", **changes}
    made = post(operator, f"{table_url}/sessioni/nuova", form)
    assert made.status_code == 303, made.text
    return made.headers["Location"]


def test_a_session_from_invitation_to_approved_minutes_and_its_pdf(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    table_url = new_table(operator, slug)
    sentiero, pollino = console.organisation("Cooperativa Il Sentiero"), console.organisation("ODV Amici del Pollino")
    seat(operator, table_url, sentiero, "rappresentante-1")
    seat(operator, table_url, pollino)
    table_page = Page(operator.get(table_url).text)
    assert "Cooperativa Il Sentiero" in table_page.texts["elenco-membri"]

    session_url = schedule(operator, table_url)
    assert console.db("SELECT count(*) FROM session_invitations") == [(2,)]
    shown = Page(operator.get(session_url).text)
    assert "ODV Amici del Pollino" in shown.texts["elenco-invitate"]

    # Attendance on a tablet: one tap (a form with one button) per organisation present.
    sheet = operator.get(f"{session_url}/presenze")
    assert sheet.status_code == 200 and sheet.text.count('name="mode" value="in_person"') == 2
    tapped = operator.post(f"{session_url}/presenze", data={**csrf(sheet.text), "organisation_id": sentiero,
                                                           "mode": "in_person"})
    assert tapped.status_code == 303, tapped.text
    assert console.db("SELECT organisation_id::text, mode FROM attendance") == [(sentiero, "in_person")]

    page = operator.get(session_url)
    held = operator.post(f"{session_url}/svolta", data={**csrf(page.text),
                                                         "version": Page(page.text).fields["version"]["value"]})
    assert held.status_code == 303, held.text
    home = Page(operator.get(f"/{slug}/tavoli").text)
    assert home.texts["da-verbalizzare"].endswith("1")

    editor = operator.get(f"{session_url}/verbale")
    blank = operator.post(f"{session_url}/verbale", data={**csrf(editor.text), "body": "   "})
    assert blank.status_code == 422
    assert "Campo obbligatorio." in Page(blank.text).message_of("body")
    assert console.db("SELECT count(*) FROM minutes") == [(0,)]
    drafted = post(operator, f"{session_url}/verbale", {
        "body": "Presenti: Cooperativa Il Sentiero.\n\nSi discute dei bisogni degli anziani soli."})
    assert drafted.status_code == 303, drafted.text
    assert Page(operator.get(f"/{slug}/tavoli").text).texts["da-approvare"].endswith("1")

    # A representative reads the session but may neither open the editor nor approve.
    representative = console.client("stakeholder", "rappresentante-1")
    assert representative.get(f"{session_url}/verbale").status_code == 403
    draft_page = operator.get(f"{session_url}/verbale")
    version = Page(draft_page.text).fields["version"]["value"]
    refused = representative.post(f"{session_url}/verbale/1/approva", data={**csrf(representative.get(
        session_url).text), "version": version})
    assert refused.status_code == 403
    assert console.db("SELECT status FROM minutes") == [("draft",)]
    assert representative.get(f"{session_url}/registro-presenze.pdf").status_code == 403

    approved = operator.post(f"{session_url}/verbale/1/approva", data={**csrf(draft_page.text), "version": version})
    assert approved.status_code == 303, approved.text
    assert console.db("SELECT status, approved_by FROM minutes") == [("approved", "operatore-1")]
    public = Page(representative.get(session_url).text)
    assert "anziani soli" in public.texts["testo-verbale"]
    pdf_link = next(link for link in public.links if link.endswith("/verbale.pdf"))
    document = representative.get(pdf_link)
    assert document.status_code == 200 and document.mimetype == "application/pdf"
    assert document.data.startswith(b"%PDF")
    register = operator.get(f"{session_url}/registro-presenze.pdf")
    assert register.status_code == 200 and register.headers["Cache-Control"] == "no-store"


def test_bad_input_is_answered_at_the_field_in_italian_with_what_was_typed_kept(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    wrong = post(operator, f"/{slug}/tavoli/nuovo", {"kind": "thematic", "title": "Ta",
                                                    "description": "Temi: domiciliarità", "membership": "closed"})
    assert wrong.status_code == 422
    page = Page(wrong.text)
    assert "Il titolo va da 3 a 300 caratteri." in page.message_of("title")
    assert page.fields["title"]["value"] == "Ta" and "domiciliarità" in wrong.text
    assert "Scegli almeno un'area tematica" in page.texts["areas-errore"]
    assert console.db("SELECT count(*) FROM consultation_tables") == [(0,)]

    table_url = new_table(operator, slug)
    nowhere = post(operator, f"{table_url}/sessioni/nuova", {"title": "Sessione senza luogo",
                                                            "starts_at": local(timedelta(days=3)),
                                                            "seat_limit": "0", "invite": "1"})
    assert nowhere.status_code == 422
    page = Page(nowhere.text)
    assert "Indica il luogo" in page.message_of("place")
    assert "da 1 a 10.000" in page.message_of("seat_limit")
    assert page.fields["title"]["value"] == "Sessione senza luogo"
    assert console.db("SELECT count(*) FROM sessions") == [(0,)]

    # An organisation that is not in the register: at the field, nothing written.
    unknown = post(operator, f"{table_url}/membri", {"organisation_id": "non-un-id"}, form_page=table_url)
    assert unknown.status_code == 422
    assert "Scegli un'organizzazione del registro." in Page(unknown.text).message_of("organisation_id")
    assert console.db("SELECT count(*) FROM table_members") == [(0,)]


def test_a_post_without_the_csrf_token_writes_nothing(console):
    operator = console.client("operator", "operatore-1")
    forged = operator.post(f"/{console.slug}/tavoli/nuovo", data={"kind": "thematic", "title": "Tavolo da fuori",
                                                                  "areas": ["3"], "membership": "closed"})
    assert forged.status_code in (400, 403)
    assert console.db("SELECT count(*) FROM consultation_tables") == [(0,)]


def test_roles_another_ambitos_operator_gets_403_a_representative_cannot_create(console):
    slug = console.slug
    operator = console.client("operator", "operatore-1")
    table_url = new_table(operator, slug)
    stranger = console.client("operator", "operatore-altrove", tenant=console.other)
    assert stranger.get(f"/{slug}/tavoli").status_code == 403
    assert stranger.get(table_url).status_code == 403
    representative = console.client("stakeholder", "rappresentante-1")
    assert representative.get(f"/{slug}/tavoli/nuovo").status_code == 403
    assert representative.get(f"{table_url}/sessioni/nuova").status_code == 403
    seen = representative.get(table_url)
    assert seen.status_code == 200 and "Convoca una sessione" not in seen.text
    # A coordinator not named by this table manages nothing of it.
    other_coordinator = console.client("coordinator", "coordinatore-altro")
    assert other_coordinator.get(f"{table_url}/sessioni/nuova").status_code == 403
    anonymous = console.app.test_client().get(f"/{slug}/tavoli")
    assert anonymous.status_code == 302 and "/accesso" in anonymous.headers["Location"]
    assert console.db("SELECT count(*) FROM sessions") == [(0,)]


def test_the_named_coordinator_schedules_and_the_cronoprogramma_shows_late_milestones(console):
    slug = console.slug
    table_url = new_table(console.client("operator", "operatore-1"), slug)
    coordinator = console.client("coordinator", "coordinatrice-1")
    schedule(coordinator, table_url, invite=None)
    today = timeline_service.today()
    with psycopg.connect(console.url(), autocommit=True) as conn:
        timeline_service.plan_milestone(conn=conn, tenant=slug, subject="ufficio", phase="fase_2",
                                        title="Profilo di comunità", planned_start=today - timedelta(days=9),
                                        planned_end=today - timedelta(days=3))
    home = Page(coordinator.get(f"/{slug}/tavoli").text)
    assert home.texts["in-ritardo"].endswith("1")
    timeline = coordinator.get(f"/{slug}/cronoprogramma")
    assert timeline.status_code == 200 and 'data-ritardo="3"' in timeline.text


def test_a_merged_ambito_is_read_but_its_forms_write_nothing(console, tenants, settings, tmp_path):
    path = merge_other_into_first(tmp_path / "tenants.yaml", console)
    merged = Console(tenants, settings, path)
    operator = merged.client("operator", "operatore-1", tenant=console.other)
    assert operator.get(f"/{console.other}/tavoli").status_code == 200
    refused = post(operator, f"/{console.other}/tavoli/nuovo", {"kind": "thematic", "title": "Dopo la fusione",
                                                               "areas": ["3"], "membership": "closed"})
    assert refused.status_code == 409 and console.slug in Page(refused.text).texts.get("contenuto", refused.text)
    assert console.db("SELECT count(*) FROM consultation_tables", slug=console.other) == [(0,)]


def test_a_session_not_yet_started_cannot_be_recorded_held_nor_minuted(console):
    operator = console.client("operator", "operatore-1")
    table_url = new_table(operator, console.slug)
    session_url = schedule(operator, table_url, starts_at=local(timedelta(days=2)))
    page = operator.get(session_url)
    assert "Segna la sessione come svolta" not in page.text    # not offered before its start
    early = operator.post(f"{session_url}/svolta", data={**csrf(page.text), "version": "1"}, follow_redirects=True)
    assert "non è ancora iniziata" in early.text
    assert console.db("SELECT status FROM sessions") == [("scheduled",)]
    refused = post(operator, f"{session_url}/verbale", {"body": "Verbale anticipato"})
    assert refused.status_code == 409 and "sessione svolta" in refused.text
    assert console.db("SELECT count(*) FROM minutes") == [(0,)]


def test_the_office_cancels_a_session_with_its_reason(console):
    operator = console.client("operator", "operatore-1")
    table_url = new_table(operator, console.slug)
    session_url = schedule(operator, table_url, starts_at=local(timedelta(days=2)))
    page = operator.get(session_url)
    cancelled = operator.post(f"{session_url}/annulla", data={**csrf(page.text), "version": "1",
                                                             "reason": "Sala non disponibile"}, follow_redirects=True)
    assert "Motivo: Sala non disponibile" in cancelled.text
    assert console.db("SELECT status, cancel_reason FROM sessions") == [("cancelled", "Sala non disponibile")]
    again = operator.post(f"{session_url}/annulla", data={**csrf(page.text), "version": "2"}, follow_redirects=True)
    assert "nel suo stato attuale" in again.text
