"""Payload of the co-financing event: the total, the rule and every comune's share (aggregates, amounts as strings)."""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event
from shared.money import format_amount

from services.budget import SERVICE
from services.budget.cofinancing.domain import RULE

COFINANCING_SET = "it.pdz.budget.cofinancing.set.v1"


def cofinancing_event(*, tenant: str, plan_id, cofinancing: dict) -> CloudEvent:
    """Keyed by the intervention, so that its years' co-financing events keep their order."""
    return new_event(type=COFINANCING_SET, service=SERVICE, tenant=tenant,
                     aggregate_id=str(cofinancing["intervention_id"]), data={
        "intervention_id": str(cofinancing["intervention_id"]),
        "plan_id": str(plan_id),
        "year": cofinancing["year"],
        "total": format_amount(cofinancing["total"]),
        "rule": RULE,
        "population_as_of": cofinancing["population_as_of"].isoformat(),
        "shares": [{"istat_code": s["istat_code"], "population": s["population"],
                    "population_date": s["population_date"].isoformat(), "amount": format_amount(s["amount"])}
                   for s in cofinancing["shares"]],
        "version": cofinancing["version"],
    })
