"""The money arithmetic of the indicators (services/reporting/indicators/money.py), pure.

A ratio (per inhabitant, a percentage, a mean) is the exact quotient rounded to the cent half up; a
trace gives each record's part (its amount / the divisor rounded UP at the 24th decimal), and the parts'
sum rounded half up is the figure, whatever the records: checked against exact fractions (hypothesis).
"""
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given, settings, strategies as st

from services.reporting.indicators.money import CENT, HUNDRED, part, ratio

cents = st.integers(min_value=0, max_value=99_999_999_999_999)  # NUMERIC(14,2) in cents


def half_up(value: Fraction) -> Decimal:
    """value to the cent, half up, computed on exact fractions (independent of decimal contexts)."""
    hundredths = value * 100
    whole = hundredths.numerator // hundredths.denominator
    if hundredths - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 100


def amount(c: int) -> Decimal:
    return (Decimal(c) / 100).quantize(CENT)


@given(cents, st.integers(min_value=1, max_value=60_000_000))
@example(1, 2)        # 0.005 exactly: half up gives 0.01
@example(3, 6)        # 0.005 exactly, from thirds of a cent
def test_a_ratio_is_the_exact_quotient_rounded_half_up(numerator, divisor):
    assert ratio(amount(numerator), Decimal(divisor)) == half_up(Fraction(numerator, 100) / divisor)


@settings(max_examples=300)
@given(st.lists(st.integers(min_value=0, max_value=10 ** 12), min_size=1, max_size=60),
       st.integers(min_value=1, max_value=60_000_000))
@example([1, 1, 1], 6)      # each part 0.0016666…: rounded to nearest, three of them pass the half-cent
@example([1] * 50, 10_000)
def test_the_parts_of_a_per_inhabitant_figure_sum_to_it(amounts, people):
    figure = ratio(sum((amount(a) for a in amounts), Decimal(0)), Decimal(people))
    parts = [part(amount(a), Decimal(people)) for a in amounts]
    assert all(p >= Fraction(a, 100) / people for p, a in zip(parts, amounts))  # never below the exact part
    assert ratio(sum(parts, Decimal(0)), Decimal(1)) == figure == half_up(Fraction(sum(amounts), 100) / people)


@settings(max_examples=300)
@given(st.lists(st.integers(min_value=0, max_value=10 ** 10), min_size=1, max_size=40), cents.filter(bool))
@example([1, 1, 1], 600)
def test_the_parts_of_a_share_sum_to_it(committed, resources):
    whole = amount(resources)
    figure = ratio(sum((amount(c) for c in committed), Decimal(0)) * HUNDRED, whole)
    parts = [part(amount(c) * HUNDRED, whole) for c in committed]
    assert ratio(sum(parts, Decimal(0)), Decimal(1)) == figure == half_up(Fraction(sum(committed), resources) * 100)


@given(st.lists(st.integers(min_value=0, max_value=10000), min_size=1, max_size=200))
def test_the_parts_of_a_mean_percentage_sum_to_it(hundredths):
    percents = [Decimal(h) / 100 for h in hundredths]
    figure = ratio(sum(percents, Decimal(0)), Decimal(len(percents)))
    parts = [part(p, Decimal(len(percents))) for p in percents]
    exact = half_up(Fraction(sum(hundredths), 100 * len(percents)))
    assert ratio(sum(parts, Decimal(0)), Decimal(1)) == figure == exact


@given(st.lists(cents, min_size=0, max_size=100))
def test_sums_of_amounts_are_exact_to_the_cent(many):
    total = sum((amount(c) for c in many), Decimal("0.00"))
    assert total == Decimal(sum(many)) / 100 and total == total.quantize(CENT)
