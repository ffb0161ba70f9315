"""Progress of the cronoprogramma over a fresh reporting database (real PostgreSQL).

Milestones planned and changed through their events (rows via the projectors and apply_rows, shuffled,
some twice); the four figures must equal the test's own counts of the world, with today taken in Italy as
consultation does, and each trace must list exactly the milestones counted.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest

from services.reporting.indicators import REGISTRY
from services.reporting.indicators.model import Period
from tests.conftest import random_slug
from tests.integration.test_reporting_participation import reporting_database, whole_trace, write
from tests.unit.test_reporting_consultation_fixtures import ev

ENDS = [date(2025, 12, 31), date(2026, 1, 1), date(2026, 2, 15), date(2026, 3, 31), date(2026, 4, 1),
        date(2099, 5, 31), date(2099, 6, 30)]
PERIODS = [Period.parse(p) for p in ("2026-Q1", "2026", "2099-Q2", "2025-Q4")]
CODES = ("cronoprogramma_tappe_in_scadenza", "cronoprogramma_concluse_in_tempo",
         "cronoprogramma_concluse_in_ritardo", "cronoprogramma_tappe_in_ritardo")


def world(rnd, tenant):
    """Milestone events and, per milestone, (planned_end, status, actual_end)."""
    events, facts = [], {}
    for _ in range(30):
        milestone, end = str(uuid.uuid4()), rnd.choice(ENDS)
        start = end - timedelta(days=rnd.randint(0, 40))
        status = rnd.choice(["planned", "in_progress", "done", "done", "cancelled"])
        actual_end = end + timedelta(days=rnd.choice([-3, 0, 1, 20])) if status == "done" else None
        base = dict(milestone_id=milestone, year=start.year, planned_start=start.isoformat(),
                    planned_end=end.isoformat(), actual_start=None, actual_end=None, status="planned")
        events.append(ev("milestone.planned", tenant, **base))
        if status != "planned":
            events.append(ev("milestone.updated", tenant, **{
                **base, "status": status, "version": 2, "changed": ["status"],
                "actual_start": start.isoformat() if status in ("in_progress", "done") else None,
                "actual_end": actual_end and actual_end.isoformat()}))
        facts[milestone] = (end, status, actual_end)
    return events, facts


def expected(period: Period, facts, today: date) -> dict:
    due = {m: f for m, f in facts.items() if f[1] != "cancelled" and period.first_day <= f[0] <= period.last_day}
    return {
        "cronoprogramma_tappe_in_scadenza": set(due),
        "cronoprogramma_concluse_in_tempo": {m for m, (end, s, actual) in due.items() if s == "done" and actual <= end},
        "cronoprogramma_concluse_in_ritardo": {m for m, (end, s, actual) in due.items() if s == "done" and actual > end},
        "cronoprogramma_tappe_in_ritardo": {m for m, (end, s, _) in due.items()
                                            if s in ("planned", "in_progress") and today > end},
    }


@pytest.mark.parametrize("seed", [7, 8])
def test_milestones_due_in_the_period_on_time_late_and_overdue(catalogue_factory, seed):
    rnd = random.Random(seed)
    tenant, other = random_slug("cro"), random_slug("oth")
    url = reporting_database(catalogue_factory, [tenant, other])
    events, facts = world(rnd, tenant)
    noise, _ = world(rnd, other)
    write(url, events + noise, rnd=rnd)
    seen = set()
    with psycopg.connect(url) as conn:
        for period in PERIODS:
            today = datetime.now(ZoneInfo("Europe/Rome")).date()
            want = expected(period, facts, today)
            for code in CODES:
                item = REGISTRY[code]
                [figure] = item.provider(conn, tenants=[tenant], period=period)
                if datetime.now(ZoneInfo("Europe/Rome")).date() != today:
                    pytest.skip("midnight passed in Italy while counting")  # the overdue count moves with the day
                assert (figure.value, figure.dimension) == (Decimal(len(want[code])), {}), (period, code)
                sources = whole_trace(item, conn, [tenant], period, {})
                assert sorted(s.id for s in sources) == sorted(want[code]), (period, code)
                assert all((s.service, s.record, s.tenant) == ("consultation", "milestone", tenant) for s in sources)
                seen |= {code} if want[code] else set()
    assert seen == set(CODES)  # every figure was non-zero somewhere: the comparison meant something
