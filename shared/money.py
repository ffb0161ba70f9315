"""Euro amounts as every service handles them: Decimal with two places, written as strings, never float."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# What the API accepts and what NUMERIC(14,2) holds: up to 12 integer digits, at most 2 decimals, >= 0.
PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"
_RE = re.compile(PATTERN)
CENT = Decimal("0.01")
MAX = Decimal("999999999999.99")


class NotAnAmount(ValueError):
    """The value is not a euro amount this service accepts."""


def parse_amount(value) -> Decimal:
    """A Decimal from a string such as "1250.50" (a float is refused: it cannot be an exact amount)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise NotAnAmount("an amount is a string such as \"1250.50\", never a number")
    if not _RE.fullmatch(value):
        raise NotAnAmount("an amount has up to 12 digits, at most 2 decimals, no sign: e.g. \"1250.50\"")
    try:
        return Decimal(value).quantize(CENT)
    except InvalidOperation as exc:  # not reachable through the pattern, kept so that no input escapes
        raise NotAnAmount(str(exc)) from None


def format_amount(value: Decimal) -> str:
    """The amount as the API and the events write it: two decimals, e.g. "1250.50"."""
    if not isinstance(value, Decimal):
        raise TypeError(f"an amount must be a Decimal, got {type(value).__name__}")
    return str(value.quantize(CENT))
