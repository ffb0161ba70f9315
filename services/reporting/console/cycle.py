"""Where each Ambito stands in the planning cycle, from the regional read model (counts only).

FASE 1 (the call and the network: call_facts, application_facts, stakeholder_facts), FASE 2 (the
consultation: consultation_table_facts, consultation_session_facts, needs and proposals), FASE 3 (the
Piano: budget_plan_states, read with the portal's figures.plans). The phase is the furthest step the
read model has seen; `stage` is pure so the rule is tested without a database.
"""
from __future__ import annotations

from dataclasses import dataclass

import psycopg
from flask_babel import lazy_gettext as _l

from services.reporting.portal import figures, labels

STAGES = {
    "none": _l("Non avviato"),
    "network": _l("FASE 1 · Avviso e rete"),
    "consultation": _l("FASE 2 · Consultazione"),
    "plan": _l("FASE 3 · Piano in programmazione"),
    "signed": _l("Piano sottoscritto"),
}

_COUNTS = (
    "SELECT t.tenant,"
    " (SELECT count(*) FROM call_facts c WHERE c.tenant = t.tenant AND c.status IN ('published', 'closed')),"
    " (SELECT count(*) FROM call_facts c WHERE c.tenant = t.tenant AND c.status = 'published'"
    "   AND (c.closes_at IS NULL OR c.closes_at > now())),"
    " (SELECT count(*) FROM application_facts a WHERE a.tenant = t.tenant),"
    " (SELECT count(*) FROM application_facts a WHERE a.tenant = t.tenant AND a.status = 'submitted'),"
    " (SELECT count(*) FROM stakeholder_facts s WHERE s.tenant = t.tenant AND s.status = 'active'),"
    " (SELECT count(*) FROM consultation_table_facts k WHERE k.tenant = t.tenant AND k.status = 'active'),"
    " (SELECT count(*) FROM consultation_session_facts s WHERE s.tenant = t.tenant AND s.status = 'held'),"
    " (SELECT count(*) FROM consultation_need_facts n WHERE n.tenant = t.tenant),"
    " (SELECT count(*) FROM consultation_proposal_facts p WHERE p.tenant = t.tenant AND p.status IS NOT NULL)"
    " FROM unnest(%s::text[]) AS t(tenant)")
COUNT_KEYS = ("calls", "open_calls", "applications", "to_review", "network", "tables", "sessions_held",
              "needs", "proposals")


@dataclass(frozen=True)
class Standing:
    """One Ambito in the cycle: the counts of each phase, its plans (newest first) and the phase reached."""
    counts: dict
    plans: list
    stage: str

    @property
    def plan(self) -> dict | None:
        return self.plans[0] if self.plans else None

    @property
    def stage_text(self) -> str:
        return str(STAGES[self.stage])

    @property
    def plan_text(self) -> str:
        """'2024-2026 · Sottoscritto (accordo di programma)'; '' without a plan."""
        plan = self.plan
        if plan is None:
            return ""
        return f"{plan['first_year']}-{plan['last_year']} · {labels.label(labels.PLAN_STATES, plan['state'])}"


def stage(counts: dict, plans: list[dict]) -> str:
    """The furthest phase seen: a signed plan, a plan, a consultation, a call or a network, or nothing."""
    if plans and plans[0]["state"] == "signed":
        return "signed"
    if plans:
        return "plan"
    if counts.get("tables") or counts.get("sessions_held") or counts.get("needs"):
        return "consultation"
    if counts.get("calls") or counts.get("network") or counts.get("applications"):
        return "network"
    return "none"


def standings(*, conn: psycopg.Connection, tenants: list[str]) -> dict[str, Standing]:
    """Each Ambito's standing in the cycle."""
    counts = {row[0]: dict(zip(COUNT_KEYS, row[1:])) for row in conn.execute(_COUNTS, (tenants,)).fetchall()}
    found = {}
    for slug in tenants:
        plans = figures.plans(conn=conn, tenant=slug)
        found[slug] = Standing(counts=counts[slug], plans=plans, stage=stage(counts[slug], plans))
    return found
