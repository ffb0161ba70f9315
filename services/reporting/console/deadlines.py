"""One Ambito's regional deadlines of a year: the campaign view (the same as /v1/regions/{region}/campaigns)
narrowed to the Ambito, with the days left. Used by the regional drill-down and by the Ambito's own page
(/{tenant}/scadenze), so the completeness is judged in one place only (campaigns.completeness).
"""
from __future__ import annotations

from datetime import date

import psycopg
from flask_babel import gettext as _
from flask_babel import ngettext

from shared.tenants import Tenant

from services.reporting.campaigns.config import Campaigns
from services.reporting.campaigns.view import campaign_view, region_ambiti


def ambito_deadlines(*, conn: psycopg.Connection, campaigns: Campaigns, tenant: Tenant, catalogue, year: int,
                     today: date) -> dict:
    """The deadlines of the Ambito's region and year, each with the Ambito's answer (None once merged: it no
    longer answers to the Region) and the days left to the due day (negative once past)."""
    answering = [t for t in region_ambiti(catalogue=catalogue, region=tenant.region) if t.slug == tenant.slug]
    campaign = campaign_view(conn=conn, campaigns=campaigns, region=tenant.region, year=year, ambiti=answering,
                             today=today)
    deadlines = [{**d, "answer": next((a for a in d["ambiti"] if a["tenant"] == tenant.slug), None),
                  "days_left": (d["due"] - today).days} for d in campaign["deadlines"]]
    return {"years": campaign["years"], "deadlines": deadlines}


def days_text(days_left: int) -> str:
    """'mancano 12 giorni', 'scade oggi', 'scaduta da 3 giorni' (Italian)."""
    if days_left > 0:
        return ngettext("manca %(num)s giorno", "mancano %(num)s giorni", days_left)
    if days_left == 0:
        return _("scade oggi")
    return ngettext("scaduta da %(num)s giorno", "scaduta da %(num)s giorni", -days_left)
