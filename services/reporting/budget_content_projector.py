"""Budget's plan content and monitoring events -> reporting's rows, pure (migration 007_budget_content.sql).

Interventions (planned / updated / progress_recorded: each carries the intervention as it stands),
the quarter's progress record, fund assignments, co-financing, fund-year closures, and the
commitment and payment acts one by one (their act dates answer "paid in 2025-Q2"; the allocation's
totals stay budget_projector.py's, whose rows these acts' projectors return too).
Every row is an Upsert guarded by a number that only grows (see the migration), so a duplicate or an
older event arriving late changes nothing. Tolerant reader: only the fields used; a malformed one is
a ValueError naming the field (the event goes to the dead-letter topic).
"""
from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent
from shared.events.readers import (a_date, a_uuid, amount, integer, optional_date, optional_text,
                                   optional_timestamp, optional_uuid, text, timestamp)

from services.reporting import budget_projector as money

INTERVENTION_PLANNED = "it.pdz.budget.intervention.planned.v1"
INTERVENTION_UPDATED = "it.pdz.budget.intervention.updated.v1"
PROGRESS_RECORDED = "it.pdz.budget.intervention.progress_recorded.v1"
ASSIGNMENT_RECORDED = "it.pdz.budget.fund_assignment.recorded.v1"
ASSIGNMENT_CORRECTED = "it.pdz.budget.fund_assignment.corrected.v1"
COFINANCING_SET = "it.pdz.budget.cofinancing.set.v1"
FUND_YEAR_CLOSED = "it.pdz.budget.fund_year.closed.v1"
PERCENT_MAX = Decimal("100")
FIGURE_MAX = Decimal("99999999999999.99")  # numeric(16,2) of the output indicators


def _decimal(data: dict, field: str, maximum: Decimal) -> Decimal:
    """A decimal string >= 0 with at most two decimals (a percentage, an output figure)."""
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"{field} must be a decimal string, got {type(value).__name__}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{field} is not a decimal number") from None
    if not number.is_finite() or number < 0 or number > maximum or number != number.quantize(Decimal("0.01")):
        raise ValueError(f"{field} must be between 0 and {maximum} with at most two decimals")
    return number.quantize(Decimal("0.01"))


def _list(data: dict, field: str) -> list:
    value = data.get(field) or []
    if not isinstance(value, list):
        raise ValueError(f"{field} must be an array")
    return value


def _strings(data: dict, field: str) -> list[str]:
    values = _list(data, field)
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise ValueError(f"{field}.{i} must be a string")
    return values


def _uuids(data: dict, field: str) -> list[uuid.UUID]:
    """Not readers.uuids: the reason names the bad item (proposal_ids.0), and a falsy value is empty."""
    values = _list(data, field)
    return [a_uuid({f"{field}.{i}": v}, f"{field}.{i}") for i, v in enumerate(values)]


def _object(data: dict, field: str) -> dict:
    value = data[field]
    if not isinstance(value, dict):
        raise ValueError(f"{field} must be an object")
    return value


def intervention(event: CloudEvent) -> list:
    """planned / updated / progress_recorded: the intervention as it stands, guarded by its version."""
    data = event.data
    continues = data.get("continues")
    if continues is not None and not isinstance(continues, dict):
        raise ValueError("continues must be an object or null")
    percent = None if data.get("percentage") is None else _decimal(data, "percentage", PERCENT_MAX)
    row = Upsert("budget_intervention_facts",
                 key={"tenant": event.tenantid, "intervention_id": a_uuid(data, "intervention_id")},
                 values={"plan_id": a_uuid(data, "plan_id"), "code": text(data, "code"),
                         "title": text(data, "title"),
                         "nomenclature_code": optional_text(data, "nomenclature_code"),
                         "area": text(data, "area"), "target_group": text(data, "target_group"),
                         "leps": _strings(data, "leps"), "kind": text(data, "kind"),
                         "investment": data.get("investment") is True, "comuni": _strings(data, "comuni"),
                         "managing_body": optional_uuid(data, "managing_body"),
                         "cup": optional_text(data, "cup"),
                         "continues_origin": None if continues is None else text(continues, "origin"),
                         "continues_intervention": None if continues is None
                         else a_uuid(continues, "intervention_id"),
                         "proposal_ids": _uuids(data, "proposal_ids"), "need_ids": _strings(data, "need_ids"),
                         "status": text(data, "status"), "percent": percent,
                         **{day: optional_date(data, day)
                            for day in ("planned_start", "planned_end", "actual_start", "actual_end")},
                         "version": integer(data, "version"), "as_of": timestamp(data, "updated_at")},
                 newer_than="version")
    return [row]


def progress(event: CloudEvent) -> list:
    """progress_recorded: the intervention's row, and the quarter's record guarded by its revision."""
    record = _object(event.data, "progress")
    quarter = integer(record, "quarter")
    if not 1 <= quarter <= 4:
        raise ValueError("progress.quarter must be 1 to 4")
    outputs = _object(record, "outputs")
    names = sorted(outputs)  # a stable order: the same record always gives the same row
    values = [_decimal(outputs, name, FIGURE_MAX) for name in names]
    return intervention(event) + [
        Upsert("budget_progress_facts",
               key={"tenant": event.tenantid, "intervention_id": a_uuid(event.data, "intervention_id"),
                    "year": integer(record, "year"), "quarter": quarter},
               values={"status": text(record, "status"), "percent": _decimal(record, "percentage", PERCENT_MAX),
                       "output_names": names, "output_values": values,
                       "actual_start": optional_date(record, "actual_start"),
                       "source": optional_text(record, "source"), "revision": integer(record, "revision"),
                       "recorded_at": timestamp(record, "recorded_at")},
               newer_than="revision")]


def assignment(event: CloudEvent) -> list:
    """fund_assignment recorded / corrected: the assignment's amount after the change, by its version."""
    data = event.data
    return [Upsert("budget_fund_assignment_facts",
                   key={"tenant": event.tenantid, "assignment_id": a_uuid(data, "assignment_id")},
                   values={"fund": text(data, "fund"), "year": integer(data, "year"),
                           "amount": amount(data, "amount"),
                           "decree_reference": optional_text(data, "decree_reference"),
                           "decree_date": optional_date(data, "decree_date"), "version": integer(data, "version")},
                   newer_than="version")]


def cofinancing(event: CloudEvent) -> list:
    """cofinancing.set: the year's total and its split among the comuni, by the co-financing's version."""
    data = event.data
    shares = _list(data, "shares")
    codes, populations, amounts = [], [], []
    for i, share in enumerate(shares):
        if not isinstance(share, dict):
            raise ValueError(f"shares.{i} must be an object")
        codes.append(text(share, "istat_code"))
        populations.append(integer(share, "population"))
        amounts.append(amount(share, "amount"))
    as_of = optional_timestamp(data, "population_as_of")
    return [Upsert("budget_cofinancing_facts",
                   key={"tenant": event.tenantid, "intervention_id": a_uuid(data, "intervention_id"),
                        "year": integer(data, "year")},
                   values={"plan_id": a_uuid(data, "plan_id"), "total": amount(data, "total"),
                           "rule": optional_text(data, "rule"), "population_as_of": as_of,
                           "share_istat_codes": codes, "share_populations": populations,
                           "share_amounts": amounts, "version": integer(data, "version")},
                   newer_than="version")]


def fund_year_closed(event: CloudEvent) -> list:
    """fund_year.closed: the ledger at the closure and the residui's origin (a fund-year closes once)."""
    data = event.data
    allocations, interventions, amounts = [], [], []
    for i, part in enumerate(_list(data, "origin")):
        if not isinstance(part, dict):
            raise ValueError(f"origin.{i} must be an object")
        allocations.append(optional_uuid(part, "allocation_id"))
        interventions.append(optional_uuid(part, "intervention_id"))
        amounts.append(amount(part, "amount"))
    return [Upsert("budget_residui_facts",
                   key={"tenant": event.tenantid, "fund": text(data, "fund"), "year": integer(data, "year")},
                   values={"closed_at": timestamp(data, "closed_at"),
                           **{f: amount(data, f) for f in ("assigned", "residui_in", "allocated", "committed",
                                                            "carried")},
                           "to_year": integer(data, "to_year"), "origin_allocation_ids": allocations,
                           "origin_intervention_ids": interventions, "origin_amounts": amounts})]


def _act_values(data: dict) -> dict:
    totals = _object(data, "allocation")
    return {"allocation_id": a_uuid(data, "allocation_id"), "intervention_id": a_uuid(data, "intervention_id"),
            "plan_id": a_uuid(data, "plan_id"), "fund": text(data, "fund"), "year": integer(data, "year"),
            "amount": amount(data, "amount"), "act_date": a_date(data, "act_date"),
            "recorded_at": optional_timestamp(data, "recorded_at"),
            "spent_after": amount(totals, "committed") + amount(totals, "paid")}


def commitment(event: CloudEvent) -> list:
    """commitment.recorded: the allocation's totals (budget_projector) and the act itself."""
    data = event.data
    return money.expenditure(event) + [
        Upsert("budget_commitment_facts",
               key={"tenant": event.tenantid, "commitment_id": a_uuid(data, "commitment_id")},
               values=_act_values(data), newer_than="spent_after")]


def payment(event: CloudEvent) -> list:
    """payment.recorded: the allocation's totals (budget_projector) and the act itself."""
    data = event.data
    return money.expenditure(event) + [
        Upsert("budget_payment_facts",
               key={"tenant": event.tenantid, "payment_id": a_uuid(data, "payment_id")},
               values={"commitment_id": a_uuid(data, "commitment_id"), **_act_values(data)},
               newer_than="spent_after")]


PROJECTORS = {INTERVENTION_PLANNED: intervention, INTERVENTION_UPDATED: intervention, PROGRESS_RECORDED: progress,
              ASSIGNMENT_RECORDED: assignment, ASSIGNMENT_CORRECTED: assignment,
              COFINANCING_SET: cofinancing, FUND_YEAR_CLOSED: fund_year_closed,
              money.COMMITMENT_RECORDED: commitment, money.PAYMENT_RECORDED: payment}
