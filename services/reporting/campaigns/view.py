"""The campaign view of a region and year: every deadline with each Ambito's completeness."""
from __future__ import annotations

from datetime import date

import psycopg

from shared.tenants import Tenant

from services.reporting.campaigns.completeness import assess
from services.reporting.campaigns.config import Campaigns, Deadline
from services.reporting.campaigns.facts import ambito_facts

STATUSES = ("done", "late", "missing")


def region_ambiti(*, catalogue, region: str) -> list[Tenant]:
    """The Ambiti that answer to the Region now: its tenants, less those merged into another."""
    return sorted((t for t in catalogue if t.region == region and t.status != "merged"), key=lambda t: t.slug)


def _deadline(deadline: Deadline) -> dict:
    return {"code": deadline.code, "kind": deadline.kind, "title": deadline.title, "due": deadline.due,
            "first_year": deadline.first_year, "reference_year": deadline.reference_year,
            "fund": deadline.fund, "fund_year": deadline.fund_year}


def campaign_view(*, conn: psycopg.Connection, campaigns: Campaigns, region: str, year: int,
                  ambiti: list[Tenant], today: date) -> dict:
    """Per deadline of the region's year: each Ambito done / late / missing, what is missing, and the counts."""
    deadlines = campaigns.for_year(region, year)
    fund_years = sorted({(d.fund, d.fund_year) for d in deadlines if d.kind == "fund_reporting"})
    facts = ambito_facts(conn=conn, tenants=[t.slug for t in ambiti], fund_years=fund_years)
    rows = []
    for deadline in deadlines:
        answers = []
        for tenant in ambiti:
            result = assess(deadline=deadline, facts=facts[tenant.slug], today=today)
            answers.append({"tenant": tenant.slug, "name": tenant.name, "status": result.status,
                            "completed_at": result.completed_at, "overdue": result.overdue,
                            "missing": list(result.missing)})
        summary = {s: sum(1 for a in answers if a["status"] == s) for s in STATUSES}
        rows.append({**_deadline(deadline), "summary": summary, "ambiti": answers})
    return {"region": region, "year": year, "today": today, "years": campaigns.years(region), "deadlines": rows}
