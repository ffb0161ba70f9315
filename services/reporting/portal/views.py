"""The public transparency portal (D.Lgs. 33/2013): server-rendered pages under /portale/, no login.

Declared `public=True`, so the app factory asks no token; the Ambito in the path is named `slug`,
not `tenant`, so an unknown one gets the portal's own Italian 404 page rather than problem+json.
The pages are for people, not clients: they stay out of the OpenAPI document (PortalBlueprint).
Bootstrap Italia is served from the copy `make` installed from npm (shared/web/assets.py), never from a CDN.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask import Response, abort, render_template, request, url_for

from shared.http.app import current_platform
from shared.http.blueprint import Blueprint
from shared.web import assets

from services.reporting import freshness
from services.reporting.portal import charts, figures, indicators, labels, pages, participation

# Styles, fonts and pictures from this service only; no script at all (nothing needs JavaScript).
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; frame-ancestors 'none';"
            " base-uri 'none'; form-action 'none'")
# A chart is a picture: its own <style> only.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
# Public aggregates: anyone may keep a page, but must revalidate (figures change with every event).
PAGE_CACHE = "public, no-cache"
STATIC = Path(__file__).resolve().parent / "static"


class PortalBlueprint(Blueprint):
    """A public blueprint of HTML pages: registered in the app, left out of the OpenAPI document."""

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        return None


blp = PortalBlueprint("portale", __name__, url_prefix="/portale", public=True, template_folder="templates")


@blp.app_template_global()
def portal_url(view: str, **values) -> str:
    """The URL of one of the portal's views, for the templates."""
    return url_for(f"portale.{view}", **values)


@blp.app_template_filter("euro")
def _euro(value):
    return labels.money(value)


@blp.app_template_filter("numero")
def _numero(value):
    return labels.number(value)


@blp.app_template_filter("percentuale")
def _percentuale(value):
    return labels.percent(value)


@blp.app_template_filter("momento")
def _momento(value):
    return labels.moment(value)


@blp.app_template_filter("giorno")
def _giorno(value):
    return labels.day(value)


def _page(template: str, *, status: int = 200, **context) -> Response:
    with current_platform().regional() as conn:
        sources = freshness.as_of(conn)   # per service: the newest event applied to the read model
    known = [when for when in sources.values() if when is not None]
    html = render_template(f"portale/{template}", as_of=max(known) if known else None, labels=labels,
                           sources=[(labels.SERVICES[s], when) for s, when in sources.items()], **context)
    return Response(html, status=status, mimetype="text/html",
                    headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": PAGE_CACHE})


def _not_found(what: str) -> Response:
    return _page("non_trovato.html", status=404, what=what)


def _svg(body: bytes) -> Response:
    return Response(body, mimetype="image/svg+xml",
                    headers={"Content-Security-Policy": SVG_CSP, "Cache-Control": PAGE_CACHE})


@blp.route("/")
def home():
    """Home: the Ambiti of every region of the catalogue, with links to their pages."""
    platform = current_platform()
    with platform.regional() as conn:
        data = pages.home(conn=conn, catalogue=platform.catalogue, regions=platform.regions)
    return _page("home.html", **data)


@blp.route("/ambiti/<slug>")
def ambito(slug: str):
    """An Ambito: territory, Piano, network, money by fund and area, interventions (merged: by territory)."""
    platform = current_platform()
    tenant = platform.catalogue.get(slug)
    if tenant is None:
        return _not_found(f"l'Ambito «{slug}»")
    now = datetime.now(timezone.utc)
    period = indicators.period_of(request.args.get("periodo"), now=now)
    with platform.regional() as conn:
        data = pages.ambito(conn=conn, tenant=tenant, catalogue=platform.catalogue, regions=platform.regions)
        figures_of_period = indicators.table(conn, tenant=tenant, catalogue=platform.catalogue, period=period,
                                             area_names=pages.area_names(platform.regions, tenant.region))
    this_year = now.astimezone(indicators.ROME).year
    return _page("ambito.html", kinds=participation.KINDS, statuses=participation.STATUSES,
                 indicators=figures_of_period, years=[this_year - n for n in range(3)], **data)


@blp.route("/ambiti/<slug>/grafici/<name>.svg")
def ambito_chart(slug: str, name: str):
    """The Ambito's charts: `fondi` (per fund and year) and `aree` (per thematic area)."""
    platform = current_platform()
    tenant = platform.catalogue.get(slug)
    if tenant is None or name not in ("fondi", "aree"):
        abort(404)
    with platform.regional() as conn:
        if name == "fondi":
            rows = [{**f, "label": f"{f['fund']} {f['year']}"}
                    for f in figures.fund_figures(conn=conn, tenant=tenant.slug)["funds"]]
            return _svg(charts.money_bars(title="Risorse per fondo e anno", rows=rows, label="label"))
        areas = pages.areas(conn=conn, tenant=tenant, regions=platform.regions)
    return _svg(charts.money_bars(title="Risorse per area tematica", rows=areas, label="name", horizontal=True))


@blp.route("/regioni/<region>/confronto")
def comparison(region: str):
    """The region's Ambiti side by side, per inhabitant."""
    platform = current_platform()
    if not any(t.region == region for t in platform.catalogue):
        return _not_found(f"la regione «{region}»")
    now = datetime.now(timezone.utc)
    period = indicators.period_of(request.args.get("periodo"), now=now)
    with platform.regional() as conn:
        data = pages.comparison(conn=conn, region=region, catalogue=platform.catalogue, regions=platform.regions)
        registry_tables = indicators.per_inhabitant(
            conn, catalogue=platform.catalogue, region=region, region_name=data["region_name"], period=period,
            area_names=pages.area_names(platform.regions, region))
    this_year = now.astimezone(indicators.ROME).year
    return _page("confronto.html", per_inhabitant=pages.PER_INHABITANT, period=period, registry_tables=registry_tables,
                 years=[this_year - n for n in range(3)], **data)


@blp.route("/regioni/<region>/confronto.svg")
def comparison_chart(region: str):
    """The comparison's chart: amounts per inhabitant of each Ambito."""
    platform = current_platform()
    if not any(t.region == region for t in platform.catalogue):
        abort(404)
    with platform.regional() as conn:
        data = pages.comparison(conn=conn, region=region, catalogue=platform.catalogue, regions=platform.regions)
    return _svg(charts.per_inhabitant_bars(title="Risorse per abitante", rows=data["rows"], label="label",
                                           keys=pages.PER_INHABITANT))


@blp.route("/open-data")
def open_data():
    """The open data: the regional statistics feeds and what each one holds."""
    platform = current_platform()
    regions = sorted({t.region for t in platform.catalogue})
    return _page("open_data.html", regions=[(r, pages.region_name(platform.regions, r)) for r in regions])


@blp.route("/assets/<path:name>")
def asset(name: str):
    """Bootstrap Italia's CSS, fonts and icons, from the copy installed from npm at set-up time."""
    return assets.send(name)


@blp.route("/static/portale.css")
def own_css():
    """The portal's own few rules (fonts, charts)."""
    return assets.own("portale.css", STATIC)
