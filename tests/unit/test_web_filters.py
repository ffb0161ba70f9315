"""The pages' Italian filters: data, data_ora (Italian time, summer and winter), euro, numero."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from shared.web.filters import data, data_ora, euro, numero


def test_dates_are_numeric_and_in_italian_time():
    assert data(date(2026, 11, 27)) == "27/11/2026"
    assert data(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == "01/01/2027"   # already new year in Rome
    assert data_ora(datetime(2026, 11, 27, 16, 5, tzinfo=timezone.utc)) == "27/11/2026 17:05"   # CET
    assert data_ora(datetime(2026, 7, 1, 16, 5, tzinfo=timezone.utc)) == "01/07/2026 18:05"     # CEST
    assert data(None) == data_ora(None) == ""


def test_money_and_numbers_are_written_the_italian_way():
    assert euro(Decimal("1234.5")) == "1.234,50 €"
    assert euro(Decimal("-1000000")) == "-1.000.000,00 €"
    assert euro("0.005") == "0,00 €"   # half to even, never through a float
    assert numero(1234567) == "1.234.567"
    assert numero(Decimal("12345.25")) == "12.345,25"
    assert euro(None) == numero(None) == ""


def test_money_refuses_a_float():
    with pytest.raises(TypeError):
        euro(0.1)


def test_the_layout_registers_them_under_their_pinned_names():
    from shared.web.filters import FILTERS
    assert set(FILTERS) == {"data", "data_ora", "euro", "numero"}
