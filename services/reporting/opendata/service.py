"""The catalogue of a region from the running app and the read model: what is served, when data changed."""
from __future__ import annotations

import json
import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg
from rdflib import Graph

from services.reporting.campaigns.config import Office
from services.reporting.opendata import catalog as dcat
from services.reporting.opendata.datasets import DATASETS

ROME = ZoneInfo("Europe/Rome")
# Where citizens and harvesters reach registry's public exports: the Ingress host in Kubernetes
# (PDZ_PUBLIC_URL_REGISTRY in the pdz-config ConfigMap); locally `pdz run`'s registry API.
LOCAL_REGISTRY = "http://127.0.0.1:58081"
FORMATS = {"jsonld": ("json-ld", "application/ld+json"), "rdf": ("pretty-xml", "application/rdf+xml"),
           "ttl": ("turtle", "text/turtle")}


def base_urls(*, request_root: str) -> dict:
    """Each service's public base URL: PDZ_PUBLIC_URL_<SERVICE>, else reporting's own as the caller reached it."""
    reporting = os.environ.get("PDZ_PUBLIC_URL_REPORTING") or request_root
    registry = os.environ.get("PDZ_PUBLIC_URL_REGISTRY") or LOCAL_REGISTRY
    return {"reporting": reporting.rstrip("/"), "registry": registry.rstrip("/")}


def public_endpoints(app) -> frozenset:
    """The endpoints this process serves without a token (routes of blueprints declared public)."""
    return frozenset(rule.endpoint for rule in app.url_map.iter_rules()
                     if getattr(app.blueprints.get(rule.endpoint.partition(".")[0]), "public", False))


def _day(at: datetime | None) -> date | None:
    return at.astimezone(ROME).date() if at else None


def last_changes(*, conn: psycopg.Connection, tenants: list[str]) -> dict:
    """When data last changed: per Ambito its register; None -> anything of the region's Ambiti."""
    registers = conn.execute(
        "SELECT tenant, max(valid_from) FROM stakeholder_history WHERE tenant = ANY(%s) GROUP BY tenant",
        (tenants,)).fetchall()
    region = conn.execute(
        "SELECT max(at) FROM (SELECT max(valid_from) AS at FROM stakeholder_history WHERE tenant = ANY(%(t)s)"
        " UNION ALL SELECT max(changed_at) FROM budget_plan_states WHERE tenant = ANY(%(t)s)"
        " UNION ALL SELECT max(as_of) FROM budget_intervention_facts WHERE tenant = ANY(%(t)s)"
        " UNION ALL SELECT max(recorded_at) FROM budget_commitment_facts WHERE tenant = ANY(%(t)s)"
        " UNION ALL SELECT max(recorded_at) FROM budget_payment_facts WHERE tenant = ANY(%(t)s)) AS changes",
        {"t": tenants}).fetchone()[0]
    return {**{tenant: _day(at) for tenant, at in registers}, None: _day(region)}


def region_catalog(*, conn: psycopg.Connection, app, office: Office, region: str, region_name: str,
                   ambiti: list, request_root: str, today: date) -> dict:
    """The region's DCAT-AP_IT catalogue as JSON-LD (a dict)."""
    urls = base_urls(request_root=request_root)
    site = dcat.Site(catalog_url=f"{urls['reporting']}/v1/regions/{region}/opendata/catalog.jsonld", base_urls=urls)
    entries = [dcat.Ambito(t.slug, t.name, office.ambito_identifier(t.slug)) for t in ambiti]
    return dcat.catalog(specs=DATASETS, office=office, site=site, region=region, region_name=region_name,
                        ambiti=entries, modified=last_changes(conn=conn, tenants=[t.slug for t in ambiti]),
                        served=public_endpoints(app), today=today)


def serialise(document: dict, fmt: str) -> tuple[bytes, str]:
    """The catalogue in one of FORMATS: JSON-LD as built, RDF/XML and Turtle through rdflib."""
    name, media_type = FORMATS[fmt]
    if fmt == "jsonld":
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"), media_type
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    for prefix, namespace in dcat.CONTEXT.items():
        graph.bind(prefix, namespace)
    return graph.serialize(format=name, encoding="utf-8"), media_type
