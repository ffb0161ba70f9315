"""Reading event fields: the value in the type a projector needs, or a ValueError naming the field.

A ValueError (or KeyError for a missing field) raised by a projector sends the
event to the dead-letter topic with that reason; the consumer goes on.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime


def text(data: dict, field: str) -> str:
    value = data[field]
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a string, got {type(value).__name__}")
    return value


def optional_text(data: dict, field: str) -> str | None:
    return None if data.get(field) is None else text(data, field)


def integer(data: dict, field: str, default: int | None = None) -> int:
    value = data.get(field, default) if default is not None else data[field]
    # bool is an int in Python, never a version or a population
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{field} must be an integer, got {type(value).__name__}")
    return value


def a_uuid(data: dict, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(text(data, field))
    except ValueError:
        raise ValueError(f"{field} is not a UUID") from None


def timestamp(data: dict, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(text(data, field))
    except ValueError:
        raise ValueError(f"{field} is not an ISO 8601 timestamp") from None
    if value.tzinfo is None:
        raise ValueError(f"{field} has no time zone")
    return value


def a_date(data: dict, field: str) -> date:
    try:
        return date.fromisoformat(text(data, field))
    except ValueError:
        raise ValueError(f"{field} is not an ISO 8601 date") from None


def texts(data: dict, field: str) -> list[str]:
    """A list of strings; absent means empty (fields added later are absent in old events)."""
    value = data.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{field} must be a list of strings")
    return list(value)
