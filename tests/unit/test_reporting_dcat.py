"""The DCAT-AP_IT catalogue built from plain values: it parses as RDF and has every mandatory property."""
import json
from datetime import date

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from services.reporting.campaigns.config import Office
from services.reporting.opendata import catalog as dcat
from services.reporting.opendata.datasets import DATASETS, PER_AMBITO, REGIONAL, DatasetSpec, DistributionSpec
from services.reporting.opendata.profile import DCAT, DCATAPIT, DCT, distribution_urls, violations
from services.reporting.opendata.service import FORMATS, serialise

OFFICE = Office("basilicata", "Regione Basilicata", "r_basili", "opendata@basilicata.pdz.example.org",
                "https://www.regione.basilicata.it", (("lagonegrese", "ats_lag"),))
SITE = dcat.Site("https://reporting.example.org/v1/regions/basilicata/opendata/catalog.jsonld",
                 {"reporting": "https://reporting.example.org", "registry": "https://registry.example.org"})
AMBITI = [dcat.Ambito("lagonegrese", "Ambito Lagonegrese", OFFICE.ambito_identifier("lagonegrese")),
          dcat.Ambito("pollino", "Ambito Pollino", OFFICE.ambito_identifier("pollino"))]
SERVED = frozenset({"opendata.StatisticsCsv", "opendata.StatisticsJson"})


def build(specs=DATASETS, served=SERVED, modified=None):
    return dcat.catalog(specs=specs, office=OFFICE, site=SITE, region="basilicata", region_name="Regione Basilicata",
                        ambiti=AMBITI, modified=modified or {None: date(2026, 5, 4), "pollino": date(2026, 2, 1)},
                        served=served, today=date(2026, 11, 27))


def graph_of(document) -> Graph:
    return Graph().parse(data=json.dumps(document), format="json-ld")


def test_the_catalogue_parses_as_rdf_and_every_dataset_has_the_mandatory_properties():
    graph = graph_of(build())
    assert violations(graph) == []
    datasets = set(graph.subjects(RDF.type, DCATAPIT.Dataset))
    assert len(datasets) == len(REGIONAL) + len(PER_AMBITO) * len(AMBITI)
    assert set(graph.objects(URIRef(SITE.catalog_url), DCAT.dataset)) == datasets
    identifiers = {str(graph.value(d, DCT.identifier)) for d in datasets}
    assert identifiers == {"r_basili:statistiche-piani-sociali-di-zona", "r_basili:registro-soggetti-lagonegrese",
                           "r_basili:registro-soggetti-pollino"}
    assert distribution_urls(graph) == [
        "https://registry.example.org/v1/lagonegrese/public/stakeholders.csv",
        "https://registry.example.org/v1/lagonegrese/public/stakeholders.xlsx",
        "https://registry.example.org/v1/pollino/public/stakeholders.csv",
        "https://registry.example.org/v1/pollino/public/stakeholders.xlsx",
        "https://reporting.example.org/v1/regions/basilicata/opendata/statistiche.csv",
        "https://reporting.example.org/v1/regions/basilicata/opendata/statistiche.json"]


def test_rights_holders_dates_and_vocabularies():
    document = build()
    by_id = {d["dct:identifier"]: d for d in document["dcat:dataset"]}
    regional = by_id["r_basili:statistiche-piani-sociali-di-zona"]
    assert regional["dct:rightsHolder"]["dct:identifier"] == "r_basili"
    assert regional["dct:modified"] == {"@value": "2026-05-04", "@type": "xsd:date"}
    assert [t["@id"].rsplit("/", 1)[1] for t in regional["dcat:theme"]] == ["SOCI", "GOVE", "ECON"]
    # An Ambito's register: the Ambito holds the rights (its IPA code when configured), its own date, else today.
    assert by_id["r_basili:registro-soggetti-lagonegrese"]["dct:rightsHolder"]["dct:identifier"] == "ats_lag"
    assert by_id["r_basili:registro-soggetti-pollino"]["dct:rightsHolder"]["dct:identifier"] == "ats-pollino"
    assert by_id["r_basili:registro-soggetti-pollino"]["dct:modified"]["@value"] == "2026-02-01"
    assert by_id["r_basili:registro-soggetti-lagonegrese"]["dct:modified"]["@value"] == "2026-11-27"
    assert document["dct:modified"]["@value"] == "2026-11-27"   # the newest of its datasets
    csv = regional["dcat:distribution"][0]
    assert csv["dct:format"]["@id"].endswith("/file-type/CSV") and csv["dcat:mediaType"] == "text/csv"
    assert csv["dct:license"]["@id"].endswith("A21_CCBY40")


def test_a_distribution_not_served_publicly_is_not_advertised_and_a_dataset_without_any_is_left_out():
    document = build(served=frozenset({"opendata.StatisticsCsv"}))
    regional = next(d for d in document["dcat:dataset"] if d["dct:identifier"].endswith("statistiche-piani-sociali-di-zona"))
    assert [d["dct:format"]["@id"].rsplit("/", 1)[1] for d in regional["dcat:distribution"]] == ["CSV"]
    nothing = build(served=frozenset())
    assert all("statistiche" not in d["dct:identifier"] for d in nothing["dcat:dataset"])
    assert violations(graph_of(nothing)) == []


def test_the_check_fails_when_a_dataset_lacks_a_mandatory_property():
    document = build()
    del document["dcat:dataset"][0]["dcat:distribution"]
    del document["dcat:dataset"][1]["dct:accrualPeriodicity"]
    document["dcat:dataset"][2]["dcat:theme"] = [{"@id": "http://example.org/themes/social"}]
    found = violations(graph_of(document))
    assert any("dcat:distribution missing" in v for v in found)
    assert any("dct:accrualPeriodicity missing" in v for v in found)
    assert any("is not in http://publications.europa.eu/resource/authority/data-theme/" in v for v in found)


@pytest.mark.parametrize("fmt, parser", [("rdf", "xml"), ("ttl", "turtle"), ("jsonld", "json-ld")])
def test_every_serialisation_holds_the_same_graph(fmt, parser):
    document = build()
    body, media_type = serialise(document, fmt)
    assert media_type == FORMATS[fmt][1]
    again = Graph().parse(data=body.decode("utf-8"), format=parser)
    assert len(again) == len(graph_of(document)) and violations(again) == []


def test_every_spec_names_known_vocabulary_entries_and_a_distribution():
    for spec in DATASETS:
        assert isinstance(spec, DatasetSpec) and spec.distributions, spec.key
        assert all(isinstance(d, DistributionSpec) and d.path.startswith("/v1/") for d in spec.distributions)
