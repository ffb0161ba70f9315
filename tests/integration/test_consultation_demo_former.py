"""The demo's former Ambiti (shared/cli/demo_consultation.py load_former, demo_consultation_former_ambiti.py) over
real HTTP into a consultation API on the real PostgreSQL, each on a freshly provisioned Basilicata Ambito: its
table with the members and their accounts, the needs and the proposal by the representatives; an organisation
of the same name from another Ambito's register (as a merged Ambito holds) is never taken for its own; a second
run writes nothing."""
import threading

import psycopg
import pytest
from werkzeug.serving import make_server

from shared.cli import demo_consultation
from shared.cli.provision import provision
from shared.config import Settings

from services.consultation.app import create_app
from tests.conftest import random_slug
from tests.integration.test_consultation_demo import KEY, counts, replicate


@pytest.fixture
def served_former(catalogue_factory, settings, tmp_path):
    """A freshly provisioned Basilicata Ambito and a consultation API on a loopback port."""
    slug = random_slug("ex")
    catalogue = catalogue_factory([random_slug("b")], extra=[{"slug": slug, "name": "Ex Ambito",
                                                              "region": "basilicata"}])
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


@pytest.mark.parametrize("ambito", ["lagonegrese", "pollino"])
def test_a_former_ambitos_table_needs_and_proposal_are_loaded_once(served_former, ambito):
    slug, url, base = served_former
    spec = demo_consultation.FORMER[ambito]
    names = list(spec["accounts"])
    replicate(url, slug, names[1:])
    with pytest.raises(RuntimeError, match="still lacks"):
        demo_consultation.load_former(Settings(jwt_dev_key=KEY), tenant=slug, ambito=ambito, base=base,
                                      wait_seconds=0)
    replicate(url, slug, names[:1])
    # the same names in another Ambito's register, arriving later (as a merged Ambito holds its former Ambiti's)
    replicate(url, "ambito-predecessore", names)
    assert {row[0] for row in psycopg.connect(url).execute("SELECT DISTINCT origin FROM organisations")} == {
        slug, "ambito-predecessore"}
    line = demo_consultation.load_former(Settings(jwt_dev_key=KEY), tenant=slug, ambito=ambito, base=base,
                                         wait_seconds=0)
    assert line.startswith(f"{slug}: 1 table, ") and "writes in this run" in line, line
    work = next(iter(spec["work"].values()))
    with psycopg.connect(url) as conn:
        tables = conn.execute("SELECT title, kind, coordinator FROM consultation_tables").fetchall()
        members = conn.execute("SELECT o.name, o.origin, m.accounts FROM table_members m JOIN organisations o"
                               " ON o.organisation_id = m.organisation_id").fetchall()
        needs = conn.execute("SELECT n.title, o.name, n.session_id FROM needs n JOIN organisations o"
                             " ON o.organisation_id = n.organisation_id").fetchall()
        proposals = conn.execute("SELECT title, estimated_cost::text, (SELECT count(*) FROM proposal_needs n"
                                 " WHERE n.proposal_id = p.id) FROM proposals p").fetchall()
    (kind, title, _d, _a, _m, coordinator, seated), = spec["tables"]
    assert tables == [(title, kind, coordinator)]
    assert sorted(members) == sorted((name, slug, [spec["accounts"][name]]) for name in seated)
    assert sorted(needs) == sorted((n["title"], n["by"], None) for n in work["needs"])
    assert proposals == [(p["title"], f"{p['estimated_cost']}.00", len(p["needs"])) for p in work["proposals"]]
    before = counts(url)
    again = demo_consultation.load_former(Settings(jwt_dev_key=KEY), tenant=slug, ambito=ambito, base=base,
                                          wait_seconds=0)
    assert again.endswith("nothing new in this run"), again
    assert counts(url) == before
