"""The documents as PDF on the real PostgreSQL through the Flask test client, read back with pypdf: the
attendance register (names, only the operator and the table's coordinator, one access-log line per named
entry), the approved minutes in force and the community profile (titles, totals, organisations; no
attendee's name, account or person's tax code), and the PDF/A metadata of each."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import psycopg
import pypdf
import pytest

from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from tests.integration.test_consultation_sessions import COORDINATOR, World, later

from services.consultation.offer.domain import PERSONAL_CODE_RE
from services.consultation.projectors import project

NAMES = ("Maria Rossi", "Giuseppe Verdi")
PERSON_CODE = "RSSMRA80A01H501U"          # planted in an attendee's role: personal data too
ACCOUNTS = (COORDINATOR, "rappresentante-odv", "rappresentante-coop", "operatore")
LAURIA, VIGGIANELLO = "076042", "076097"
AS_COORDINATOR = {"sub": COORDINATOR, "roles": ("coordinator",)}
FIRST_TEXT = "# Apertura\n\nTesto della prima versione, poi corretto."
SECOND_TEXT = "# Apertura\n\nIl tavolo condivide i bisogni del territorio.\n\n- Navetta sociale per le frazioni"


def text_of(response) -> str:
    """The PDF's text with its whitespace folded (a name may wrap in a narrow column)."""
    assert response.status_code == 200, response.get_data()[:500]
    assert response.headers["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.get_data()))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="U"' in xmp, xmp
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def no_personal_data(text: str) -> None:
    for value in (*NAMES, "Rossi", "Verdi", "Presidente", *ACCOUNTS):
        assert value not in text, value
    assert not PERSONAL_CODE_RE.search(text)


class Documents:
    """One Ambito with a held session, its register, approved minutes, the offer, needs, proposals, a round."""

    def __init__(self, world: World):
        self.world = world
        self.project(new_event(type="it.pdz.registry.profile.updated.v1", service="registry", tenant=world.slug,
                               aggregate_id="profile", data={
                                   "name": "Ambito Lagonegrese-Pollino", "region": "basilicata",
                                   "comuni": [{"istat_code": LAURIA, "name": "Lauria", "province": "PZ",
                                               "population": 12500, "population_date": "2025-01-01"},
                                              {"istat_code": VIGGIANELLO, "name": "Viggianello", "province": "PZ",
                                               "population": 2900, "population_date": "2025-01-01"}],
                                   "total_population": 15400, "capofila_istat": LAURIA, "ente_gestore": None,
                                   "asl_district": "ASP Potenza", "version": 1,
                                   "updated_at": "2026-03-02T10:15:00+00:00"}))
        self.table = world.table()
        self.odv = world.organisation("ODV Amici del Pollino")
        self.coop = world.organisation("Cooperativa Il Sentiero", type_="social_cooperative")
        world.member(self.table, self.odv, "rappresentante-odv")
        world.member(self.table, self.coop, "rappresentante-coop")
        self.session = world.session(self.table, starts=later(hours=-2))
        self.path = f"/sessions/{self.session['id']}"
        world.ok("POST", f"{self.path}/invitations", 201, body={})
        world.ok("POST", f"{self.path}/hold", headers={"If-Match": '"1"'})

    def project(self, event) -> None:
        with psycopg.connect(self.world.url) as conn:
            apply_rows(conn, project(event))

    def attend(self) -> list[dict]:
        entries = [({"organisation_id": self.odv, "mode": "in_person", "attendee_name": NAMES[0],
                     "attendee_role": "Presidente", "arrived_at": later(hours=-2)}),
                   ({"organisation_id": self.coop, "mode": "remote", "attendee_name": NAMES[1],
                     "attendee_role": f"Delegato {PERSON_CODE}"}),
                   ({"organisation_id": self.coop, "mode": "in_person"})]     # nobody named
        return [self.world.ok("POST", f"{self.path}/attendance", 201, body=e, **AS_COORDINATOR).get_json()
                for e in entries]

    def minutes(self) -> None:
        path = f"{self.path}/minutes"
        self.world.ok("POST", path, 201, body={"body": FIRST_TEXT}, **AS_COORDINATOR)
        self.world.ok("POST", f"{path}/1/approve", headers={"If-Match": '"1"'}, **AS_COORDINATOR)
        self.world.ok("POST", path, 201, body={"body": SECOND_TEXT, "corrects": 1, "reason": "Testo completato"},
                      **AS_COORDINATOR)
        self.world.ok("POST", f"{path}/2/approve", headers={"If-Match": '"1"'}, **AS_COORDINATOR)

    def contributions(self) -> None:
        world = self.world
        world.ok("POST", "/offer", 201, body={"organisation_id": self.odv, "name": "Centro diurno Il Melograno",
                                              "area": "3", "target_group": "anziani", "comuni": [LAURIA],
                                              "capacity": {"amount": 1250, "unit": "posti"}})
        needs = [world.ok("POST", "/needs", 201, body={
            "table_id": self.table, "organisation_id": org, "on_behalf": True, "title": title,
            "description": "Gli anziani delle frazioni non raggiungono i servizi.", "area": "3",
            "target_group": "anziani", "comuni": [], "evidence": "Sportello sociale 2025"}).get_json()["id"]
            for org, title in ((self.odv, "Trasporto sociale"), (self.coop, "Solitudine degli anziani"))]
        proposals = [world.ok("POST", "/proposals", 201, body={
            "table_id": self.table, "organisation_id": self.odv, "on_behalf": True, "need_ids": needs,
            "title": title, "description": "Trasporto a chiamata due giorni a settimana.",
            "expected_outcome": "60 anziani raggiungono i servizi.", "estimated_cost": cost}).get_json()["id"]
            for title, cost in (("Navetta sociale", "18500.00"), ("Sportello di ascolto", "1234.56"))]
        closes = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
        round_ = world.ok("POST", "/rounds", 201, body={"table_id": self.table, "title": "Priorità del tavolo 2026",
                                                         "proposal_ids": proposals, "points": 10,
                                                         "closes_at": closes}).get_json()
        world.ok("PUT", f"/rounds/{round_['id']}/ballots/{self.odv}", 201, sub="rappresentante-odv",
                 roles=("stakeholder",), body={"allocations": [{"proposal_id": proposals[1], "points": 7},
                                                               {"proposal_id": proposals[0], "points": 3}]})
        world.ok("POST", f"/rounds/{round_['id']}/close", headers={"If-Match": f'"{round_["version"]}"'})


@pytest.fixture
def docs(tenants, settings, tmp_path):
    return Documents(World(tenants, settings, tmp_path / "tenants.yaml"))


def access_log(world: World) -> list[tuple]:
    return world.sql("SELECT subject, action, resource, resource_id FROM personal_data_access_log"
                     " WHERE action = 'read' ORDER BY id")


def test_the_register_names_the_attendees_for_the_office_only_and_logs_each_named_entry(docs):
    world = docs.world
    first, second, unnamed = docs.attend()
    pdf_path = f"{docs.path}/attendance.pdf"
    response = world.call("GET", pdf_path, **AS_COORDINATOR)
    assert response.headers["Cache-Control"] == "no-store"
    text = text_of(response)
    for value in ("Registro delle presenze", "Ambito Lagonegrese-Pollino", "Tavolo socio-educativo",
                  *NAMES, "Presidente", "ODV Amici del Pollino", "Cooperativa Il Sentiero", "In presenza",
                  "A distanza", "Documento interno", "Pagina 1 di 1"):
        assert value in text, value
    # totals: 2 organisations, 2 in person, 1 remote, 3 attendees
    assert re.search(r"Totale partecipanti 2 2 1 3", text), text
    assert access_log(world) == [(COORDINATOR, "read", "attendee", first["id"]),
                                 (COORDINATOR, "read", "attendee", second["id"])]
    text_of(world.call("GET", pdf_path, sub="operatore", roles=("operator",)))
    assert len(access_log(world)) == 4 and unnamed["id"] not in {row[3] for row in access_log(world)}
    # nobody else: refused before anything is read or logged
    for sub, roles in (("rappresentante-odv", ("stakeholder",)), ("revisore", ("auditor",)),
                       ("regione", ("regional-admin",)), ("altro-coordinatore", ("coordinator",))):
        refused = world.call("GET", pdf_path, sub=sub, roles=roles)
        assert refused.status_code == 403 and refused.headers["Content-Type"] == "application/problem+json", roles
    assert len(access_log(world)) == 4
    assert world.call("GET", "/sessions/00000000-0000-4000-8000-000000000000/attendance.pdf").status_code == 404


def test_the_minutes_in_force_are_a_public_document_for_every_reader(docs):
    world = docs.world
    docs.attend()
    pdf_path = f"{docs.path}/minutes.pdf"
    missing = world.call("GET", pdf_path, roles=("auditor",))
    assert missing.status_code == 404 and missing.get_json()["type"].endswith("/no-approved-minutes")
    world.ok("POST", f"{docs.path}/minutes", 201, body={"body": FIRST_TEXT}, **AS_COORDINATOR)
    # a draft is not the minutes: still none approved, for the office too
    assert world.call("GET", pdf_path, **AS_COORDINATOR).get_json()["type"].endswith("/no-approved-minutes")
    world.ok("POST", f"{docs.path}/minutes/1/approve", headers={"If-Match": '"1"'}, **AS_COORDINATOR)
    assert "Testo della prima versione" in text_of(world.call("GET", pdf_path, roles=("auditor",)))
    world.ok("POST", f"{docs.path}/minutes", 201, body={"body": SECOND_TEXT, "corrects": 1,
                                                        "reason": "Testo completato"}, **AS_COORDINATOR)
    world.ok("POST", f"{docs.path}/minutes/2/approve", headers={"If-Match": '"1"'}, **AS_COORDINATOR)
    for sub, roles in (("rappresentante-odv", ("stakeholder",)), ("revisore", ("auditor",)),
                       ("regione", ("regional-admin",)), ("altro-coordinatore", ("coordinator",))):
        text = text_of(world.call("GET", pdf_path, sub=sub, roles=roles))
        for value in ("Verbale della seduta", "Ambito Lagonegrese-Pollino", "Tavolo socio-educativo",
                      "n. 2, approvata il", "della versione n. 1: Testo completato", "Ordine del giorno",
                      "Bisogni del territorio", "Il tavolo condivide i bisogni del territorio.",
                      "Navetta sociale per le frazioni", "ODV Amici del Pollino", "Cooperativa Il Sentiero",
                      "2 organizzazioni"):
            assert value in text, (roles, value)
        assert "Testo della prima versione" not in text
        no_personal_data(text)
    assert access_log(world) == []


def test_the_community_profile_has_every_section_and_no_personal_data(docs):
    world = docs.world
    docs.attend()
    docs.minutes()
    docs.contributions()
    response = world.call("GET", "/community-profile.pdf", sub="rappresentante-odv", roles=("stakeholder",))
    assert response.headers["Content-Disposition"] == f'inline; filename="profilo-di-comunita-{world.slug}.pdf"'
    text = text_of(response)
    for value in ("Profilo di comunità", "Ambito Lagonegrese-Pollino", "15.400 abitanti", "Lauria", "12.500",
                  "Viggianello", "Comune capofila Lauria", "ASP Potenza", "Regione Basilicata Comune",
                  # the network and the map of services
                  "ODV Amici del Pollino", "Cooperativa Il Sentiero", "Cooperativa sociale",
                  "Servizi e risorse attivi: 1", "1.250 posti", "Anziani",
                  # needs and proposals (exact money, Italian format)
                  "Bisogni espressi ai tavoli: 2", "Navetta sociale", "Sportello di ascolto", "18.500,00 €",
                  "1.234,56 €", "19.734,56 €", "Presentata", "Proposte presentate: 2 (presentata 2).",
                  # the round's results, and participation per table
                  "Priorità del tavolo 2026", "schede espresse: 1", "Tavolo socio-educativo"):
        assert value in text, value
    assert re.search(r"1 Sportello di ascolto 7 1 2 Navetta sociale 3 1", text), text
    # one held session, 2 organisations present, 2 attendees in person, 1 remote
    assert re.search(r"tavolo tematico 1 2 2 1 Totale 1 2 2 1", text), text
    no_personal_data(text)
    assert access_log(world) == []
    for roles in (("operator",), ("auditor",), ("regional-admin",), ("coordinator",)):
        assert world.call("GET", "/community-profile.pdf", roles=roles).status_code == 200, roles
    assert world.client.get(f"/v1/{world.slug}/community-profile.pdf").status_code == 401
