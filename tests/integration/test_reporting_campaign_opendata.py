"""The region's open-data catalogue served by the real reporting app (no token), over the real PostgreSQL.

It parses as RDF in every serialisation, every dataset has DCAT-AP_IT's mandatory properties, and every
distribution it advertises answers 200 without a token: reporting's in reporting's app, the registers'
in registry's app (each a test client of the service that serves it)."""
from datetime import datetime
from urllib.parse import urlsplit

import psycopg
import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event

from services.reporting.opendata.service import ROME
from services.reporting.opendata.profile import DCATAPIT, DCT, distribution_urls, violations
from services.reporting.projector import project
from tests.conftest import random_slug

KEY = "reporting-opendata-key-" + "o" * 32
REGISTRY_URL = "https://registry.pdz.example.org"


@pytest.fixture
def served(catalogue_factory, settings, tmp_path, monkeypatch):
    from shared.cli.provision import provision
    from services.registry.app import create_app as registry_app
    from services.reporting.app import create_app as reporting_app
    a, b, elsewhere = random_slug("lag"), random_slug("pol"), random_slug("pug")
    catalogue = catalogue_factory([a, b], extra=[{"slug": elsewhere, "name": "Ambito di Fasano", "region": "puglia"}])
    provision(catalogue, report=lambda *_: None)
    registered = new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=a,
                           aggregate_id="s", data={"stakeholder_id": "6a1f0c2e-8d4b-4f5a-9c3e-1b7d2e4f6a80",
                                                   "name": "ODV", "type": "ets", "runts_section": "a",
                                                   "registered_at": "2026-02-03T10:00:00+01:00"})
    with psycopg.connect(catalogue.regional_url("reporting")) as conn:
        apply_rows(conn, project(registered))
    monkeypatch.setenv("PDZ_PUBLIC_URL_REGISTRY", REGISTRY_URL)
    monkeypatch.delenv("PDZ_PUBLIC_URL_REPORTING", raising=False)
    app_settings = Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                            database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap)
    return (reporting_app(settings=app_settings).test_client(), registry_app(settings=app_settings).test_client(),
            a, b, elsewhere)


def _graph(client, fmt, parser) -> Graph:
    response = client.get(f"/v1/regions/basilicata/opendata/catalog.{fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "public, no-cache"
    return Graph().parse(data=response.get_data(as_text=True), format=parser)


def test_the_catalogue_is_public_valid_rdf_with_every_mandatory_property(served):
    reporting, _registry, a, b, elsewhere = served
    graphs = {fmt: _graph(reporting, fmt, parser) for fmt, parser in (("jsonld", "json-ld"), ("rdf", "xml"),
                                                                      ("ttl", "turtle"))}
    sizes = {fmt: len(g) for fmt, g in graphs.items()}
    assert len(set(sizes.values())) == 1, sizes
    graph = graphs["rdf"]
    assert violations(graph) == []
    identifiers = {str(graph.value(d, DCT.identifier)) for d in graph.subjects(RDF.type, DCATAPIT.Dataset)}
    # The region's statistics and each of its Ambiti's registers; nothing of another region.
    assert identifiers == {"r_basili:statistiche-piani-sociali-di-zona", f"r_basili:registro-soggetti-{a}",
                           f"r_basili:registro-soggetti-{b}"}
    modified = {str(graph.value(d, DCT.identifier)): str(graph.value(d, DCT.modified))
                for d in graph.subjects(RDF.type, DCATAPIT.Dataset)}
    assert modified[f"r_basili:registro-soggetti-{a}"] == "2026-02-03"   # the register's last change, in Italy
    assert modified["r_basili:statistiche-piani-sociali-di-zona"] == "2026-02-03"
    # B's register has no record yet: it takes the day the catalogue was made (in Italy).
    assert modified[f"r_basili:registro-soggetti-{b}"] == datetime.now(ROME).date().isoformat()


def test_every_distribution_answers_200_without_a_token(served):
    reporting, registry, a, b, _elsewhere = served
    urls = distribution_urls(_graph(reporting, "jsonld", "json-ld"))
    assert len(urls) == 6, urls   # statistics CSV and JSON, two registers in CSV and XLSX
    for url in urls:
        parts = urlsplit(url)
        client = registry if url.startswith(REGISTRY_URL) else reporting
        if client is reporting:
            assert parts.netloc == "localhost", url   # reporting's own URLs: as the caller reached it
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        assert response.data, url


def test_unknown_regions_have_no_catalogue(served):
    reporting, *_ = served
    response = reporting.get("/v1/regions/molise/opendata/catalog.jsonld")
    assert response.status_code == 404 and response.get_json()["type"].endswith("/not-found")
    assert reporting.get("/v1/regions/molise/opendata/statistiche.csv").status_code == 404
