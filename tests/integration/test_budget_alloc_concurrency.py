"""Many writers on one fund-year at once, on the real PostgreSQL, each through the service functions with its own
connection: the ledger never exceeds the assignment and equals the sum of what succeeded (read back apart)."""
from __future__ import annotations

import threading
from decimal import Decimal

import psycopg

from services.budget.allocations import domain, residui, service
from services.budget.reference import reference
from tests.integration.test_budget_alloc_world import budget  # noqa: F401

THREADS = 16


def run_together(url, jobs):
    """Run each job(conn) in its own thread with its own connection, all released at once; their outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def worker(index, job):
        with psycopg.connect(url, autocommit=True) as conn:
            barrier.wait()
            try:
                outcomes[index] = ("ok", job(conn))
            except domain.AllocationRefused as exc:
                outcomes[index] = ("refused", exc)
            except Exception as exc:  # noqa: BLE001 - reported below, the test fails on it
                outcomes[index] = ("error", exc)

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [o for o in outcomes if o[0] == "error"]
    assert not errors, errors
    return outcomes


def totals(budget, fund, year):
    """The ledger row and the sum of the allocation rows, read with a connection of their own."""
    with psycopg.connect(budget.url()) as conn:
        allocated, assigned, residui_in = conn.execute(
            "SELECT allocated, assigned, residui_in FROM fund_years WHERE fund_code = %s AND year = %s",
            (fund, year)).fetchone()
        rows = conn.execute("SELECT coalesce(sum(amount), 0) FROM allocations WHERE fund_code = %s AND year = %s",
                            (fund, year)).fetchone()[0]
    return allocated, rows, assigned + residui_in


def test_concurrent_allocations_never_exceed_the_assignment(budget):
    plan = budget.plan(2024)
    interventions = [budget.intervention(plan) for _ in range(THREADS)]
    budget.fund_year("FNPS", 2024, "50000.00", residui_in="1234.56")
    fnps = reference().funds["FNPS"]
    # Together they ask for about twice what there is; each alone would fit.
    amounts = [Decimal("5000.00") + Decimal(i) * Decimal("371.17") for i in range(THREADS)]

    def allocate(intervention, amount):
        return lambda conn: service.make_allocation(conn=conn, tenant=budget.slug, intervention_id=intervention,
                                                    fund=fnps, year=2024, amount=amount, by="op")

    outcomes = run_together(budget.url(), [allocate(i, a) for i, a in zip(interventions, amounts)])
    granted = [a for a, (kind, _) in zip(amounts, outcomes) if kind == "ok"]
    refused = [o for kind, o in outcomes if kind == "refused"]
    assert granted and refused
    assert all(isinstance(r, domain.FundExhausted) for r in refused)
    allocated, rows, ceiling = totals(budget, "FNPS", 2024)
    assert allocated == rows == sum(granted) <= ceiling
    # Each refusal names what was left when it was read, after the refusal: less than it asked (nothing is
    # released here, so what is left only shrinks).
    assert all(Decimal(r.extra["available"]) < a for a, (kind, r) in zip(amounts, outcomes) if kind == "refused")
    assert len(budget.outbox("it.pdz.budget.allocation.made.v1")) == len(granted)


def test_concurrent_raises_lowerings_and_new_allocations_keep_the_ledger_exact(budget):
    plan = budget.plan(2024)
    existing = [budget.intervention(plan) for _ in range(THREADS // 2)]
    fresh = [budget.intervention(plan) for _ in range(THREADS // 2)]
    budget.fund_year("FNPS", 2025, "20000.00")
    fnps = reference().funds["FNPS"]
    made = [budget.allocate(i, "FNPS", 2025, "2000.00").get_json() for i in existing]   # 16,000 allocated

    def change(allocation, amount):
        return lambda conn: service.change_allocation(conn=conn, tenant=budget.slug, allocation_id=allocation["id"],
                                                      version=1, amount=amount, funds=reference().funds)

    def allocate(intervention):
        return lambda conn: service.make_allocation(conn=conn, tenant=budget.slug, intervention_id=intervention,
                                                    fund=fnps, year=2025, amount=Decimal("1500.00"), by="op")

    # Half the existing ones double, half drop to 500; eight new ones ask for 1,500 each.
    jobs = [change(a, Decimal("4000.00") if n % 2 else Decimal("500.00")) for n, a in enumerate(made)]
    jobs += [allocate(i) for i in fresh]
    outcomes = run_together(budget.url(), jobs)
    allocated, rows, ceiling = totals(budget, "FNPS", 2025)
    assert allocated == rows <= ceiling
    expected = Decimal(0)
    for n, (kind, _) in enumerate(outcomes[:len(made)]):
        new = Decimal("4000.00") if n % 2 else Decimal("500.00")
        expected += new if kind == "ok" else Decimal("2000.00")
    expected += sum(Decimal("1500.00") for kind, _ in outcomes[len(made):] if kind == "ok")
    assert allocated == expected
    lowerings = [o for n, o in enumerate(outcomes[:len(made)]) if n % 2 == 0]
    assert all(kind == "ok" for kind, _ in lowerings)   # giving money back is never refused
    assert any(kind == "refused" for kind, _ in outcomes)   # all of it would make 30,000 of 20,000


def test_a_closure_racing_allocations_and_commitments_carries_exactly_what_was_not_committed(budget):
    plan = budget.plan(2024)
    existing = [budget.intervention(plan) for _ in range(7)]
    fresh = [budget.intervention(plan) for _ in range(7)]
    budget.fund_year("FNPS", 2024, "20000.00")
    fnps = reference().funds["FNPS"]
    made = [budget.allocate(i, "FNPS", 2024, "2000.00").get_json() for i in existing]   # 14,000 allocated

    def commit(allocation):
        def job(conn):   # what the expenditure package does to the allocation row (its CHECKs decide)
            try:
                with conn.transaction():
                    conn.execute("UPDATE allocations SET committed = committed + 1500 WHERE id = %s",
                                 (allocation["id"],))
            except psycopg.errors.CheckViolation:
                raise domain.AllocationRefused("commitment refused: the money moved to 2025") from None
        return job

    def allocate(intervention):
        return lambda conn: service.make_allocation(conn=conn, tenant=budget.slug, intervention_id=intervention,
                                                    fund=fnps, year=2024, amount=Decimal("1000.00"), by="op")

    def close(conn):
        return residui.close_fund_year(conn=conn, tenant=budget.slug, fund="FNPS", year=2024, by="op")

    outcomes = run_together(budget.url(), [commit(a) for a in made] + [allocate(i) for i in fresh] + [close])
    assert outcomes[-1][0] == "ok"
    with psycopg.connect(budget.url()) as conn:
        rows = conn.execute("SELECT id, amount, committed, carried FROM allocations WHERE year = 2024").fetchall()
        ledger = conn.execute("SELECT allocated, closed_at FROM fund_years WHERE fund_code = 'FNPS' AND year = 2024"
                              ).fetchone()
        carried_in = conn.execute("SELECT residui_in FROM fund_years WHERE fund_code = 'FNPS' AND year = 2025"
                                  ).fetchone()[0]
        residuo, origin = conn.execute("SELECT amount, origin FROM residui WHERE fund_code = 'FNPS'").fetchone()
    committed = sum(r[2] for r in rows)
    assert ledger[0] == sum(r[1] for r in rows) <= Decimal("20000.00") and ledger[1] is not None
    assert carried_in == residuo == Decimal("20000.00") - committed
    assert sum(Decimal(o["amount"]) for o in origin) == residuo
    assert all(r[3] == r[1] - r[2] for r in rows)   # every allocation closed with its uncommitted part carried
    # What succeeded is exactly what the rows show: each commitment that went through is in them.
    assert committed == Decimal("1500.00") * sum(1 for kind, _ in outcomes[:len(made)] if kind == "ok")
    assert len(rows) == len(made) + sum(1 for kind, _ in outcomes[len(made):-1] if kind == "ok")
