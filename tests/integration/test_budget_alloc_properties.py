"""Random sequences of allocations, changes, releases, commitments and a closure, run on the real PostgreSQL
through the service functions and on a pure model side by side: after every step the ledger equals the sum of
the allocation rows, never exceeds the assignment, and the rows are the model's (a refused step changes nothing)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from services.budget.allocations import domain, residui, service
from services.budget.reference import Fund
from tests.integration.test_budget_alloc_world import budget  # noqa: F401

SLOTS = 3
YEAR = 2024
_funds = itertools.count()

# Kinds weighted so that a sequence mostly allocates, changes and releases before it (maybe) closes; amounts as
# a share (in ten-thousandths) of the assignment, so that both fitting and overspending requests come up.
KINDS = ["make"] * 6 + ["change"] * 6 + ["release"] * 3 + ["commit"] * 4 + ["close"]
operation = st.tuples(st.sampled_from(KINDS), st.integers(min_value=0, max_value=SLOTS - 1),
                      st.integers(min_value=0, max_value=4_000))


def amount(assigned: Decimal, share: int) -> Decimal:
    return max((assigned * share / 10_000).quantize(Decimal("0.01")), Decimal("0.01"))


def concrete(op, assigned: Decimal):
    """(kind, slot, amount) from (kind, slot, share); a change may also go to zero."""
    kind, i, share = op
    if kind == "change" and share == 0:
        return (kind, i, Decimal("0.00"))
    return (kind, i, amount(assigned, share))


@dataclass
class Model:
    """The fund-year as the rules say it should be: allocations per slot as [amount, committed, carried]."""

    assigned: Decimal
    rows: dict = field(default_factory=dict)
    closed: bool = False
    carried: Decimal | None = None

    @property
    def allocated(self) -> Decimal:
        return sum((r[0] for r in self.rows.values()), Decimal("0.00"))

    def apply(self, op) -> bool:
        """Apply op if the rules allow it; whether they did."""
        kind, i = op[0], op[1]
        row = self.rows.get(i)
        if kind == "close":
            if self.closed:
                return False
            self.closed = True
            self.carried = self.assigned - sum((r[1] for r in self.rows.values()), Decimal("0.00"))
            for r in self.rows.values():
                r[2] = r[0] - r[1]
            return True
        if kind == "commit":
            if row is None or row[1] + row[2] + op[2] > row[0]:
                return False
            row[1] += op[2]
            return True
        if self.closed:
            return False
        if kind == "make":
            if row is not None or self.allocated + op[2] > self.assigned:
                return False
            self.rows[i] = [op[2], Decimal("0.00"), Decimal("0.00")]
        elif kind == "change":
            if row is None or op[2] < row[1] or self.allocated - row[0] + op[2] > self.assigned:
                return False
            row[0] = op[2]
        elif kind == "release":
            if row is None or row[1] > 0:
                return False
            del self.rows[i]
        return True


@pytest.fixture
def world(budget):
    plan = budget.plan(YEAR)
    with psycopg.connect(budget.url(), autocommit=True) as conn:
        yield budget, plan, conn


def run(conn, budget, fund, interventions, op):
    """Run op on the database; whether it was accepted (a refusal must be one of the domain's)."""
    kind = op[0]
    if kind == "close":
        try:
            residui.close_fund_year(conn=conn, tenant=budget.slug, fund=fund.code, year=YEAR, by="op")
            return True
        except domain.AlreadyClosed:
            return False
    current = conn.execute("SELECT id, version FROM allocations WHERE intervention_id = %s AND fund_code = %s",
                           (interventions[op[1]], fund.code)).fetchone()
    if kind == "commit":   # what the expenditure package does; the CHECKs refuse the excess
        if current is None:
            return False
        try:
            with conn.transaction():
                conn.execute("UPDATE allocations SET committed = committed + %s WHERE id = %s", (op[2], current[0]))
            return True
        except psycopg.errors.CheckViolation:
            return False
    try:
        if kind == "make":
            service.make_allocation(conn=conn, tenant=budget.slug, intervention_id=interventions[op[1]], fund=fund,
                                    year=YEAR, amount=op[2], by="op")
        elif current is None:
            return False
        elif kind == "change":
            service.change_allocation(conn=conn, tenant=budget.slug, allocation_id=current[0], version=current[1],
                                      amount=op[2], funds={fund.code: fund})
        else:
            service.release_allocation(conn=conn, tenant=budget.slug, allocation_id=current[0], version=current[1])
        return True
    except domain.AllocationRefused:
        return False


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assigned=st.integers(min_value=100, max_value=100_000_000).map(lambda c: Decimal(c) / 100),
       ops=st.lists(operation, max_size=25))
def test_the_ledger_follows_the_model_and_never_overspends(world, assigned, ops):
    budget, plan, conn = world
    fund = Fund(code=f"PROP-{next(_funds)}", name="Fondo di prova", source="national")
    interventions = [budget.intervention(plan) for _ in range(SLOTS)]
    conn.execute("INSERT INTO fund_years (fund_code, year, assigned) VALUES (%s, %s, %s)", (fund.code, YEAR, assigned))
    model = Model(assigned)
    for op in (concrete(op, assigned) for op in ops):
        expected = model.apply(op)
        assert run(conn, budget, fund, interventions, op) == expected, (op, model)
        allocated = conn.execute("SELECT allocated FROM fund_years WHERE fund_code = %s AND year = %s",
                                 (fund.code, YEAR)).fetchone()[0]
        rows = {interventions.index(r[0]): [r[1], r[2], r[3]] for r in conn.execute(
            "SELECT intervention_id, amount, committed, carried FROM allocations WHERE fund_code = %s",
            (fund.code,)).fetchall()}
        assert allocated == sum((r[0] for r in rows.values()), Decimal("0.00")) == model.allocated <= assigned
        assert rows == model.rows, (op, rows, model.rows)
    carried = conn.execute("SELECT residui_in FROM fund_years WHERE fund_code = %s AND year = %s",
                           (fund.code, YEAR + 1)).fetchone()
    assert (carried[0] if carried else None) == (model.carried or None)
