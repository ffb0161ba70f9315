"""Reading consultation's event fields for reporting's projectors: each reader names the field it refuses.

Tolerant readers: a projector reads only the fields it keeps; a missing or malformed one is a ValueError
naming the field, so the consumer sends the event to the dead-letter topic with that reason.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from shared.money import parse_amount

_MISSING = object()


def raw(data: dict, field: str):
    """The field's value; a missing field is a ValueError naming it."""
    value = data.get(field, _MISSING)
    if value is _MISSING:
        raise ValueError(f"{field} is missing")
    return value


def uuid_(data: dict, field: str) -> uuid.UUID:
    """The field as a UUID."""
    return _as_uuid(raw(data, field), field)


def optional_uuid(data: dict, field: str) -> uuid.UUID | None:
    """The field as a UUID, or None when it is null or absent."""
    value = data.get(field)
    return None if value is None else _as_uuid(value, field)


def _as_uuid(value, field: str) -> uuid.UUID:
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a UUID string, got {type(value).__name__}")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"{field} is not a UUID") from None


def uuids(data: dict, field: str, *, default=_MISSING) -> list[uuid.UUID]:
    """The field as a list of UUIDs (in their order, without repeats)."""
    value = data.get(field, default) if default is not _MISSING else raw(data, field)
    if not isinstance(value, list):
        raise ValueError(f"{field} must be a list of UUIDs")
    return list(dict.fromkeys(_as_uuid(v, field) for v in value))


def strings(data: dict, field: str, *, default=_MISSING) -> list[str]:
    """The field as a list of strings."""
    value = data.get(field, default) if default is not _MISSING else raw(data, field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{field} must be a list of strings")
    return list(value)


def text(data: dict, field: str) -> str:
    """The field as a non-empty string."""
    value = raw(data, field)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{field} must be a non-empty string")
    return value


def string(data: dict, field: str) -> str:
    """The field as a string, possibly empty (a title: consultation's schemas do not forbid an empty one)."""
    value = raw(data, field)
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a string")
    return value


def optional_text(data: dict, field: str) -> str | None:
    value = data.get(field)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{field} must be a string or null")
    return value


def integer(data: dict, field: str, *, minimum: int = 0) -> int:
    """The field as an integer not below `minimum` (a boolean is not an integer)."""
    value = raw(data, field)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{field} must be an integer >= {minimum}")
    return value


def optional_integer(data: dict, field: str) -> int | None:
    return None if data.get(field) is None else integer(data, field)


def boolean(data: dict, field: str) -> bool:
    value = raw(data, field)
    if not isinstance(value, bool):
        raise ValueError(f"{field} must be true or false")
    return value


def timestamp(data: dict, field: str) -> datetime:
    """The field as an aware ISO 8601 instant."""
    return _as_timestamp(raw(data, field), field)


def optional_timestamp(data: dict, field: str) -> datetime | None:
    value = data.get(field)
    return None if value is None else _as_timestamp(value, field)


def _as_timestamp(value, field: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{field} must be an ISO 8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{field} has no time zone")  # a naive instant would be read in the server's zone
    return parsed


def day(data: dict, field: str) -> date:
    return _as_day(raw(data, field), field)


def optional_day(data: dict, field: str) -> date | None:
    value = data.get(field)
    return None if value is None else _as_day(value, field)


def _as_day(value, field: str) -> date:
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a YYYY-MM-DD string")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} is not a YYYY-MM-DD day") from None


def optional_amount(data: dict, field: str) -> Decimal | None:
    """A euro amount (a string with two decimals) or None."""
    value = data.get(field)
    if value is None:
        return None
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}") from None
