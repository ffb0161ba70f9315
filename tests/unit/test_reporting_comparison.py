"""The comparison of a merged Ambito's former territories, pure."""
from datetime import datetime, timezone
from decimal import Decimal

from hypothesis import given, strategies as st

from services.reporting.comparison import compare, ets_share, gap, indicators
from services.reporting.statistics import end_of_previous_year

figures = st.dictionaries(st.sampled_from(["total", "type:ets", "type:comune", "runts_section:a"]),
                          st.integers(min_value=0, max_value=10_000))
territories = st.dictionaries(st.sampled_from(["a", "b", "c"]), figures, min_size=1)


def _counts(by_type, runts=None):
    return {"total": sum(by_type.values()), "by_type": by_type, "by_runts_section": runts or {},
            "by_status": {}}


def test_indicators_of_a_territory():
    assert indicators(_counts({"ets": 1, "comune": 2}, {"a": 1})) == {
        "total": 3, "ets_share": Decimal("0.3333"), "type:ets": 1, "type:comune": 2, "runts_section:a": 1}


def test_a_territory_without_stakeholders_has_a_zero_share():
    assert ets_share(_counts({})) == Decimal("0")


def test_two_territories_gap_and_its_change():
    [row] = [r for r in compare({"a": {"total": 7}, "b": {"total": 3}}, {"a": {"total": 2}, "b": {"total": 4}})
             if r["indicator"] == "total"]
    assert row == {"indicator": "total", "territories": {"a": 7, "b": 3}, "previous_year": {"a": 2, "b": 4},
                   "gap": 4, "gap_previous_year": 2, "gap_change": 2}


def test_a_figure_one_territory_lacks_counts_as_zero():
    [row] = compare({"a": {"type:school": 2}, "b": {}}, {})
    assert row["territories"] == {"a": 2, "b": 0} and row["gap"] == 2 and row["gap_previous_year"] == 0


@given(territories, territories)
def test_gap_is_max_minus_min_never_negative_and_change_is_exact(now, before):
    for row in compare(now, before):
        values = list(row["territories"].values())
        assert row["gap"] == max(values) - min(values) >= 0
        assert row["gap_previous_year"] >= 0
        assert row["gap_change"] == row["gap"] - row["gap_previous_year"]
        assert set(row["territories"]) == set(now)


@given(st.lists(st.integers(min_value=-10**6, max_value=10**6), min_size=2, max_size=2))
def test_for_two_the_gap_is_the_absolute_difference(pair):
    assert gap(pair) == abs(pair[0] - pair[1])


def test_the_previous_year_ends_at_midnight_in_rome():
    # 31 Dec 23:30 UTC is already 1 January in Rome: the previous year is the one just ended.
    assert end_of_previous_year(datetime(2025, 12, 31, 23, 30, tzinfo=timezone.utc)) == datetime(
        2025, 12, 31, 23, 0, tzinfo=timezone.utc)
    assert end_of_previous_year(datetime(2026, 6, 1, tzinfo=timezone.utc)) == datetime(
        2025, 12, 31, 23, 0, tzinfo=timezone.utc)
