"""What the pages list to choose from: the Ambito's plans and their interventions, read by the use cases."""
from __future__ import annotations

from services.budget.interventions import service as interventions
from services.budget.plans import service as plans

LIMIT = 500   # an Ambito has a few plans with tens of lines each: one page is all of them


def every_plan(conn) -> list[dict]:
    """The Ambito's plans, newest triennium first."""
    found = plans.list_plans(conn=conn, year=None, after_seq=0, limit=LIMIT)
    return sorted(found, key=lambda p: p["first_year"], reverse=True)


def plan_interventions(conn, plan_id) -> list[dict]:
    return interventions.list_interventions(conn=conn, plan_id=plan_id, filters={}, after_seq=0, limit=LIMIT)


def every_intervention(conn) -> list[tuple[dict, dict]]:
    """(plan, intervention) for every intervention of every plan, newest plan first, by code."""
    found = []
    for plan in every_plan(conn):
        found.extend((plan, i) for i in sorted(plan_interventions(conn, plan["id"]), key=lambda i: i["code"]))
    return found


def intervention_options(conn) -> list[tuple[str, str]]:
    """The form's choice of interventions: 'A3.2 – Title (Piano 2024-2026)'."""
    return [(str(i["id"]), f"{i['code']} – {i['title']} ({plan['first_year']}-{plan['last_year']})")
            for plan, i in every_intervention(conn)]
