"""The comuni co-financing split (largest remainder, to the cent): examples and hypothesis properties."""
from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from services.budget.cofinancing.domain import SplitImpossible, split_by_population

codes = st.integers(min_value=1, max_value=999_999).map(lambda n: f"{n:06d}")
populations = st.dictionaries(codes, st.integers(min_value=0, max_value=3_000_000), min_size=1, max_size=40).filter(
    lambda d: sum(d.values()) > 0)
totals = st.integers(min_value=0, max_value=99_999_999_999_999).map(lambda c: Decimal(c) / 100)


def exact(total: Decimal, populations: dict, code: str) -> Fraction:
    return Fraction(int(total * 100) * populations[code], sum(populations.values()))   # in cents


def test_the_lagonegrese_example_sums_to_the_cent():
    # Populations approximate (DOMAIN.md): 10,000.00 euro among Lauria, Lagonegro and Maratea.
    shares = split_by_population(Decimal("10000.00"), {"076042": 12500, "076039": 5200, "076044": 5000})
    assert shares == {"076039": Decimal("2290.75"), "076042": Decimal("5506.61"), "076044": Decimal("2202.64")}
    assert sum(shares.values()) == Decimal("10000.00")


def test_remaining_cents_go_to_the_largest_remainders_then_to_the_lower_istat_code():
    # One cent among three equal comuni: the lowest code gets it.
    assert split_by_population(Decimal("0.01"), {"076097": 1, "076042": 1, "076039": 1}) == {
        "076039": Decimal("0.01"), "076042": Decimal("0.00"), "076097": Decimal("0.00")}
    # 1.00 among 1, 1, 1: 33 cents each and the last cent by code.
    assert split_by_population(Decimal("1.00"), {"000003": 1, "000002": 1, "000001": 1}) == {
        "000001": Decimal("0.34"), "000002": Decimal("0.33"), "000003": Decimal("0.33")}
    # 0.10 among 2 and 1: exact 6.67 and 3.33 cents -> 7 and 3 (the larger remainder wins over the code).
    assert split_by_population(Decimal("0.10"), {"000001": 1, "000002": 2}) == {
        "000001": Decimal("0.03"), "000002": Decimal("0.07")}


def test_a_comune_without_inhabitants_gets_nothing_and_no_inhabitants_at_all_is_refused():
    assert split_by_population(Decimal("99.99"), {"000001": 0, "000002": 7})["000001"] == Decimal("0.00")
    with pytest.raises(SplitImpossible):
        split_by_population(Decimal("1.00"), {"000001": 0})
    with pytest.raises(SplitImpossible):
        split_by_population(Decimal("1.00"), {})
    with pytest.raises(ValueError):
        split_by_population(Decimal("1.001"), {"000001": 1})


@given(totals, populations)
def test_the_parts_sum_exactly_to_the_total(total, pops):
    assert sum(split_by_population(total, pops).values()) == total


@given(totals, populations)
def test_each_part_is_within_one_cent_of_its_exact_proportion(total, pops):
    for code, share in split_by_population(total, pops).items():
        assert abs(Fraction(int(share * 100)) - exact(total, pops, code)) < 1
        assert share == share.quantize(Decimal("0.01")) and share >= 0


@given(totals, populations)
def test_a_larger_population_never_gets_less_and_equal_ones_differ_by_a_cent_at_most(total, pops):
    shares = split_by_population(total, pops)
    for a in pops:
        for b in pops:
            if pops[a] > pops[b]:
                assert shares[a] >= shares[b], (a, b)
            elif pops[a] == pops[b]:
                assert abs(shares[a] - shares[b]) <= Decimal("0.01")


@given(totals, populations, st.randoms(use_true_random=False))
def test_the_split_is_deterministic_whatever_the_order_of_the_comuni(total, pops, rnd: random.Random):
    items = list(pops.items())
    rnd.shuffle(items)
    assert split_by_population(total, dict(items)) == split_by_population(total, pops)
