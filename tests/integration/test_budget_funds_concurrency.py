"""Fund assignment corrections racing allocations on the real PostgreSQL: the CHECK of fund_years decides,
not a read made before the lock, and the ledger always reconciles with the assignments to the cent."""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import psycopg

from tests.integration.test_budget_funds_world import funds, problem  # noqa: F401


def wait_for_a_lock_wait(url: str, deadline: float = 30.0) -> None:
    """Return once some session of the database waits for a lock (the PATCH, behind the allocation)."""
    with psycopg.connect(url, autocommit=True) as conn:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            waiting = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                   " AND wait_event_type = 'Lock'").fetchone()[0]
            if waiting:
                return
            time.sleep(0.02)   # polling a condition, not timing the outcome
    raise AssertionError("the correction never waited for the allocation's row lock")


def test_a_lowering_correction_waiting_behind_an_allocation_sees_it_and_is_refused(funds):
    made = funds.assign("FNPS", 2025, "1000.00").get_json()
    funds.allocate_by_sql("FNPS", 2025, "100.00")
    with psycopg.connect(funds.url()) as allocation:
        # An allocation in flight: the fund-year's row is locked and 600.00 more is allocated, not yet committed.
        allocation.execute("UPDATE fund_years SET allocated = allocated + 600 WHERE fund_code = 'FNPS' AND year = 2025")
        with ThreadPoolExecutor(1) as pool:
            # Against what is committed (100.00 allocated) 500.00 would be fine.
            pending = pool.submit(funds.correct, made["id"], '"1"', amount="500.00")
            wait_for_a_lock_wait(funds.url())
            allocation.commit()
            response = pending.result(timeout=60)
    body = problem(response, 409, "below-allocated")
    assert (body["assigned_after"], body["allocated"]) == ("500.00", "700.00")
    ledger = funds.ledger("FNPS", 2025)
    assert (ledger["assigned"], ledger["allocated"]) == (Decimal("1000.00"), Decimal("700.00"))


def test_concurrent_corrections_and_allocations_keep_the_ledger_exact(funds):
    ids = [funds.assign("FNA", 2025, "1000.00", f"Decreto {n}").get_json()["id"] for n in range(6)]
    rng = random.Random(10)
    lock = threading.Lock()
    outcomes = {"corrected": 0, "below": 0, "allocated": 0, "exhausted": 0}

    def correct(assignment_id: str, amount: str) -> None:
        while True:
            etag = funds.call("GET", f"/fund-assignments/{assignment_id}").headers["ETag"]
            response = funds.correct(assignment_id, etag, amount=amount)
            if response.status_code != 412:
                break
        assert response.status_code in (200, 409), response.get_json()
        with lock:
            outcomes["corrected" if response.status_code == 200 else "below"] += 1
        if response.status_code == 409:
            assert response.get_json()["type"].endswith("/below-allocated")

    def allocate(amount: str) -> None:
        try:
            with psycopg.connect(funds.url()) as conn:
                conn.execute("UPDATE fund_years SET allocated = allocated + %s WHERE fund_code = 'FNA' AND year = 2025",
                             (Decimal(amount),))
            key = "allocated"
        except psycopg.errors.CheckViolation:
            key = "exhausted"
        with lock:
            outcomes[key] += 1

    jobs = [(correct, (rng.choice(ids), f"{rng.randint(100, 1500)}.{rng.randint(0, 99):02d}")) for _ in range(24)]
    jobs += [(allocate, (f"{rng.randint(50, 600)}.{rng.randint(0, 99):02d}",)) for _ in range(24)]
    rng.shuffle(jobs)
    with ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(job, *args) for job, args in jobs]:
            future.result(timeout=120)

    ledger = funds.ledger("FNA", 2025)
    total = funds.sql("SELECT sum(amount) AS s FROM fund_assignments WHERE fund_code = 'FNA'")[0]["s"]
    assert ledger["assigned"] == total, "the ledger's assigned is the sum of the assignments, to the cent"
    assert ledger["allocated"] <= ledger["assigned"] + ledger["residui_in"]
    assert outcomes["corrected"] + outcomes["below"] == 24 and outcomes["allocated"] + outcomes["exhausted"] == 24
    corrected = funds.outbox("it.pdz.budget.fund_assignment.corrected.v1")
    assert len(corrected) <= outcomes["corrected"]   # a correction to the same amount changes nothing
