"""Numbers of number questions: Decimal inside, strings in JSON ("12", "-3.25"), never float. Pure."""
from __future__ import annotations

import re
from decimal import Decimal

# Up to 15 integer digits and 6 decimals, an optional minus: exact in PostgreSQL jsonb and in Decimal.
PATTERN = r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$"
_RE = re.compile(PATTERN)


class NotANumber(ValueError):
    """The value is not a number this service accepts."""


def parse(value, *, integer: bool = False) -> Decimal:
    """A Decimal from a string such as "12" or "3.75"; a JSON number is refused (it may be a float)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise NotANumber("a number is written as a string such as \"12\" or \"3.75\", never as a JSON number")
    if not _RE.fullmatch(value):
        raise NotANumber("up to 15 digits and 6 decimals, e.g. \"12\" or \"-3.75\"")
    if integer and "." in value:
        raise NotANumber("a whole number, without decimals")
    return Decimal(value)


def format_number(value: Decimal) -> str:
    """The number as the API writes it: no exponent, no trailing zeros after the point ("3.5", "12", "0")."""
    if not isinstance(value, Decimal):
        raise TypeError(f"a number must be a Decimal, got {type(value).__name__}")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
