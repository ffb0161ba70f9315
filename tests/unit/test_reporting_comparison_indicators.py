"""Every indicator's comparison of a merged Ambito's former territories, pure: fake figures, no database."""
from decimal import Decimal

from hypothesis import given, strategies as st

from services.reporting.comparison_indicators import (ADDITIVE_UNITS, as_json, by_dimension, compare, comparable,
                                                      gap, previous_period)
from services.reporting.indicators.model import UNITS, Period

D = Decimal
NONE = ()
FNPS = (("fund", "FNPS"),)


def test_the_previous_period_is_the_same_one_a_year_before():
    assert str(previous_period(Period.parse("2025-Q2"))) == "2024-Q2"
    assert str(previous_period(Period.parse("2025"))) == "2024"


def test_gap_and_its_change_per_dimension():
    now = by_dimension([("a", {"fund": "FNPS"}, D("12.50")), ("b", {"fund": "FNPS"}, D("7.25"))])
    before = by_dimension([("a", {"fund": "FNPS"}, D("10.00")), ("b", {"fund": "FNPS"}, D("2.00"))])
    [row] = compare(territories=["a", "b"], now=now, before=before, additive=False)
    assert row == {"dimension": {"fund": "FNPS"}, "territories": {"a": D("12.50"), "b": D("7.25")},
                   "previous_year": {"a": D("10.00"), "b": D("2.00")}, "gap": D("5.25"),
                   "gap_previous_year": D("8.00"), "gap_change": D("-2.75")}
    assert as_json(row)["gap_change"] == "-2.75" and as_json(row)["territories"] == {"a": "12.50", "b": "7.25"}


def test_a_missing_count_is_zero():
    now = {FNPS: {"a": D(3)}}
    [row] = compare(territories=["a", "b"], now=now, before={}, additive=True)
    assert row["territories"] == {"a": D(3), "b": D(0)} and row["gap"] == D(3)
    assert row["previous_year"] == {"a": D(0), "b": D(0)} and row["gap_previous_year"] == 0
    assert row["gap_change"] == D(3)


def test_a_missing_ratio_is_not_available_and_so_is_its_gap():
    now = {NONE: {"a": D("4.10")}}
    before = {NONE: {"a": D("1.00"), "b": D("3.00")}}
    [row] = compare(territories=["a", "b"], now=now, before=before, additive=False)
    assert row["territories"] == {"a": D("4.10"), "b": None} and row["gap"] is None
    assert row["gap_previous_year"] == D("2.00") and row["gap_change"] is None
    assert as_json(row)["territories"] == {"a": "4.10", "b": None} and as_json(row)["gap"] is None


def test_a_dimension_only_a_year_before_is_still_listed():
    rows = compare(territories=["a", "b"], now={FNPS: {"a": D(1), "b": D(1)}},
                   before={(("fund", "FNA"),): {"b": D(5)}}, additive=True)
    assert [r["dimension"] for r in rows] == [{"fund": "FNA"}, {"fund": "FNPS"}]
    assert rows[0]["territories"] == {"a": 0, "b": 0} and rows[0]["gap_change"] == D(-5)
    assert rows[1]["gap"] == 0 and rows[1]["gap_change"] == 0


def test_which_units_are_comparable_as_they_are():
    assert {u for u in UNITS if comparable(u)} == {"EUR/abitante", "percentuale"}
    assert ADDITIVE_UNITS <= UNITS and not any(comparable(u) for u in ADDITIVE_UNITS)


values = st.one_of(st.none(), st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False))
side = st.dictionaries(st.sampled_from(["a", "b", "c"]), values)
figures = st.dictionaries(st.sampled_from([NONE, FNPS, (("fund", "FNA"),)]), side)


@given(figures, figures, st.booleans())
def test_gap_is_max_minus_min_of_complete_sides_and_change_is_exact(now, before, additive):
    territories = ["a", "b", "c"]
    rows = compare(territories=territories, now=now, before=before, additive=additive)
    assert [tuple(sorted(r["dimension"].items())) for r in rows] == sorted(set(now) | set(before))
    for row in rows:
        key = tuple(sorted(row["dimension"].items()))
        for t in territories:   # an absent territory: 0 for a count, not available for a ratio
            assert row["territories"][t] == now.get(key, {}).get(t, D(0) if additive else None)
        assert list(row["territories"]) == territories and list(row["previous_year"]) == territories
        for side_, the_gap in ((row["territories"], row["gap"]), (row["previous_year"], row["gap_previous_year"])):
            if any(v is None for v in side_.values()):
                assert the_gap is None
            else:
                assert the_gap == max(side_.values()) - min(side_.values()) >= 0
        if row["gap"] is None or row["gap_previous_year"] is None:
            assert row["gap_change"] is None
        else:
            assert row["gap_change"] == row["gap"] - row["gap_previous_year"]


def test_gap_of_nothing_or_of_a_missing_value_is_none():
    assert gap([]) is None and gap([D(1), None]) is None and gap([D(2)]) == 0


def test_the_demo_prints_a_comparable_figure_both_territories_have_first():
    from shared.cli.demo_merged import _by_indicator

    def entry(name, unit, comparable_, figures_):
        return {"name": name, "unit": unit, "comparable": comparable_, "figures": figures_}

    def fig(a, b, gap_, dimension=None):
        return {"dimension": dimension or {}, "territories": {"a": a, "b": b}, "gap": gap_,
                "gap_previous_year": "0", "gap_change": gap_}
    body = {"period": "2026", "previous_period": "2025", "by_indicator": [
        entry("Soggetti attivi", "numero", False, [fig("90", "10", "80")]),
        entry("Spesa per abitante", "EUR/abitante", True, [fig("3.10", None, None, {"fund": "FNA"}),
                                                            fig("4.00", "1.50", "2.50", {"fund": "FNPS"})])]}
    [line] = _by_indicator(body)
    assert "«Spesa per abitante FNPS» (EUR/abitante): a 4.00, b 1.50; divario 2.50 (2025: 0" in line
    assert "2 indicatori del catalogo, 1 confrontabili" in line
    assert _by_indicator({"indicators": []}) == []
