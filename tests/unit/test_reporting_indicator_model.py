"""The indicator contract: periods as ISO years and quarters, bounds in Italian time, definitions checked."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from services.reporting.indicators.model import BadPeriod, Definition, Period


@given(year=st.integers(2000, 2099), quarter=st.one_of(st.none(), st.integers(1, 4)))
def test_a_period_reads_back_what_it_writes_and_its_days_tile_the_year(year, quarter):
    period = Period(year, quarter)
    assert Period.parse(str(period)) == period
    assert period.first_day <= period.last_day and period.start < period.end
    if quarter is not None:
        assert period.first_day.year == period.last_day.year == year
        following = Period(year, quarter + 1) if quarter < 4 else None
        if following:
            assert following.first_day == date.fromordinal(period.last_day.toordinal() + 1)


@pytest.mark.parametrize("text", ["", "25", "2025-Q5", "2025-Q0", "2025Q1", "2025-q1", "1999", " 2025"])
def test_anything_else_is_not_a_period(text):
    with pytest.raises(BadPeriod):
        Period.parse(text)


def test_the_second_quarter_ends_on_the_30th_of_june_at_midnight_in_rome():
    q2 = Period.parse("2025-Q2")
    assert (q2.first_day, q2.last_day) == (date(2025, 4, 1), date(2025, 6, 30))
    assert q2.end.isoformat() == "2025-07-01T00:00:00+02:00"


def test_a_definition_with_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        Definition(code="spesa", name="Spesa", unit="lire", kind="flow", formula="…", source_events=())
