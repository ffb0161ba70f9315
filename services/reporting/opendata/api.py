"""Public, no token: the region's DCAT-AP_IT catalogue and the open statistics it describes.

GET /v1/regions/{region}/opendata/catalog.jsonld | .rdf | .ttl: the URL a region gives dati.gov.it or
its regional portal for harvesting (docs/reporting.md, Open data).
GET /v1/regions/{region}/opendata/statistiche.csv | .json: the regional statistics feed's rows
(aggregates only), the same the regional office reads at /v1/regions/{region}/feed.csv behind a token.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, request
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.blueprint import Blueprint
from shared.http.problems import Problem

from services.reporting.campaigns.api import campaigns
from services.reporting.indicators import answers, exports, territories
from services.reporting.indicators.query import PeriodQuery
from services.reporting.indicators_api import kept, period_of
from services.reporting.campaigns.view import region_ambiti
from services.reporting.opendata import service
from services.reporting.opendata.service import FORMATS, ROME

blp = Blueprint("opendata", __name__, url_prefix="/v1/regions/<region>/opendata", public=True,
                description="Catalogo dei dati aperti della regione (DCAT-AP_IT), pubblico")


def _responses(media_type: str, what: str) -> dict:
    return {"200": {"description": what, "content": {media_type: {"schema": {"type": "string"}}},
                    "headers": {"Cache-Control": {"description": "`public, no-cache`", "required": True,
                                                  "schema": {"type": "string"}}}}}


def _answer(region: str, fmt: str) -> Response:
    platform = current_platform()
    known = platform.regions.get(region)
    office = campaigns().offices.get(region)
    if known is None or office is None:
        raise Problem(404, "Not Found", f"La regione '{region}' non pubblica un catalogo di dati aperti.",
                      slug="not-found")

    def build(conn, _state, _as_of):
        document = service.region_catalog(conn=conn, app=current_app, office=office, region=region,
                                          region_name=known.name, ambiti=region_ambiti(
                                              catalogue=platform.catalogue, region=region),
                                          request_root=request.host_url, today=datetime.now(ROME).date())
        body, media_type = service.serialise(document, fmt)
        response = Response(body, content_type=f"{media_type}; charset=utf-8")
        # Harvesters come back weekly; a person's browser may keep it but asks again (the data changes with events).
        response.cache_control.public = True
        response.cache_control.no_cache = True
        return response
    # Kept in memory while the region's data does not change (docs/reporting.md, The figure cache).
    return kept(territories.of_region(list(platform.catalogue), region), ("catalog", region, fmt, request.host_url),
                build)


@blp.route("/catalog.jsonld")
class CatalogJsonLd(MethodView):
    @blp.doc(security=[], responses=_responses(FORMATS["jsonld"][1], "Il catalogo in JSON-LD"))
    def get(self, region):
        """The region's open-data catalogue, DCAT-AP_IT in JSON-LD (no token needed)."""
        return _answer(region, "jsonld")


@blp.route("/catalog.rdf")
class CatalogRdfXml(MethodView):
    @blp.doc(security=[], responses=_responses(FORMATS["rdf"][1], "Il catalogo in RDF/XML"))
    def get(self, region):
        """The same catalogue in RDF/XML (what dati.gov.it's DCAT-AP_IT harvester reads)."""
        return _answer(region, "rdf")


@blp.route("/catalog.ttl")
class CatalogTurtle(MethodView):
    @blp.doc(security=[], responses=_responses(FORMATS["ttl"][1], "Il catalogo in Turtle"))
    def get(self, region):
        """The same catalogue in Turtle."""
        return _answer(region, "ttl")


def _statistics(region: str, query: dict, fmt: str) -> Response:
    platform = current_platform()
    tenants = list(platform.catalogue)
    if region not in territories.regions(tenants) or campaigns().offices.get(region) is None:
        raise Problem(404, "Not Found", f"La regione '{region}' non pubblica dati aperti.", slug="not-found")
    period, found = period_of(query), territories.of_region(tenants, region)

    def build(conn, state, as_of):
        rows, as_of = answers.feed_rows(conn, territories=found, period=period, state=state, as_of=as_of)
        if fmt == "csv":
            body = exports.feed_csv(rows)
        else:
            body = exports.feed_json(rows, about={"region": region, "period": str(period), "as_of": {
                s: (w.isoformat() if w else None) for s, w in as_of.items()}})
        response = Response(body, content_type=exports.CONTENT_TYPES[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="statistiche-{region}-{period}.{fmt}"'
        response.cache_control.public = True
        response.cache_control.no_cache = True
        return response
    return kept(found, ("opendata", region, fmt, str(period)), build)


def _file(media_type: str, what: str) -> dict:
    doc = _responses(media_type, what)
    doc["200"]["headers"]["Content-Disposition"] = {
        "description": "attachment; filename=statistiche-<regione>-<periodo>.<ext>", "required": True,
        "schema": {"type": "string"}}
    return doc


@blp.route("/statistiche.csv")
class StatisticsCsv(MethodView):
    @blp.arguments(PeriodQuery, location="query")
    @blp.doc(security=[], responses=_file("text/csv", "Le statistiche in CSV (';', UTF-8 con BOM)"))
    def get(self, query, region):
        """The region's statistics feed as CSV, open data (default: this year)."""
        return _statistics(region, query, "csv")


@blp.route("/statistiche.json")
class StatisticsJson(MethodView):
    @blp.arguments(PeriodQuery, location="query")
    @blp.doc(security=[], responses=_file("application/json", "Le statistiche in JSON"))
    def get(self, query, region):
        """The region's statistics feed as JSON, open data (default: this year)."""
        return _statistics(region, query, "json")
