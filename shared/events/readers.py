"""Reading event fields: the value in the type a projector needs, or a ValueError naming the field.

A ValueError (or KeyError for a missing field) raised by a projector sends the
event to the dead-letter topic with that reason; the consumer goes on. These are
the tolerant readers of every service's projectors (DESIGN.md §3: a consumer
reads only the fields it needs).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Callable, TypeVar

import psycopg
from psycopg.types.json import JsonbDumper

from shared.money import NotAnAmount, parse_amount


class JsonList(list):
    """A list a projector writes into a jsonb column.

    The consumer writes a row alone with psycopg's parameters and a batch of rows as one JSON
    document (shared/consumer/rows.py): a plain list of objects fits the second but not the first
    (psycopg would make it an array), Jsonb the first but not the second. A list subclass is a
    JSON array to both, once psycopg dumps it as jsonb (registered below, for every connection).
    """


psycopg.adapters.register_dumper(JsonList, JsonbDumper)

T = TypeVar("T")


def text(data: dict, field: str, *, empty: bool = True) -> str:
    """A string; empty=False refuses "" too (a status, a code: an empty one says nothing)."""
    value = data[field]
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a string, got {type(value).__name__}")
    if not empty and not value:
        raise ValueError(f"{field} must be a non-empty string")
    return value


def optional_text(data: dict, field: str) -> str | None:
    return None if data.get(field) is None else text(data, field)


def integer(data: dict, field: str, default: int | None = None, *, minimum: int | None = None) -> int:
    """An integer; with `minimum`, one below it is refused too (a count, a population, a version)."""
    value = data.get(field, default) if default is not None else data[field]
    # bool is an int in Python, never a version or a population
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{field} must be an integer, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{field} must be an integer >= {minimum}, got {value}")
    return value


def optional_integer(data: dict, field: str, *, minimum: int | None = None) -> int | None:
    return None if data.get(field) is None else integer(data, field, minimum=minimum)


def a_uuid(data: dict, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(text(data, field))
    except ValueError:
        raise ValueError(f"{field} is not a UUID") from None


def optional_uuid(data: dict, field: str) -> uuid.UUID | None:
    return None if data.get(field) is None else a_uuid(data, field)


def uuids(data: dict, field: str) -> list[uuid.UUID]:
    """A list of UUIDs; absent means empty."""
    try:
        return [uuid.UUID(v) for v in texts(data, field)]
    except ValueError:
        raise ValueError(f"{field} must be a list of UUIDs") from None


def timestamp(data: dict, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(text(data, field))
    except ValueError:
        raise ValueError(f"{field} is not an ISO 8601 timestamp") from None
    if value.tzinfo is None:
        raise ValueError(f"{field} has no time zone")
    return value


def optional_timestamp(data: dict, field: str) -> datetime | None:
    return None if data.get(field) is None else timestamp(data, field)


def a_date(data: dict, field: str) -> date:
    try:
        return date.fromisoformat(text(data, field))
    except ValueError:
        raise ValueError(f"{field} is not an ISO 8601 date") from None


def optional_date(data: dict, field: str) -> date | None:
    return None if data.get(field) is None else a_date(data, field)


def texts(data: dict, field: str) -> list[str]:
    """A list of strings; absent means empty (fields added later are absent in old events)."""
    value = data.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{field} must be a list of strings")
    return list(value)


def optional_amount(data: dict, field: str) -> Decimal | None:
    """A euro amount written as a string ("18500.00"), or None; a number is refused (never float)."""
    if data.get(field) is None:
        return None
    try:
        return parse_amount(data[field])
    except NotAnAmount as exc:
        raise ValueError(f"{field}: {exc}") from None


def amount(data: dict, field: str) -> Decimal:
    """A euro amount written as a string ("18500.00"); a number is refused (never float)."""
    try:
        return parse_amount(data[field])
    except NotAnAmount as exc:
        raise ValueError(f"{field}: {exc}") from None


def missing_as_value_error(reader: Callable[..., T]) -> Callable[..., T]:
    """`reader`, with a missing field a ValueError naming it instead of a KeyError.

    For projectors that catch ValueError alone to say where a nested field is ("comuni.0.population"),
    and for reporting's consultation projectors, whose tests want a ValueError for a missing field.
    """
    def read(data: dict, field: str, **options) -> T:
        if field not in data:
            raise ValueError(f"{field} is missing")
        return reader(data, field, **options)
    return read
