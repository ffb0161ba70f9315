"""The DCAT-AP_IT properties a harvester requires, checked on an RDF graph (what dati.gov.it validates).

Used by the tests on the served catalogue, and by anyone wanting to check a catalogue before
giving its URL to the regional portal: `violations(graph)` lists what is missing, naming the node.
"""
from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS as DCT, FOAF, RDF   # defined ones: DCT.title is not str.title

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")   # fn, hasEmail: no str method of those names

# Mandatory per class (DCAT-AP_IT; the Dataset's publisher is recommended there, and this suite always gives it).
MANDATORY = {
    DCATAPIT.Catalog: (DCT.title, DCT.description, DCT.publisher, DCT.modified, FOAF.homepage, DCAT.dataset),
    DCATAPIT.Dataset: (DCT.identifier, DCT.title, DCT.description, DCT.modified, DCAT.theme, DCT.rightsHolder,
                       DCT.publisher, DCT.accrualPeriodicity, DCAT.distribution, DCAT.contactPoint),
    DCATAPIT.Distribution: (DCT.format, DCT.license, DCAT.accessURL),
    DCATAPIT.Agent: (DCT.identifier, FOAF.name),
    DCATAPIT.Organization: (VCARD.fn, VCARD.hasEmail),
    DCATAPIT.LicenseDocument: (DCT.type, FOAF.name),
}
# Controlled vocabularies a value must come from (EU Publications Office authority lists).
VOCABULARIES = {
    DCAT.theme: "http://publications.europa.eu/resource/authority/data-theme/",
    DCT.format: "http://publications.europa.eu/resource/authority/file-type/",
    DCT.accrualPeriodicity: "http://publications.europa.eu/resource/authority/frequency/",
}


def violations(graph: Graph) -> list[str]:
    """Every missing mandatory property, or value outside its vocabulary, as '<class> <node>: <property>'."""
    found = []
    for cls, properties in MANDATORY.items():
        for node in graph.subjects(RDF.type, cls):
            for prop in properties:
                if graph.value(node, prop) is None:
                    found.append(f"{graph.qname(cls)} {node}: {graph.qname(prop)} missing")
    for prop, base in VOCABULARIES.items():
        for node, value in graph.subject_objects(prop):
            if not (isinstance(value, URIRef) and str(value).startswith(base)):
                found.append(f"{node}: {graph.qname(prop)} {value} is not in {base}")
    return found


def distribution_urls(graph: Graph) -> list[str]:
    """Every distribution's download URL (else its access URL), for checking that each answers."""
    urls = []
    for node in graph.subjects(RDF.type, DCATAPIT.Distribution):
        url = graph.value(node, DCAT.downloadURL) or graph.value(node, DCAT.accessURL)
        urls.append(str(url))
    return sorted(urls)
