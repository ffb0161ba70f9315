"""A region's open-data catalogue as DCAT-AP_IT JSON-LD: pure, built from plain values.

Classes and properties of the Italian profile (AgID, "Linee guida per i cataloghi dati", DCAT-AP_IT):
- dcatapit:Catalog: dct:title, dct:description, dct:publisher, dct:modified, foaf:homepage, dcat:dataset;
  dct:language and dcat:themeTaxonomy (recommended);
- dcatapit:Dataset: dct:identifier ("<IPA code>:<local id>"), dct:title, dct:description, dct:modified,
  dcat:theme (EU data themes), dct:rightsHolder, dct:publisher, dct:accrualPeriodicity (EU frequencies),
  dcat:distribution, dcat:contactPoint; dcat:keyword, dct:language, dct:spatial (recommended);
- dcatapit:Distribution: dct:format (EU file types), dct:license (dcatapit:LicenseDocument),
  dcat:accessURL; dcat:downloadURL, dcat:mediaType, dct:title (recommended);
- dcatapit:Agent (publisher, rights holder): dct:identifier (IPA code), foaf:name;
- dcatapit:Organization (contact point): vcard:fn, vcard:hasEmail.
Every node also carries its DCAT class, so a harvester that knows only DCAT-AP reads it too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.reporting.campaigns.config import Office
from services.reporting.opendata.datasets import FILE_TYPES, FREQUENCIES, THEMES, DatasetSpec

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatapit": "http://dati.gov.it/onto/dcatapit#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
LICENSE = {
    "@id": "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40",
    "@type": ["dcatapit:LicenseDocument", "dct:LicenseDocument"],
    "dct:type": {"@id": "http://purl.org/adms/licencetype/Attribution"},
    "foaf:name": {"@value": "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)", "@language": "it"},
}
ITALIAN = {"@id": "http://publications.europa.eu/resource/authority/language/ITA"}
THEME_TAXONOMY = {"@id": "http://publications.europa.eu/resource/authority/data-theme"}


@dataclass(frozen=True)
class Ambito:
    slug: str
    name: str
    identifier: str             # the Ambito's IPA code when the Region configured it, else ats-<slug>


@dataclass(frozen=True)
class Site:
    """Where things are: the catalogue's own URL and each service's public base URL (no trailing /)."""
    catalog_url: str
    base_urls: dict             # service -> base URL


def _it(text: str) -> dict:
    return {"@value": text, "@language": "it"}


def _date(day: date) -> dict:
    return {"@value": day.isoformat(), "@type": "xsd:date"}


def _agent(identifier: str, name: str, homepage: str | None = None) -> dict:
    node = {"@type": ["dcatapit:Agent", "foaf:Agent"], "dct:identifier": identifier, "foaf:name": _it(name)}
    if homepage:
        node["foaf:homepage"] = {"@id": homepage}
    return node


def _contact(office: Office) -> dict:
    return {"@type": ["dcatapit:Organization", "vcard:Organization", "vcard:Kind"], "vcard:fn": office.name,
            "vcard:hasEmail": {"@id": f"mailto:{office.email}"}}


def _distribution(spec, *, url: str, title: str) -> dict:
    media_type, file_type = FILE_TYPES[spec.format]
    return {"@id": f"{url}#distribuzione", "@type": ["dcatapit:Distribution", "dcat:Distribution"],
            "dct:title": _it(f"{title} ({spec.format})"), "dct:format": {"@id": file_type},
            "dcat:mediaType": media_type, "dct:license": LICENSE,
            "dcat:accessURL": {"@id": url}, "dcat:downloadURL": {"@id": url}}


def dataset_node(spec: DatasetSpec, *, office: Office, site: Site, region: str, region_name: str,
                 modified: date, served: frozenset, ambito: Ambito | None = None) -> dict | None:
    """One dataset with the distributions available now; None when none is (nothing to harvest)."""
    values = {"region": region, "region_name": region_name,
              "tenant": ambito.slug if ambito else "", "tenant_name": ambito.name if ambito else ""}
    title = spec.title.format(**values)
    local = spec.key.format(**values)
    distributions = [_distribution(d, url=site.base_urls[d.service] + d.path.format(**values), title=title)
                     for d in spec.distributions if d.service != "reporting" or d.endpoint in served]
    if not distributions:
        return None
    holder = _agent(ambito.identifier, ambito.name) if ambito else _agent(office.ipa_code, office.name, office.homepage)
    return {
        "@id": f"{site.catalog_url}#{local}", "@type": ["dcatapit:Dataset", "dcat:Dataset"],
        "dct:identifier": f"{office.ipa_code}:{local}", "dct:title": _it(title), "dct:description": _it(spec.description),
        "dct:modified": _date(modified), "dcat:theme": [{"@id": THEMES[t]} for t in spec.themes],
        "dcat:keyword": [_it(k) for k in spec.keywords], "dct:language": ITALIAN,
        "dct:rightsHolder": holder, "dct:publisher": _agent(office.ipa_code, office.name, office.homepage),
        "dct:accrualPeriodicity": {"@id": FREQUENCIES[spec.frequency]},
        "dcat:contactPoint": _contact(office), "dcat:distribution": distributions,
    }


def catalog(*, specs, office: Office, site: Site, region: str, region_name: str, ambiti: list[Ambito],
            modified: dict, served: frozenset, today: date) -> dict:
    """The catalogue of a region: regional datasets, then one per Ambito and per-Ambito spec.

    `modified` maps a tenant slug (None: the region as a whole) to the day its data last changed;
    a dataset without data yet takes `today`."""
    datasets = []
    for spec in specs:
        for ambito in (ambiti if spec.per_ambito else [None]):
            day = modified.get(ambito.slug if ambito else None) or today
            node = dataset_node(spec, office=office, site=site, region=region, region_name=region_name,
                                modified=day, served=served, ambito=ambito)
            if node is not None:
                datasets.append(node)
    return {
        "@context": CONTEXT, "@id": site.catalog_url, "@type": ["dcatapit:Catalog", "dcat:Catalog"],
        "dct:title": _it(f"Dati aperti dei Piani Sociali di Zona – {region_name}"),
        "dct:description": _it("Catalogo dei dati aperti dei Piani Sociali di Zona degli Ambiti Territoriali Sociali "
                               f"della {region_name} (profilo DCAT-AP_IT), per l'harvesting del portale regionale "
                               "e di dati.gov.it."),
        "dct:publisher": _agent(office.ipa_code, office.name, office.homepage),
        "dct:modified": _date(max((date.fromisoformat(d["dct:modified"]["@value"]) for d in datasets), default=today)),
        "foaf:homepage": {"@id": office.homepage}, "dct:language": ITALIAN, "dcat:themeTaxonomy": THEME_TAXONOMY,
        "dcat:dataset": datasets,
    }
