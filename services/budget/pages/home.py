"""Budget's home for the Ambito: what needs attention (fund-years near their limit, plan steps waiting,
allocations not yet committed) and where to go next."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import g, redirect, url_for

from shared.http.auth import OPERATOR, REGIONAL_REVIEWER, ROLES
from shared.web import page_requires

from services.budget.documents import store as documents
from services.budget.pages.allocations import ledger_rows
from services.budget.pages.blueprint import blp
from services.budget.pages.catalogue import every_plan
from services.budget.pages.common import page, reading

# Whose step a plan's state waits for: the office (operator) or the Region (regional-reviewer).
WAITING = {"draft": OPERATOR, "returned": OPERATOR, "adopted": OPERATOR, "approved": OPERATOR, "accepted": OPERATOR,
           "sent": REGIONAL_REVIEWER}
SOON = timedelta(days=60)   # a milestone of the cronoprogramma due within two months is shown on the home
OPEN_MILESTONES = ("planned", "in_progress")


def deadlines(conn, today) -> list[dict]:
    """The cronoprogramma's open milestones (the consultation's replica) late or due within SOON, soonest first."""
    found = documents.milestones(conn, origin=g.tenant.slug, first_year=today.year, last_year=today.year + 1)
    return [{**m, "late": m["planned_end"] < today} for m in found
            if m["status"] in OPEN_MILESTONES and m["planned_end"] is not None and m["planned_end"] <= today + SOON]


@blp.route("/")
@page_requires(*ROLES)
def index(tenant):
    """The navigation across services links here: budget's pages start at /{tenant}/bilancio."""
    return redirect(url_for("budget_pages.home", tenant=g.tenant.slug), code=302)


@blp.route("/bilancio")
@page_requires(*ROLES)
def home(tenant):
    """Fund-years near their limit, plans waiting for a step of this user's role, deadlines, every fund's totals."""
    with reading() as conn:
        ledger = ledger_rows(conn)
        found = every_plan(conn)
        due = deadlines(conn, datetime.now(ZoneInfo("Europe/Rome")).date())
    waiting = [p for p in found if WAITING.get(p["state"]) in g.roles]
    return page("home.html", ledger=ledger, near=[r for r in ledger if r["near_limit"]], plans=found,
                waiting=waiting, deadlines=sorted(due, key=lambda m: m["planned_end"]))
