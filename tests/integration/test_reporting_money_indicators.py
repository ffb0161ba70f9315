"""Money, LEPS and progress indicators (services/reporting/indicators/{money,leps,progress}.py) on a fresh
reporting database.

A seeded random world of two former Ambiti and the merged one (population from profile events; plans,
interventions, progress, fund assignments, a closure's residui, allocations, commitments and payments)
is made as catalogue-valid events, projected with reporting's projectors and written with apply_rows in
a shuffled order with duplicates, as the consumer may meet them. The expected figures are computed here
from the plain lists of what was made, not with the providers' SQL; every figure's trace, read page by
page, lists exactly the records expected and its values sum to the figure (ratios: rounded to the cent).
"""
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import psycopg
import pytest

from shared.cli.provision import ensure_database, migrate
from shared.consumer.rows import apply_rows
from shared.tenants import database_url

from services.reporting.indicators import REGISTRY, Period
from services.reporting.projector import project
from tests.conftest import random_database, random_slug
from tests.integration.test_reporting_money_world import World

PERIODS = [Period.parse("2025"), Period.parse("2025-Q2"), Period.parse("2025-Q4")]
CENT = Decimal("0.01")


@pytest.fixture(scope="module", params=[20251, 7, 1234])
def world(request, settings):
    """A world (one per seed), written into a reporting database of its own, migrated as provisioning does."""
    url = database_url(settings.database_url, random_database("reporting"))
    ensure_database(url)
    migrate(url, "reporting")
    made = World(random.Random(request.param), [random_slug("lag"), random_slug("pol"), random_slug("lagpol")])
    rows = [row for e in made.shuffled_events() for row in project(e)]
    with psycopg.connect(url) as conn:
        for start in range(0, len(rows), 400):  # batches, as the consumer's polls
            apply_rows(conn, rows[start:start + 400])
    made.url = url
    return made


def rounded(value: Decimal) -> Decimal:
    with localcontext(prec=60):
        return value.quantize(CENT, ROUND_HALF_UP)


def divided(numerator: Decimal, divisor: Decimal) -> Decimal:
    with localcontext(prec=60):
        return rounded(Decimal(numerator) / Decimal(divisor))


def traced(conn, code, tenants, period, dimension):
    """Every source of one figure, 3 a page, following the cursor."""
    item, sources, after = REGISTRY[code], [], None
    while True:
        page, after = item.tracer(conn, tenants=tenants, period=period, dimension=dimension, after=after, limit=3)
        assert len(page) <= 3
        sources.extend(page)
        if after is None:
            return sources


def check(conn, code, tenants, period, expected: dict, ids: dict, ratio=False):
    """Figures of `code` equal `expected` (dimension tuple -> value); each trace lists `ids` and sums to it."""
    item = REGISTRY[code]
    figures = item.provider(conn, tenants=tenants, period=period)
    names = item.definition.dimensions
    got = {tuple(f.dimension[n] for n in names): f.value for f in figures}
    assert got == expected, (code, period)
    for key, value in expected.items():
        sources = traced(conn, code, tenants, period, dict(zip(names, key)))
        assert sorted((s.tenant, s.id) for s in sources) == sorted(ids.get(key, [])), (code, key)
        assert all(s.service == "budget" for s in sources)
        total = sum((s.value for s in sources), Decimal(0))
        assert (rounded(total) if ratio else total) == value, (code, key, total)


TERRITORIES = [(0,), (1,), (2, 0, 1)]


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("which", TERRITORIES, ids=["former-a", "former-b", "merged-whole"])
def test_spending_per_inhabitant_by_fund_and_area(world, period, which):
    tenants = [world.slugs[i] for i in which]
    people = world.population(tenants)
    assert people > 0
    with psycopg.connect(world.url) as conn:
        for by in ("fund", "area"):
            paid = world.paid_in(tenants, period, by)
            programmed = world.programmed(tenants, period.year, by)
            keys = set(paid) | set(programmed)
            check(conn, f"spesa_liquidata_per_abitante_per_{'fondo' if by == 'fund' else 'area'}", tenants, period,
                  {(k,): divided(sum(a for _, a in paid.get(k, [])), people) for k in keys},
                  {(k,): [i for i, _ in paid.get(k, [])] for k in keys}, ratio=True)
            check(conn, f"spesa_programmata_per_abitante_per_{'fondo' if by == 'fund' else 'area'}", tenants,
                  period, {(k,): divided(sum(a for _, a in programmed.get(k, [])), people) for k in keys},
                  {(k,): [i for i, _ in programmed.get(k, [])] for k in keys}, ratio=True)


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("which", TERRITORIES, ids=["former-a", "former-b", "merged-whole"])
def test_resources_per_fund_and_share_committed(world, period, which):
    tenants = [world.slugs[i] for i in which]
    measures = world.resources(tenants, period)
    funds = {f for found in measures.values() for f in found}
    expected, ids = {}, {}
    for fund in funds:
        for measure, found in measures.items():
            expected[(fund, measure)] = sum((a for _, a in found.get(fund, [])), Decimal("0.00"))
            ids[(fund, measure)] = [i for i, _ in found.get(fund, [])]
    assert any(v > 0 for (f, m), v in expected.items() if m == "liquidato")  # the world is not empty
    with psycopg.connect(world.url) as conn:
        check(conn, "risorse_per_fondo", tenants, period, expected, ids)
        shares, share_ids = {}, {}
        for fund in funds:
            resources = expected[(fund, "assegnato")] + expected[(fund, "residui_in")]
            if resources > 0:
                shares[(fund,)] = divided(expected[(fund, "impegnato")] * 100, resources)
                share_ids[(fund,)] = ids[(fund, "impegnato")]
        check(conn, "quota_fondo_impegnata", tenants, period, shares, share_ids, ratio=True)


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("which", TERRITORIES, ids=["former-a", "former-b", "merged-whole"])
def test_leps_covered(world, period, which):
    tenants = [world.slugs[i] for i in which]
    named = world.leps(tenants, period.year)  # leps -> sorted funded (tenant, id)
    with psycopg.connect(world.url) as conn:
        check(conn, "leps_copertura", tenants, period,
              {(k,): Decimal(1 if funded else 0) for k, funded in named.items()},
              {(k,): funded for k, funded in named.items()})
        covered = sorted(k for k, funded in named.items() if funded)
        assert covered  # the world covers some LEPS
        [figure] = REGISTRY["leps_coperti"].provider(conn, tenants=tenants, period=period)
        assert figure.value == len(covered)
        sources = traced(conn, "leps_coperti", tenants, period, {})
        # one funded intervention per covered LEPS, in the LEPS' order, each counting 1
        assert [(s.tenant, s.id) in named[k] for s, k in zip(sources, covered)] == [True] * len(covered)
        assert len(sources) == len(covered) and sum(s.value for s in sources) == figure.value


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("which", TERRITORIES, ids=["former-a", "former-b", "merged-whole"])
def test_progress_of_the_interventions(world, period, which):
    tenants = [world.slugs[i] for i in which]
    status = world.status_at(tenants, period)  # (tenant, id) -> (status, percent or None)
    with psycopg.connect(world.url) as conn:
        check(conn, "interventi_per_stato", tenants, period,
              {(s,): Decimal(sum(1 for st, _ in status.values() if st == s))
               for s in ("planned", "active", "suspended", "completed", "cancelled")},
              {(s,): [k for k, (st, _) in status.items() if st == s]
               for s in ("planned", "active", "suspended", "completed", "cancelled")})
        measured = {k: p for k, (st, p) in status.items() if st != "cancelled" and p is not None}
        check(conn, "interventi_avanzamento_medio", tenants, period,
              {(): divided(sum(measured.values()), len(measured))} if measured else {},
              {(): list(measured)}, ratio=True)
        outputs = world.outputs(tenants, period)  # name -> [(tenant, record id, figure)]
        check(conn, "interventi_indicatori_output", tenants, period,
              {(n,): sum(f for _, _, f in found) for n, found in outputs.items()},
              {(n,): [(t, i) for t, i, _ in found] for n, found in outputs.items()})


def test_a_figure_per_inhabitant_needs_a_population(world, settings):
    stranger = random_slug("nopop")
    with psycopg.connect(world.url) as conn:
        assert REGISTRY["spesa_liquidata_per_abitante_per_fondo"].provider(
            conn, tenants=[stranger], period=PERIODS[0]) == []
        assert REGISTRY["leps_coperti"].provider(conn, tenants=[stranger], period=PERIODS[0])[0].value == 0


def test_dates_in_the_world_are_inside_and_outside_the_periods(world):
    """The world is not trivial: payments fall in and out of Q2, and on the quarter's edges."""
    days = {p["act_date"] for p in world.payments.values()}
    assert any(d < date(2025, 4, 1) for d in days) and any(date(2025, 4, 1) <= d <= date(2025, 6, 30) for d in days)
    assert any(p["year"] == 2024 and p["act_date"].year == 2025 for p in world.payments.values())


MINE = ("spesa_liquidata_per_abitante_per_fondo", "spesa_liquidata_per_abitante_per_area",
        "spesa_programmata_per_abitante_per_fondo", "spesa_programmata_per_abitante_per_area", "risorse_per_fondo",
        "quota_fondo_impegnata", "leps_coperti", "leps_copertura", "interventi_per_stato",
        "interventi_avanzamento_medio", "interventi_indicatori_output")


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_many_groups_at_once_give_each_group_its_own_figures(world, period):
    """The grouped providers (one query for a region's Ambiti) answer each group as if it were asked alone."""
    a, b, merged = world.slugs
    groups = {"a": [a], "b": [b], "whole": [merged, a, b], "own": [merged], "twice": [a, a], "none": ["x-nobody"]}
    with psycopg.connect(world.url) as conn:
        for code in MINE:
            item = REGISTRY[code]
            assert item.grouped is not None
            answer = item.grouped(conn, groups=groups, period=period)
            alone = {label: item.provider(conn, tenants=tenants, period=period) for label, tenants in groups.items()}
            assert answer == {**alone, "twice": alone["a"]}, code
            assert answer["whole"] != answer["a"] or code.startswith("leps"), code
