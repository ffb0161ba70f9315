"""Indicators of one Ambito: /v1/{tenant}/indicators…, their exports and the Ambito's statistics feed.

A merged Ambito's answers also carry its whole and each former territory (territories.py).
"""
from __future__ import annotations

from flask import Response, g, jsonify, request
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import READERS, requires
from shared.http.blueprint import Blueprint
from shared.http.openapi import problems
from shared.http.problems import Problem, invalid

from services.reporting import freshness
from services.reporting.indicators import answers, cache, exports, memo, territories
from services.reporting.indicators.evaluate import (BadDimension, UnknownIndicator, check_dimension, indicator,
                                                    trace)
from services.reporting.indicators.model import Period
from services.reporting.indicators.query import (PeriodQuery, TraceQuery, decode_cursor, encode_cursor, file_doc,
                                                 send)
from services.reporting.indicators.schemas import Answer, Trace
from services.reporting.indicators.territories import Territory

blp = Blueprint("indicators", __name__, url_prefix="/v1/<tenant>",
                description="Indicatori dell'Ambito (per periodo, con i territori di origine se nato da fusione)")

UNKNOWN = ("not-found", "no indicator of this code")
TRACE_KEYS = frozenset({"period", "territory", "after", "limit"})


def period_of(query: dict) -> Period:
    return Period.parse(query["period"]) if query.get("period") else answers.current_year()


def _known(code: str):
    try:
        return indicator(code)
    except UnknownIndicator:
        raise Problem(404, "Not Found", f"Non esiste l'indicatore '{code}'.", slug="not-found") from None


def kept(found: list[Territory], asked: tuple, build) -> Response:
    """`build(conn, state, as_of)`'s response, or the same answer kept in memory from the same data (memo.py)."""
    tenants = cache.tenants_of(found)
    with current_platform().regional() as conn:
        state = cache.read_state(conn, tenants)
        as_of = freshness.as_of(conn)
        at = memo.key(state, tenants, as_of, *asked, tuple(cache.scope(t) for t in found))
        hit = memo.ANSWERS.get(at)
        if hit is None:
            response = build(conn, state, as_of)
    if hit is not None:
        return Response(hit.body, headers=list(hit.headers))
    memo.ANSWERS.put(at, memo.Kept(response.get_data(), tuple(response.headers.items())))
    return response


def json_answer(found: list[Territory], period: Period, about: dict, items=None) -> Response:
    """The Answer (schemas.py) of the indicators for the territories, as flask-smorest would send it."""
    def build(conn, state, as_of):
        result = answers.answer(conn, territories=found, period=period, items=items, state=state, as_of=as_of)
        return jsonify(Answer().dump(answers.public({**about, **result})))
    codes = tuple(i.definition.code for i in items) if items is not None else None
    return kept(found, ("answer", *about.items(), str(period), codes), build)


def file_answer(found: list[Territory], period: Period, about: dict, fmt: str, *, name: str, title: str,
                items=None) -> Response:
    """The indicators for the territories as a file (`export`)."""
    def build(conn, state, as_of):
        result = answers.answer(conn, territories=found, period=period, items=items, state=state, as_of=as_of)
        return export({**about, **result}, fmt, name=name, title=title)
    codes = tuple(i.definition.code for i in items) if items is not None else None
    return kept(found, ("export", fmt, name, title, *about.items(), str(period), codes), build)


def feed_answer(found: list[Territory], period: Period, about: dict, fmt: str, *, name: str) -> Response:
    """The statistics feed of the territories as CSV or JSON (`about` heads the JSON, with as_of)."""
    def build(conn, state, as_of):
        rows, as_of = answers.feed_rows(conn, territories=found, period=period, state=state, as_of=as_of)
        if fmt == "csv":
            return send(exports.feed_csv(rows), fmt, name=name)
        head = {**about, "period": str(period), "as_of": {s: (w.isoformat() if w else None) for s, w in as_of.items()}}
        return send(exports.feed_json(rows, about=head), fmt, name=name)
    return kept(found, ("feed", fmt, name, *about.items(), str(period)), build)


@blp.route("/indicators")
class Indicators(MethodView):
    @requires(*READERS)
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, Answer)
    def get(self, query, tenant):
        """Every indicator's definition and figures for the period (merged: also whole and by former territory)."""
        return json_answer(territories.of_ambito(g.tenant), period_of(query), {"tenant": g.tenant.slug})


@blp.route("/indicators/<code>")
class OneIndicator(MethodView):
    @requires(*READERS)
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, Answer)
    @blp.alt_response(404, **problems(404, UNKNOWN))
    def get(self, query, tenant, code):
        """One indicator's definition and figures for the period."""
        return json_answer(territories.of_ambito(g.tenant), period_of(query), {"tenant": g.tenant.slug},
                           [_known(code)])


def _territory(name: str | None):
    options = territories.of_ambito(g.tenant)
    if not name or name == g.tenant.slug:
        return next((t for t in options if t.level == territories.WHOLE), options[0])
    found = next((t for t in options if t.level == territories.FORMER and t.code == name), None)
    if found is None:
        raise invalid(("territory", "Not this Ambito nor one of its former territories."), location="query")
    return found


@blp.route("/indicators/<code>/trace")
class IndicatorTrace(MethodView):
    @requires(*READERS)
    @blp.arguments(TraceQuery, location="query")
    @blp.response(200, Trace)
    @blp.alt_response(404, **problems(404, UNKNOWN))
    def get(self, query, tenant, code):
        """The records (ids and owning service) one figure was computed from, a page at a time.

        Name the figure by its dimensions as query parameters (e.g. `fund=FNPS`): each of the
        indicator's dimensions, nothing else."""
        item = _known(code)
        return trace_answer(item, _territory(query.get("territory")), query)


def trace_answer(item, territory, query: dict) -> dict:
    """One page of the records behind a figure of `territory` named by the query's dimensions."""
    code = item.definition.code
    given = {k: v for k, v in request.args.items() if k not in TRACE_KEYS}
    try:
        dimension = check_dimension(item, given)
        after = decode_cursor(query.get("after"))
    except BadDimension as exc:
        raise invalid((exc.field, str(exc)), location="query") from None
    except ValueError:
        raise invalid(("after", "Not a valid cursor."), location="query") from None
    period = period_of(query)
    with current_platform().regional() as conn:
        try:
            sources, following = trace(conn, item=item, territory=territory, period=period,
                                       dimension=dimension, after=after, limit=query["limit"])
        except ValueError:  # the tracer refused the cursor
            raise invalid(("after", "Not a valid cursor."), location="query") from None
    return {"indicator": code, "territory": answers.territory_json(territory), "period": str(period),
            "dimension": dimension, "next_cursor": encode_cursor(following),
            "items": [{"service": s.service, "record": s.record, "id": str(s.id), "tenant": s.tenant,
                       "value": None if s.value is None else format(s.value, "f")} for s in sources]}


def export(result: dict, fmt: str, *, name: str, title: str):
    """An answer of `answers.answer` as a file."""
    if fmt == "json":
        return send(exports.to_json(answers.public(result)), fmt, name=name)
    items = {i.definition.code: i for i in answers.indicators()}
    lines = exports.table(result["_evaluated"], items=items, as_of=result["_as_of"])
    body = exports.to_csv(lines) if fmt == "csv" else exports.to_xlsx(lines, title=title)
    return send(body, fmt, name=name)


def _export_view(fmt: str, *, one: bool):
    def get(self, query, tenant, code=None):
        items, period = ([_known(code)] if one else None), period_of(query)
        what = f"{code}-" if one else ""
        return file_answer(territories.of_ambito(g.tenant), period, {"tenant": g.tenant.slug}, fmt,
                           name=f"indicatori-{what}{g.tenant.slug}-{period}",
                           title=f"Indicatori {period} — {g.tenant.name}", items=items)
    get.__doc__ = (f"{'One indicator' if one else 'Every indicator'}'s figures for the period as {fmt.upper()}, "
                   "with Italian headers.")
    view = blp.doc(responses=file_doc(fmt, "Indicatori dell'Ambito", "indicatori-<ambito>-<periodo>"))(get)
    if one:
        view = blp.alt_response(404, **problems(404, UNKNOWN))(view)
    return requires(*READERS)(blp.arguments(PeriodQuery, location="query")(view))


def _feed_view(fmt: str):
    def get(self, query, tenant):
        period = period_of(query)
        return feed_answer(territories.of_ambito(g.tenant), period, {"tenant": g.tenant.slug}, fmt,
                           name=f"statistiche-{g.tenant.slug}-{period}")
    get.__doc__ = (f"The Ambito's tidy statistics feed as {fmt.upper()}: one row per indicator, territory, period "
                   "and dimension (docs/reporting.md, Indicators and the statistics feed).")
    return requires(*READERS)(blp.arguments(PeriodQuery, location="query")(
        blp.doc(responses=file_doc(fmt, "Flusso statistico dell'Ambito", "statistiche-<ambito>-<periodo>"))(get)))


for _fmt in exports.FORMATS:
    blp.route(f"/indicators/export.{_fmt}")(type(f"IndicatorsExport_{_fmt}", (MethodView,),
                                                 {"get": _export_view(_fmt, one=False)}))
    blp.route(f"/indicators/<code>/export.{_fmt}")(type(f"IndicatorExport_{_fmt}", (MethodView,),
                                                        {"get": _export_view(_fmt, one=True)}))
for _fmt in ("csv", "json"):
    blp.route(f"/feed.{_fmt}")(type(f"Feed_{_fmt}", (MethodView,), {"get": _feed_view(_fmt)}))
