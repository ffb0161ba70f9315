"""Italian formatting of what the documents show: dates, times, numbers, money. Pure functions."""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
          "ottobre", "novembre", "dicembre")
CENT = Decimal("0.01")


def _rome(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time without its zone cannot be shown in Italian time")
    return value.astimezone(ROME)


def day(value: date | datetime | None) -> str:
    """'27 novembre 2026' (an instant is read in Europe/Rome); '' for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _rome(value).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def clock(value: datetime | None) -> str:
    """'17:05' in Europe/Rome; '' for None."""
    return "" if value is None else _rome(value).strftime("%H:%M")


def moment(value: datetime | None) -> str:
    """'27 novembre 2026, ore 17:05' in Europe/Rome; '' for None."""
    return "" if value is None else f"{day(value)}, ore {clock(value)}"


def _group(digits: str) -> str:
    """'1234567' -> '1.234.567' (thousands separated by a dot, as Italian writes them)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


def number(value: int | None) -> str:
    """An integer as Italians write it: '1.234', '-12.000'; '' for None."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("number() formats integers; use money() for amounts")
    sign = "-" if value < 0 else ""
    return sign + _group(str(abs(value)))


def money(value: Decimal | None) -> str:
    """An amount in euro: '1.234,56 €' (rounded to the cent, half to even); '' for None. Never a float."""
    if value is None:
        return ""
    if isinstance(value, float) or not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        raise TypeError("money() takes a Decimal (never a float)")
    cents = Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)
    sign = "-" if cents < 0 else ""
    units, _, fraction = str(abs(cents)).partition(".")
    return f"{sign}{_group(units)},{fraction} €"
