"""The funnel needs -> proposals -> accepted -> funded -> paid over a fresh reporting database (real PostgreSQL).

Consultation's and budget's events are written as the consumer writes them (their projectors' rows
through apply_rows, shuffled, some twice); each stage's figure must equal the count the test makes of the
world it generated, and each stage's trace must list exactly those records, from the right service.
"""
from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime
from decimal import Decimal

import psycopg
import pytest

from shared.events.envelope import new_event
from services.reporting.indicators import REGISTRY
from services.reporting.indicators.model import Period
from tests.conftest import random_slug
from tests.contract.catalogue import EVENTS_DIR, assert_valid_event
from tests.integration.test_reporting_participation import reporting_database, whole_trace, write
from tests.unit.test_reporting_consultation_fixtures import ev

CODE = "imbuto_bisogni_interventi"
INSTANTS = ["2025-12-31T23:59:00+01:00", "2026-01-01T00:00:00+01:00", "2026-02-14T10:00:00+01:00",
            "2026-03-31T23:59:00+02:00", "2026-04-01T00:00:00+02:00", "2026-09-30T12:00:00+02:00",
            "2027-01-01T09:00:00+01:00"]
PERIODS = [Period.parse(p) for p in ("2026-Q1", "2026-Q2", "2026", "2025")]


def budget(kind: str, tenant: str, **fields):
    path = EVENTS_DIR / f"it.pdz.budget.{kind}.v1" / "example.json"
    data = {**json.loads(path.read_text()), **fields}
    type_ = f"it.pdz.budget.{kind}.v1"
    assert_valid_event(type_, data)
    return new_event(type=type_, service="budget", tenant=tenant, aggregate_id=str(uuid.uuid4()), data=data)


def inside(instant: str, period: Period) -> bool:
    moment = datetime.fromisoformat(instant)
    return period.start <= moment < period.end


def consultation_world(rnd, tenant):
    """Needs and proposals at random instants; (events, {need: recorded}, {proposal: (submitted, status, decided)})."""
    events, needs, proposals = [], {}, {}
    table, org = str(uuid.uuid4()), str(uuid.uuid4())
    for _ in range(12):
        need, at = str(uuid.uuid4()), rnd.choice(INSTANTS)
        ids = dict(need_id=need, table_id=table, organisation_id=org, recorded_at=at, updated_at=at)
        events.append(ev("need.recorded", tenant, **ids))
        if rnd.random() < 0.4:
            events.append(ev("need.updated", tenant, **ids))
        needs[need] = at
    for _ in range(14):
        proposal, at = str(uuid.uuid4()), rnd.choice(INSTANTS)
        ids = dict(proposal_id=proposal, table_id=table, organisation_id=org, need_ids=[rnd.choice(list(needs))])
        whole = dict(ids, submitted_at=at)
        events.append(ev("proposal.submitted", tenant, **whole))
        end = rnd.choice(["submitted", "under_evaluation", "accepted", "rejected", "merged"])
        decided = rnd.choice(INSTANTS) if end in ("accepted", "rejected", "merged") else None
        if end != "submitted":
            events.append(ev("proposal.evaluation_started", tenant, **{k: v for k, v in ids.items()
                                                                        if k != "need_ids"}))
        if end == "accepted":
            events.append(ev("proposal.accepted", tenant, **whole, decided_at=decided, merged_from=[]))
        elif end in ("rejected", "merged"):
            events.append(ev(f"proposal.{end}", tenant, **{k: v for k, v in ids.items() if k != "need_ids"},
                             decided_at=decided))
        proposals[proposal] = (at, end, decided)
    return events, needs, proposals


def budget_world(tenant, accepted: list[str]):
    """Interventions answering accepted proposals (or none), their allocations and payments.

    Returns the events and, per intervention, (answers proposals, cancelled, allocated per year, payment days)."""
    plan, events, facts = str(uuid.uuid4()), [], {}
    shapes = [  # (proposal_ids, cancelled, [(year, amount, released)], [payment day])
        ([accepted[0]], False, [(2026, "18500.00", False)], ["2026-02-10"]),
        ([accepted[1 % len(accepted)]], False, [(2025, "9000.00", False)], ["2026-05-01"]),
        ([], False, [(2026, "5000.00", False)], ["2026-03-01"]),
        ([accepted[0]], True, [(2026, "7000.00", False)], []),
        ([accepted[0]], False, [(2026, "4000.00", True)], []),
        (list(accepted[:2]), False, [(2026, "1000.00", False), (2027, "2000.00", False)], ["2026-03-31", "2026-04-01"]),
    ]
    for proposal_ids, cancelled, allocations, payments in shapes:
        intervention = str(uuid.uuid4())
        base = dict(intervention_id=intervention, plan_id=plan, proposal_ids=proposal_ids, continues=None)
        events.append(budget("intervention.planned", tenant, **base))
        if cancelled:
            events.append(budget("intervention.updated", tenant, **base, status="cancelled", version=2,
                                 changed=["status"]))
        for year, amount, released in allocations:
            allocation = str(uuid.uuid4())
            ids = dict(allocation_id=allocation, intervention_id=intervention, plan_id=plan, year=year)
            events.append(budget("allocation.made", tenant, **ids, amount=amount))
            if released:
                events.append(budget("allocation.released", tenant, **ids, amount="0.00", previous_amount=amount,
                                     version=2))
            for n, day in enumerate(payments if allocations[0][0] == year else []):
                paid = f"{100 * (n + 1)}.00"
                events.append(budget("payment.recorded", tenant, **ids, payment_id=str(uuid.uuid4()),
                                     amount="100.00", act_date=day,
                                     allocation={"allocated": amount, "committed": amount, "paid": paid},
                                     commitment={"committed": amount, "paid": paid}))
        facts[intervention] = (bool(proposal_ids), cancelled,
                               {y: (Decimal(0) if r else Decimal(a)) for y, a, r in allocations},
                               [date.fromisoformat(d) for d in payments])
    return events, facts


def expected(period: Period, needs, proposals, facts) -> dict:
    """stage -> the ids it must count, computed from the world."""
    return {
        "bisogni": {n for n, at in needs.items() if inside(at, period)},
        "proposte": {p for p, (at, _, _) in proposals.items() if inside(at, period)},
        "proposte_accolte": {p for p, (_, end, decided) in proposals.items()
                             if end == "accepted" and inside(decided, period)},
        "interventi_finanziati": {i for i, (answers, cancelled, allocated, _) in facts.items()
                                  if answers and not cancelled and allocated.get(period.year, 0) > 0},
        "interventi_pagati": {i for i, (answers, _, _, days) in facts.items()
                              if answers and any(period.first_day <= d <= period.last_day for d in days)},
    }


@pytest.mark.parametrize("seed", [3, 41])
def test_each_stage_counts_what_happened_in_the_period_and_its_trace_lists_it(catalogue_factory, seed):
    rnd = random.Random(seed)
    tenant, other = random_slug("pot"), random_slug("oth")
    url = reporting_database(catalogue_factory, [tenant, other])
    events, needs, proposals = consultation_world(rnd, tenant)
    accepted = [p for p, (_, end, _) in proposals.items() if end == "accepted"] or [str(uuid.uuid4())]
    money, facts = budget_world(tenant, accepted)
    noise, _, _ = consultation_world(rnd, other)  # another Ambito's: never in `tenant`'s figures
    noise_money, _ = budget_world(other, accepted)
    write(url, events + money + noise + noise_money, rnd=rnd)
    item = REGISTRY[CODE]
    services = {"bisogni": ("consultation", "need"), "proposte": ("consultation", "proposal"),
                "proposte_accolte": ("consultation", "proposal"), "interventi_finanziati": ("budget", "intervention"),
                "interventi_pagati": ("budget", "intervention")}
    nonzero = set()
    with psycopg.connect(url) as conn:
        for period in PERIODS:
            want = expected(period, needs, proposals, facts)
            figures = item.provider(conn, tenants=[tenant], period=period)
            assert [f.dimension["stage"] for f in figures] == list(services)  # the funnel's order, 0 included
            assert {f.dimension["stage"]: f.value for f in figures} == {s: Decimal(len(ids)) for s, ids in want.items()}
            for stage, ids in want.items():
                sources = whole_trace(item, conn, [tenant], period, {"stage": stage})
                assert sorted(s.id for s in sources) == sorted(ids), (period, stage)
                assert {(s.service, s.record, s.tenant, s.value) for s in sources} <= {
                    (*services[stage], tenant, Decimal(1))}
                nonzero |= {stage} if ids else set()
            # several Ambiti together (a merged Ambito's whole, a region): each stage is the sum of theirs
            both = item.provider(conn, tenants=[tenant, other], period=period)
            apart = [item.provider(conn, tenants=[t], period=period) for t in (tenant, other)]
            assert [f.value for f in both] == [a.value + b.value for a, b in zip(*apart)]
    assert nonzero == set(services)  # every stage was non-empty in some period: the comparison meant something
