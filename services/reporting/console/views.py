"""The regional pages: the region's Ambiti (phase, Piano, completeness, freshness) and each Ambito read-only.

GET /regioni/                              the regions the regional role is for (one: straight to it)
GET /regioni/<region>/?anno=               the Ambiti of the region and the campaign of the year
GET /regioni/<region>/ambiti/<slug>?anno=&periodo=     one Ambito: figures of the period, links to its pages

Read-only: the regional admin and the regional reviewer; the indicators only for the regional admin,
as in the API (/v1/regions/…/indicators refuses the reviewer).
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shared.http.app import current_platform
from shared.http.auth import REGIONAL_ADMIN, REGIONAL_ROLES
from shared.web import page_requires_regional
from shared.web.errors import not_found
from shared.web.navigation import links

from services.reporting import freshness
from services.reporting.campaigns.api import campaigns
from services.reporting.campaigns.completeness import ROME
from services.reporting.campaigns.view import campaign_view, region_ambiti
from services.reporting.console.access import governed_regions, refuse_other_region
from services.reporting.console.blueprint import blp
from services.reporting.console.deadlines import ambito_deadlines
from services.reporting.console.cycle import standings
from services.reporting.portal import indicators, labels, pages

STATUS_TEXT = {"done": _l("Completato nei termini"), "late": _l("Completato in ritardo"), "missing": _l("Mancante")}


def _governed() -> frozenset[str]:
    platform = current_platform()
    return governed_regions(settings=platform.settings, catalogue=platform.catalogue)


def _region(region: str) -> str:
    """The region's name; the Italian 404 page for a region no Ambito of the catalogue is in, 403 for another."""
    platform = current_platform()
    if not any(t.region == region for t in platform.catalogue):
        raise not_found(_("Non esiste la regione «%(regione)s» tra quelle degli Ambiti.", regione=region))
    refuse_other_region(region, _governed())
    return pages.region_name(platform.regions, region)


def requested_year() -> int:
    """The campaign year asked for (?anno=), this year in Italy when none or not a year."""
    raw = request.args.get("anno", "")
    today = datetime.now(ROME).date()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else today.year


def _campaign(conn, region: str, year: int) -> dict:
    platform = current_platform()
    return campaign_view(conn=conn, campaigns=campaigns(), region=region, year=year,
                         ambiti=region_ambiti(catalogue=platform.catalogue, region=region),
                         today=datetime.now(ROME).date())


def render_page(template: str, conn, **context):
    """Render a regional template with the read model's freshness (per source service)."""
    sources = freshness.as_of(conn)
    known = [when for when in sources.values() if when is not None]
    return render_template(f"reporting/{template}", labels=labels, status_text=STATUS_TEXT,
                           as_of=max(known) if known else None,
                           sources=[(labels.SERVICES[s], when) for s, when in sources.items()], **context)


@blp.route("/")
@page_requires_regional(*REGIONAL_ROLES)
def regions():
    """The regions of the catalogue this regional role is for; with only one, its page at once."""
    platform = current_platform()
    governed = sorted(r for r in _governed() if any(t.region == r for t in platform.catalogue))
    if len(governed) == 1:
        return redirect(url_for("reporting_console.region", region=governed[0]))
    return render_template("reporting/regioni.html",
                           regions=[(r, pages.region_name(platform.regions, r)) for r in governed])


@blp.route("/<region>/")
@page_requires_regional(*REGIONAL_ROLES)
def region(region: str):
    """The region's Ambiti: phase of the cycle, Piano, completeness of each deadline of the year."""
    name = _region(region)
    year = requested_year()
    catalogue = current_platform().catalogue
    ambiti = region_ambiti(catalogue=catalogue, region=region)
    # Merged into another: no longer answering to the Region, still readable (their own records).
    merged = sorted((t for t in catalogue if t.region == region and t not in ambiti), key=lambda t: t.name)
    with current_platform().regional() as conn:
        standing = standings(conn=conn, tenants=[t.slug for t in ambiti])
        campaign = _campaign(conn, region, year)
        return render_page("regione.html", conn, region=region, region_name=name, year=year, ambiti=ambiti,
                           merged=merged, standing=standing, campaign=campaign)


@blp.route("/<region>/ambiti/<slug>")
@page_requires_regional(*REGIONAL_ROLES)
def ambito(region: str, slug: str):
    """One Ambito, read-only: its phase and plans, its deadlines of the year, the indicators of the period,
    and links into its pages on the other services."""
    name = _region(region)
    platform = current_platform()
    # Not `<tenant>`: the layout would take the page for one of the Ambito's own (its header links there).
    found = platform.catalogue.get(slug)
    if found is None or found.region != region:
        raise not_found(_("Non esiste l'Ambito «%(slug)s» nella regione «%(regione)s».", slug=slug, regione=region))
    year = requested_year()
    period = indicators.period_of(request.args.get("periodo"), now=datetime.now(timezone.utc))
    reads_figures = REGIONAL_ADMIN in g.principal.regional_roles
    with platform.regional() as conn:
        standing = standings(conn=conn, tenants=[found.slug])[found.slug]
        own = ambito_deadlines(conn=conn, campaigns=campaigns(), tenant=found, catalogue=platform.catalogue,
                               year=year, today=datetime.now(ROME).date())
        figures_of_period = indicators.table(conn, tenant=found, catalogue=platform.catalogue, period=period,
                                             area_names=pages.area_names(platform.regions, region)) \
            if reads_figures else None
        service_links = links(current_app.extensions["pdz_web"].settings, service="reporting", tenant=found)
        this_year = datetime.now(ROME).year
        return render_page("ambito.html", conn, region=region, region_name=name, ambito=found, year=year,
                           standing=standing, deadlines=own["deadlines"], years=own["years"],
                           indicators=figures_of_period, periods=[this_year - n for n in range(3)],
                           service_links=service_links)
