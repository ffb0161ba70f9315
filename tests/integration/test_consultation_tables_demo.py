"""The demo's Fasano tables (shared/cli/demo_consultation.py), loaded over real HTTP into a consultation API on the real
PostgreSQL, for an Ambito of the Puglia region: the tables of seed 002 with their areas and members, and a
second run that adds nothing."""
import threading
import uuid

import psycopg
import pytest
from werkzeug.serving import make_server

from shared.cli import demo_consultation, demo_consultation_fasano as fasano
from shared.cli.provision import provision
from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event

from services.consultation.app import create_app
from services.consultation.projectors import project
from tests.conftest import random_slug

KEY = "consultation-demo-key-" + "d" * 32


@pytest.fixture
def puglia(catalogue_factory, settings, tmp_path):
    """A freshly provisioned Ambito of Puglia, and a consultation API serving it on a loopback port."""
    slug = random_slug("fasano")
    catalogue = catalogue_factory([random_slug("b")], extra=[{"slug": slug, "name": "Ambito di Fasano",
                                                              "region": "puglia"}])
    provision(catalogue, report=lambda *_: None)
    app = create_app(settings=Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                                       database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield slug, catalogue.url_for(catalogue.get(slug), "consultation"), f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join()


def replicate(url, tenant, names):
    events = [new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=tenant,
                        aggregate_id=sid, data={"stakeholder_id": sid, "name": name, "type": "comune",
                                                "status": "active", "version": 1,
                                                "registered_at": "2026-03-01T09:00:00+00:00"})
              for sid, name in ((str(uuid.uuid4()), n) for n in names)]
    with psycopg.connect(url) as conn:
        apply_rows(conn, [row for event in events for row in project(event)])


def test_the_fasano_tables_are_loaded_once_with_their_members(puglia):
    slug, url, base = puglia
    settings = Settings(jwt_dev_key=KEY)
    names = list(fasano.ACCOUNTS)
    replicate(url, slug, names[:-1])
    # The replica lacks one organisation: the demo waits for it, until its deadline.
    with pytest.raises(RuntimeError, match=names[-1]):
        demo_consultation.load_tables(settings, tenant=slug, ambito="fasano", base=base, wait_seconds=0)
    replicate(url, slug, names[-1:])
    line = demo_consultation.load_tables(settings, tenant=slug, ambito="fasano", base=base, wait_seconds=0)
    memberships = sum(len(t[-1]) for t in fasano.TABLES)
    assert line.startswith(f"{slug}: 6 tables (6 new), {memberships} memberships added")
    again = demo_consultation.load_tables(settings, tenant=slug, ambito="fasano", base=base, wait_seconds=0)
    assert again.startswith(f"{slug}: 6 tables (0 new), 0 memberships added")
    with psycopg.connect(url) as conn:
        tables = conn.execute("SELECT kind, title, areas, membership, coordinator FROM consultation_tables"
                              " ORDER BY seq").fetchall()
        members = conn.execute("SELECT t.title, o.name, m.accounts FROM table_members m"
                               " JOIN consultation_tables t ON t.id = m.table_id"
                               " JOIN organisations o ON o.organisation_id = m.organisation_id"
                               " WHERE m.state = 'member' ORDER BY m.seq").fetchall()
    assert [kind for kind, *_ in tables] == ["thematic"] * 3 + ["plenary"] + ["standing"] * 2
    assert [areas for _, _, areas, _, _ in tables] == [
        ["socio-educativa"], ["assistenziale-welfare-accesso"], ["socio-sanitaria"], [],
        ["assistenziale-welfare-accesso"], ["socio-sanitaria"]]
    titles = [title for _, title, *_ in tables]
    assert "Tavolo tematico area socio-educativa" in titles and "Sessione plenaria" in titles
    assert any("Over 40" in t for t in titles) and any("dipendenze patologiche" in t for t in titles)
    assert all(coordinator for *_, coordinator in tables)
    assert len(members) == memberships
    assert {name for title, name, _ in members if title == "Sessione plenaria"} == set(names)
    assert all(accounts == [fasano.ACCOUNTS[name]] for _, name, accounts in members)
