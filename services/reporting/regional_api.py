"""The region's indicators: /v1/regions/{region}/indicators…, exports and the statistics feed; definitions.

No Ambito in these paths: the app factory gives such routes the caller's regional roles only (g.tenant
is None). The regional admin reads them; the regional reviewer, like in an Ambito's statistics, does not.
The catalogue reserves the slug `regions` (shared/tenants.py), so no Ambito's path can be taken for these.
"""
from __future__ import annotations

from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import REGIONAL_ADMIN, requires
from shared.http.blueprint import Blueprint
from shared.http.openapi import problems
from shared.http.problems import Problem, invalid

from services.reporting.indicators import answers, exports, territories
from services.reporting.indicators.evaluate import UnknownIndicator, indicator, indicators
from services.reporting.indicators.query import PeriodQuery, TraceQuery, file_doc
from services.reporting.indicators.schemas import Answer, Definitions, Trace
from services.reporting.indicators_api import feed_answer, file_answer, json_answer, period_of, trace_answer

blp = Blueprint("regional_indicators", __name__, url_prefix="/v1/regions/<region>",
                description="Indicatori della Regione: per Ambito e totale regionale; flusso statistico")
definitions_blp = Blueprint("indicator_definitions", __name__, url_prefix="/v1/indicators", public=True,
                            description="Definizioni degli indicatori (pubbliche)")

REGIONAL_READERS = (REGIONAL_ADMIN,)
UNKNOWN_REGION = ("unknown-region", "no Ambito of the catalogue is in this region")
UNKNOWN = ("not-found", "no indicator of this code")


def _territories(region: str):
    tenants = list(current_platform().catalogue)
    if region not in territories.regions(tenants):
        raise Problem(404, "Not Found", f"Nessun Ambito del catalogo è nella regione '{region}'.",
                      slug="unknown-region")
    return territories.of_region(tenants, region)




@blp.route("/indicators")
class RegionIndicators(MethodView):
    @requires(*REGIONAL_READERS)
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, Answer)
    @blp.alt_response(404, **problems(404, UNKNOWN_REGION))
    def get(self, query, region):
        """Every indicator for each Ambito of the region (merged ones also whole and by former territory) and the
        region total."""
        return json_answer(_territories(region), period_of(query), {"region": region})


@blp.route("/indicators/<code>")
class RegionIndicator(MethodView):
    @requires(*REGIONAL_READERS)
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, Answer)
    @blp.alt_response(404, **problems(404, UNKNOWN_REGION, UNKNOWN))
    def get(self, query, region, code):
        """One indicator for each Ambito of the region and the region total."""
        items = [_known(code)]
        return json_answer(_territories(region), period_of(query), {"region": region}, items)


def _known(code: str):
    try:
        return indicator(code)
    except UnknownIndicator:
        raise Problem(404, "Not Found", f"Non esiste l'indicatore '{code}'.", slug="not-found") from None


@blp.route("/indicators/<code>/trace")
class RegionIndicatorTrace(MethodView):
    @requires(*REGIONAL_READERS)
    @blp.arguments(TraceQuery, location="query")
    @blp.response(200, Trace)
    @blp.alt_response(404, **problems(404, UNKNOWN_REGION, UNKNOWN))
    def get(self, query, region, code):
        """The records one regional figure was computed from, a page at a time: `territory` is the region (default),
        an Ambito of it (a merged one as a whole) or a former territory; dimensions as query parameters."""
        found = _territories(region)
        item = _known(code)
        name = query.get("territory") or region
        ranked = {territories.REGION: 0, territories.WHOLE: 1, territories.AMBITO: 2, territories.FORMER: 3}
        matches = sorted((t for t in found if t.code == name), key=lambda t: ranked[t.level])
        if not matches:
            raise invalid(("territory", "Not this region, one of its Ambiti nor a former territory."),
                          location="query")
        return trace_answer(item, matches[0], query)


def _export_view(fmt: str, *, one: bool):
    def get(self, query, region, code=None):
        items, period = ([_known(code)] if one else None), period_of(query)
        found = _territories(region)
        what = f"{code}-" if one else ""
        return file_answer(found, period, {"region": region}, fmt, name=f"indicatori-{what}{region}-{period}",
                           title=f"Indicatori {period} — {region}", items=items)
    get.__doc__ = (f"{'One indicator' if one else 'Every indicator'} per Ambito and for the region as "
                   f"{fmt.upper()}, with Italian headers.")
    slugs = (UNKNOWN_REGION, UNKNOWN) if one else (UNKNOWN_REGION,)
    return requires(*REGIONAL_READERS)(blp.arguments(PeriodQuery, location="query")(
        blp.alt_response(404, **problems(404, *slugs))(
            blp.doc(responses=file_doc(fmt, "Indicatori della Regione", "indicatori-<regione>-<periodo>"))(get))))


def _feed_view(fmt: str):
    def get(self, query, region):
        found, period = _territories(region), period_of(query)
        return feed_answer(found, period, {"region": region}, fmt, name=f"statistiche-{region}-{period}")
    get.__doc__ = (f"The region's tidy statistics feed as {fmt.upper()}: one row per indicator, territory (Ambito, "
                   "former Ambito, region, comune), period and dimension.")
    return requires(*REGIONAL_READERS)(blp.arguments(PeriodQuery, location="query")(
        blp.alt_response(404, **problems(404, UNKNOWN_REGION))(
            blp.doc(responses=file_doc(fmt, "Flusso statistico regionale", "statistiche-<regione>-<periodo>"))(get))))


for _fmt in exports.FORMATS:
    blp.route(f"/indicators/export.{_fmt}")(type(f"RegionIndicatorsExport_{_fmt}", (MethodView,),
                                                 {"get": _export_view(_fmt, one=False)}))
    blp.route(f"/indicators/<code>/export.{_fmt}")(type(f"RegionIndicatorExport_{_fmt}", (MethodView,),
                                                        {"get": _export_view(_fmt, one=True)}))
for _fmt in ("csv", "json"):
    blp.route(f"/feed.{_fmt}")(type(f"RegionFeed_{_fmt}", (MethodView,), {"get": _feed_view(_fmt)}))


@definitions_blp.route("/definitions")
class IndicatorDefinitions(MethodView):
    @definitions_blp.response(200, Definitions)
    def get(self):
        """The definitions of every indicator: code, name, unit, kind, formula, source events, dimensions."""
        return {"indicators": [answers.definition_json(i.definition) for i in indicators()]}
