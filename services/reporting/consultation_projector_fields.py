"""Reading consultation's event fields for reporting's projectors: each reader names the field it refuses.

Tolerant readers: a projector reads only the fields it keeps; a missing or malformed one is a ValueError
naming the field, so the consumer sends the event to the dead-letter topic with that reason. The readers
are shared/events/readers.py's; the ones of a required field here make a missing field a ValueError
("planned_end is missing", as the tests want) rather than readers' KeyError.
"""
from __future__ import annotations

import uuid
from functools import partial

from shared.events import readers
from shared.events.readers import missing_as_value_error
from shared.events.readers import optional_amount, optional_text, optional_timestamp, optional_uuid  # noqa: F401

_MISSING = object()

uuid_ = missing_as_value_error(readers.a_uuid)
text = partial(missing_as_value_error(readers.text), empty=False)  # a status, a kind, an area: never ""
string = missing_as_value_error(readers.text)  # a title: consultation's schemas do not forbid an empty one
integer = partial(missing_as_value_error(readers.integer), minimum=0)  # or the caller's `minimum`
optional_integer = partial(readers.optional_integer, minimum=0)
timestamp = missing_as_value_error(readers.timestamp)
day = missing_as_value_error(readers.a_date)
optional_day = readers.optional_date


def raw(data: dict, field: str):
    """The field's value; a missing field is a ValueError naming it."""
    value = data.get(field, _MISSING)
    if value is _MISSING:
        raise ValueError(f"{field} is missing")
    return value


def uuids(data: dict, field: str, *, default=_MISSING) -> list[uuid.UUID]:
    """The field as a list of UUIDs (in their order, without repeats).

    Not readers.uuids: absent is an error unless a default is given, and a repeated id counts once."""
    value = data.get(field, default) if default is not _MISSING else raw(data, field)
    if not isinstance(value, list):
        raise ValueError(f"{field} must be a list of UUIDs")
    return list(dict.fromkeys(readers.a_uuid({field: v}, field) for v in value))


def strings(data: dict, field: str, *, default=_MISSING) -> list[str]:
    """The field as a list of strings (not readers.texts: absent or null is an error unless a default is given)."""
    value = data.get(field, default) if default is not _MISSING else raw(data, field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{field} must be a list of strings")
    return list(value)


def boolean(data: dict, field: str) -> bool:
    value = raw(data, field)
    if not isinstance(value, bool):
        raise ValueError(f"{field} must be true or false")
    return value
