"""shared/events/readers.py: the value in the type a projector needs, or a ValueError naming the field."""
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from shared.events import readers

ID = "6f1c2a3e-8b7d-4e5f-9a0b-1c2d3e4f5a6b"


@pytest.mark.parametrize("reader, value, expected", [
    (readers.text, "", ""),
    (readers.integer, 0, 0),
    (readers.optional_integer, None, None),
    (readers.optional_integer, 3, 3),
    (readers.a_uuid, ID, uuid.UUID(ID)),
    (readers.optional_uuid, None, None),
    (readers.timestamp, "2026-03-02T10:00:00+01:00",
     datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=1)))),
    (readers.optional_timestamp, None, None),
    (readers.a_date, "2026-03-02", date(2026, 3, 2)),
    (readers.optional_date, "2026-03-02", date(2026, 3, 2)),
    (readers.optional_date, None, None),
    (readers.amount, "18500.5", Decimal("18500.50")),
    (readers.optional_amount, None, None),
])
def test_a_good_value_is_read(reader, value, expected):
    assert reader({"f": value}, "f") == expected


@pytest.mark.parametrize("reader", [readers.optional_integer, readers.optional_date, readers.optional_uuid,
                                    readers.optional_timestamp, readers.optional_amount, readers.optional_text])
def test_an_optional_field_may_be_absent(reader):
    assert reader({}, "f") is None


@pytest.mark.parametrize("reader, value", [
    (readers.integer, True), (readers.integer, "3"), (readers.optional_integer, 2.5),
    (readers.a_uuid, 5), (readers.a_uuid, "x"),
    (readers.timestamp, "2026-03-02T10:00:00"), (readers.timestamp, 20260302),
    (readers.a_date, "2026-13-01"), (readers.optional_date, "31/05/2026"), (readers.optional_date, 20260531),
    (readers.amount, 18500.0), (readers.amount, "18,500"), (readers.amount, None),
])
def test_a_bad_value_is_a_value_error_naming_the_field(reader, value):
    with pytest.raises(ValueError, match="^field_name"):
        reader({"field_name": value}, "field_name")


@pytest.mark.parametrize("reader", [readers.text, readers.integer, readers.a_uuid, readers.timestamp,
                                    readers.a_date, readers.amount])
def test_a_missing_required_field_is_a_key_error(reader):
    with pytest.raises(KeyError):
        reader({}, "f")


def test_text_refuses_an_empty_string_only_when_asked():
    assert readers.text({"f": ""}, "f") == ""
    with pytest.raises(ValueError, match="f must be a non-empty string"):
        readers.text({"f": ""}, "f", empty=False)
    assert readers.text({"f": "x"}, "f", empty=False) == "x"


@pytest.mark.parametrize("reader", [readers.integer, readers.optional_integer])
def test_an_integer_below_the_minimum_is_refused(reader):
    assert reader({"f": -1}, "f") == -1  # no minimum: any integer
    assert reader({"f": 0}, "f", minimum=0) == 0
    with pytest.raises(ValueError, match="f must be an integer >= 0"):
        reader({"f": -1}, "f", minimum=0)


def test_missing_as_value_error_names_the_missing_field_and_passes_options_on():
    text = readers.missing_as_value_error(readers.text)
    with pytest.raises(ValueError, match="^f is missing$"):
        text({}, "f")
    with pytest.raises(ValueError, match="non-empty"):
        text({"f": ""}, "f", empty=False)
    assert text({"f": "x"}, "f") == "x"
    # present but null is the reader's to judge, not a missing field
    with pytest.raises(ValueError, match="f must be a string, got NoneType"):
        text({"f": None}, "f")
