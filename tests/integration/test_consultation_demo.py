"""The demo's FASE 2 (shared/cli/demo_consultation.py) over real HTTP into a consultation API on the real
PostgreSQL, for one freshly provisioned Ambito per demo Ambito: tables, sessions held with attendance and
approved minutes, needs, proposals, a round closed early, an accepted proposal whose `proposal.accepted` is in
the outbox, the cronoprogramma and the map of services; then a second run that writes nothing at all."""
import threading
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from werkzeug.serving import make_server

from shared.cli import demo_consultation
from shared.cli.provision import provision
from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event

from services.consultation.app import create_app
from services.consultation.projectors import project
from tests.conftest import random_slug

KEY = "consultation-demo-key-" + "e" * 32
REGIONS = {"fasano": "puglia", "lagonegrese-pollino": "basilicata"}
# Every table a demo run may write to, and the outbox: a second run must leave each count as it was.
COUNTED = ["consultation_tables", "table_members", "sessions", "session_invitations", "attendance", "minutes",
           "needs", "proposals", "proposal_assessments", "rounds", "round_ballots", "round_results",
           "timeline_milestones", "service_offers", "personal_data_access_log", "outbox"]


@pytest.fixture
def served(catalogue_factory, settings, tmp_path, request):
    """A freshly provisioned Ambito of the demo Ambito's region, and a consultation API on a loopback port."""
    ambito = request.param
    slug = random_slug(ambito.split("-")[0])
    catalogue = catalogue_factory([random_slug("b")], extra=[{"slug": slug, "name": f"Ambito {ambito}",
                                                              "region": REGIONS[ambito]}])
    provision(catalogue, report=lambda *_: None)
    app = create_app(settings=Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                                       database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ambito, slug, catalogue.url_for(catalogue.get(slug), "consultation"), f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join()


def replicate(url, tenant, names):
    """The organisations as the registry's events put them into the replica."""
    events = [new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=tenant,
                        aggregate_id=sid, data={"stakeholder_id": sid, "name": name, "type": "ets",
                                                "runts_section": "b", "status": "active", "version": 1,
                                                "registered_at": "2026-03-01T09:00:00+00:00"})
              for sid, name in ((str(uuid.uuid4()), n) for n in names)]
    with psycopg.connect(url) as conn:
        apply_rows(conn, [row for event in events for row in project(event)])


def counts(url):
    with psycopg.connect(url) as conn:
        return {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in COUNTED}


@pytest.mark.parametrize("served", ["lagonegrese-pollino", "fasano"], indirect=True)
def test_the_demo_loads_an_ambitos_consultation_once(served):
    ambito, slug, url, base = served
    spec = demo_consultation.AMBITI[ambito]
    settings = Settings(jwt_dev_key=KEY)
    names = list(spec["accounts"])
    replicate(url, slug, names[1:])
    # One organisation has not reached the replica: the demo waits for it until its deadline, writing nothing.
    with pytest.raises(RuntimeError, match="still lacks"):
        demo_consultation.load(settings, tenant=slug, ambito=ambito, base=base, wait_seconds=0)
    assert counts(url)["outbox"] == 0
    replicate(url, slug, names[:1])

    line = demo_consultation.load(settings, tenant=slug, ambito=ambito, base=base, wait_seconds=0)
    assert line.startswith(f"{slug}: {len(spec['tables'])} tables") and "writes in this run" in line, line
    work = [spec["work"][title] for _, title, *_ in spec["tables"] if title in spec["work"]]
    needs = [n for w in work for n in w["needs"]]
    proposals = [p for w in work for p in w["proposals"]]
    with psycopg.connect(url) as conn:
        sessions = conn.execute("SELECT s.status, t.title FROM sessions s JOIN consultation_tables t"
                                " ON t.id = s.table_id").fetchall()
        attendees = conn.execute("SELECT attendee_name FROM attendance").fetchall()
        minutes = conn.execute("SELECT m.status, m.number, m.body, m.approved_by, t.coordinator FROM minutes m"
                               " JOIN sessions s ON s.id = m.session_id"
                               " JOIN consultation_tables t ON t.id = s.table_id").fetchall()
        recorded = conn.execute("SELECT title, on_behalf, session_id IS NOT NULL FROM needs").fetchall()
        submitted = conn.execute("SELECT title, status, estimated_cost FROM proposals").fetchall()
        rounds = conn.execute("SELECT title, status, closed_early FROM rounds").fetchall()
        ballots = conn.execute("SELECT count(*) FROM round_ballots").fetchone()[0]
        ranking = conn.execute("SELECT p.title, r.points FROM round_results r JOIN proposals p"
                               " ON p.id = r.proposal_id ORDER BY r.rank").fetchall()
        accepted = conn.execute("SELECT data FROM outbox WHERE type = 'it.pdz.consultation.proposal.accepted.v1'"
                                ).fetchall()
        milestones = conn.execute("SELECT plan_year, template_key FROM timeline_milestones").fetchall()
        offers = conn.execute("SELECT o.name, r.name FROM service_offers o JOIN organisations r"
                              " ON r.organisation_id = o.organisation_id").fetchall()
    assert sorted(sessions) == sorted(("held", title) for title in spec["work"])
    assert len(attendees) == sum(len(w["attendees"]) for w in work)
    assert all(name.endswith(("(dimostrativo)", "(dimostrativa)")) for (name,) in attendees)
    assert len(minutes) == len(work)
    for status, number, body, approved_by, coordinator in minutes:
        assert (status, number, approved_by) == ("approved", 1, coordinator)
        assert "dimostrativ" in body and not any(name.split(" (")[0] in body for (name,) in attendees)
    assert sorted(title for title, *_ in recorded) == sorted(n["title"] for n in needs)
    assert all(in_session for *_, in_session in recorded)
    assert {title for title, on_behalf, _ in recorded if on_behalf} == {n["title"] for n in needs if n["on_behalf"]}
    assert sorted((t, str(c)) for t, _, c in submitted) == sorted((p["title"], f"{p['estimated_cost']}.00")
                                                                  for p in proposals)
    assert rounds == [(spec["round"]["title"], "closed", True)]
    assert ballots == len(spec["round"]["ballots"])
    first = [p["title"] for p in spec["work"][spec["round"]["table"]]["proposals"]]
    points = [sum(b[i] for b in spec["round"]["ballots"].values()) for i in range(len(first))]
    assert ranking == sorted(zip(first, points), key=lambda row: -row[1])
    assert [(t, s) for t, s, _ in submitted if s != "submitted"] == [(ranking[0][0], "accepted")]
    assert [data["title"] for (data,) in accepted] == [ranking[0][0]]
    year = datetime.now(ZoneInfo("Europe/Rome")).year
    assert len(milestones) == 6 and {y for y, _ in milestones} == {year} and all(k for _, k in milestones)
    assert sorted(offers) == sorted((o["name"], o["by"]) for o in spec["offers"])

    before = counts(url)
    again = demo_consultation.load(settings, tenant=slug, ambito=ambito, base=base, wait_seconds=0)
    assert again.endswith("nothing new in this run (already loaded)"), again
    assert counts(url) == before
