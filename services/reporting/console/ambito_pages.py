"""The Ufficio di Piano's view of its own regional deadlines (issue 13 item 2: reporting deadlines).

GET /<tenant>/scadenze?anno=   the deadlines of the Ambito's region in the year, with the Ambito's outcome
                               (nei termini / in ritardo / mancante, scaduta or not), what is missing in the
                               campaign's words, the days left and the read model's freshness

Reporting owns the campaigns, so it serves this page (budget's home links here). The Ambito's operator,
coordinator and auditor read it; the regional roles too, for their own region only (as the regional pages).
"""
from __future__ import annotations

from datetime import datetime

from flask import g

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ROLES, TENANT_ROLES
from shared.web import PageBlueprint, page_requires

from services.reporting.campaigns.api import campaigns
from services.reporting.campaigns.completeness import ROME
from services.reporting.console.access import governed_regions, refuse_other_region
from services.reporting.console.deadlines import ambito_deadlines, days_text
from services.reporting.console.views import render_page, requested_year
from services.reporting.portal import pages

blp = PageBlueprint("reporting_ambito", __name__, template_folder="templates")


@blp.route("/scadenze")
@page_requires(OPERATOR, COORDINATOR, AUDITOR, *REGIONAL_ROLES)
def deadlines(tenant: str):
    """The Ambito's deadlines of the year, judged as the Region's campaign view judges them."""
    platform = current_platform()
    if not g.roles & TENANT_ROLES:   # only a regional role here: the Region's own Ambiti, as /regioni/
        refuse_other_region(g.tenant.region, governed_regions(settings=platform.settings,
                                                              catalogue=platform.catalogue))
    year = requested_year()
    today = datetime.now(ROME).date()
    with platform.regional() as conn:
        own = ambito_deadlines(conn=conn, campaigns=campaigns(), tenant=g.tenant, catalogue=platform.catalogue,
                               year=year, today=today)
        return render_page("scadenze.html", conn, ambito=g.tenant, year=year, today=today,
                           deadlines=own["deadlines"], years=own["years"], days_text=days_text,
                           region_name=pages.region_name(platform.regions, g.tenant.region))
