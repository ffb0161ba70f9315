"""Many writers at once on one allocation and one commitment, each with its own connection through the service
functions, on the real PostgreSQL: never more committed than allocated nor more paid than committed, the
ledger equal to the acts that succeeded, and no deadlock between commitments and payments."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from services.budget.expenditure import domain, service
from tests.integration.test_budget_expenditure_world import World

THREADS = 16
ON = date(2025, 12, 31)


@pytest.fixture
def world(tenants, settings, tmp_path):
    return World(tenants, settings, tmp_path / "tenants.yaml")


def race(url: str, attempts: list, act) -> list:
    """Run act(conn, argument) for every argument, THREADS at a time, all released together by a barrier;
    each outcome is the recorded row or the refusal raised (any other exception fails the test)."""
    barrier = threading.Barrier(THREADS)
    chunks = [attempts[i::THREADS] for i in range(THREADS)]

    def worker(chunk):
        outcomes = []
        with psycopg.connect(url) as conn:
            barrier.wait()
            for argument in chunk:
                try:
                    outcomes.append(act(conn, argument))
                except (domain.OverCommitted, domain.OverPaid) as refusal:
                    outcomes.append(refusal)
        return outcomes

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [o for outcomes in pool.map(worker, chunks) for o in outcomes]


def commit(tenant, allocation_id, amount):
    return lambda conn, _: service.record_commitment(conn=conn, tenant=tenant, allocation_id=allocation_id,
                                                     amount=amount, act_date=date(2025, 3, 10),
                                                     act_reference="Determina n. 1", recorded_by="op", on=ON)


def pay(tenant, commitment_id, amount):
    return lambda conn, _: service.record_payment(conn=conn, tenant=tenant, commitment_id=commitment_id,
                                                  amount=amount, act_date=date(2025, 6, 1),
                                                  act_reference="Liquidazione n. 1", recorded_by="op", on=ON)


def read_back(url: str, query: str, params) -> tuple:
    with psycopg.connect(url) as conn:   # a separate connection: what was committed, nothing else
        return conn.execute(query, params).fetchone()


def test_concurrent_commitments_never_exceed_the_allocation(world):
    allocation = world.allocation(world.intervention(world.plan()), "FNPS", 2025, "1000.00")
    outcomes = race(world.url, [None] * (THREADS * 2), commit(world.slug, allocation, Decimal("150.00")))
    done = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, domain.OverCommitted)]
    assert len(done) == 6 and len(refused) == THREADS * 2 - 6   # 6 x 150.00 fit in 1000.00, a 7th never
    for refusal in refused:
        assert refusal.allocated == Decimal("1000.00") and refusal.requested == Decimal("150.00")
        assert refusal.committed + refusal.requested > refusal.allocated
    committed, rows, total = read_back(
        world.url, "SELECT a.committed, count(c.id), coalesce(sum(c.amount), 0) FROM allocations a"
                   " LEFT JOIN commitments c ON c.allocation_id = a.id WHERE a.id = %s GROUP BY a.committed",
        (allocation,))
    assert committed == total == Decimal("900.00") and rows == 6
    assert len(world.events("commitment")) == 6


def test_concurrent_payments_never_exceed_the_commitment(world):
    allocation = world.allocation(world.intervention(world.plan()), "FNA", 2025, "1000.00")
    with psycopg.connect(world.url) as conn:
        commitment = commit(world.slug, allocation, Decimal("1000.00"))(conn, None)
    outcomes = race(world.url, [None] * (THREADS * 2), pay(world.slug, commitment["id"], Decimal("70.00")))
    done = [o for o in outcomes if isinstance(o, dict)]
    assert len(done) == 14 and all(isinstance(o, domain.OverPaid) for o in outcomes if o not in done)
    paid, allocation_paid, total, rows = read_back(
        world.url, "SELECT c.paid, a.paid, coalesce(sum(p.amount), 0), count(p.id) FROM commitments c"
                   " JOIN allocations a ON a.id = c.allocation_id LEFT JOIN payments p ON p.commitment_id = c.id"
                   " WHERE c.id = %s GROUP BY c.paid, a.paid", (commitment["id"],))
    assert paid == allocation_paid == total == Decimal("980.00") and rows == 14
    assert len(world.events("payment")) == 14


def test_commitments_and_payments_on_one_allocation_at_once_keep_both_ledgers(world):
    """Half the threads commit on the allocation while the other half pay its first commitment: the lock
    order (fund-year, allocation, commitment) leaves no deadlock, and every sum holds."""
    allocation = world.allocation(world.intervention(world.plan()), "PNRR-1.2", 2025, "5000.00")
    with psycopg.connect(world.url) as conn:
        first = commit(world.slug, allocation, Decimal("800.00"))(conn, None)
    committing = commit(world.slug, allocation, Decimal("333.33"))
    paying = pay(world.slug, first["id"], Decimal("45.45"))
    outcomes = race(world.url, ["commit", "pay"] * THREADS * 2,
                    lambda conn, kind: (committing if kind == "commit" else paying)(conn, kind))
    commitments = [o for o in outcomes if isinstance(o, dict) and "allocation_id" in o and "commitment_id" not in o]
    payments = [o for o in outcomes if isinstance(o, dict) and "commitment_id" in o]
    assert len(commitments) == 12   # 800.00 + 12 x 333.33 = 4799.96; a 13th would pass 5000.00
    assert len(payments) == 17      # 17 x 45.45 = 772.65 <= 800.00 < 818.10
    committed, paid = read_back(world.url, "SELECT committed, paid FROM allocations WHERE id = %s", (allocation,))
    assert committed == Decimal("800.00") + 12 * Decimal("333.33") == Decimal("4799.96")
    assert paid == 17 * Decimal("45.45")
    sums = read_back(world.url, "SELECT (SELECT sum(amount) FROM commitments WHERE allocation_id = %s),"
                                " (SELECT sum(p.amount) FROM payments p JOIN commitments c ON c.id = p.commitment_id"
                                "  WHERE c.allocation_id = %s)", (allocation, allocation))
    assert sums == (committed, paid)
