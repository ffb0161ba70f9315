"""The pages' Jinja filters for dates, times, money and numbers, in Italian. Pure functions.

Money and integers reuse shared.documents.italian (the documents and the public portal write them
the same way); dates are numeric here (27/11/2026), as forms and tables show them; an instant is
shown in Italian time (Europe/Rome).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from babel.numbers import format_decimal

from shared.documents import italian

ROME = italian.ROME


def _rome(value: datetime) -> datetime:
    # A naive time is taken as UTC, as the database's timestamptz values reach Python aware anyway.
    return value.astimezone(ROME) if value.tzinfo else value.replace(tzinfo=timezone.utc).astimezone(ROME)


def data(value: date | datetime | None) -> str:
    """'27/11/2026'; '' for None (an instant: its day in Italy)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _rome(value).date()
    return value.strftime("%d/%m/%Y")


def data_ora(value: datetime | None) -> str:
    """'27/11/2026 17:05' in Italian time; '' for None."""
    if value is None or value == "":
        return ""
    return _rome(value).strftime("%d/%m/%Y %H:%M")


def euro(value: Decimal | int | str | None) -> str:
    """'1.234,56 €' (never through a float); '' for None."""
    if value is None or value == "":
        return ""
    return italian.money(Decimal(value) if isinstance(value, str) else value)


def numero(value: int | Decimal | float | None) -> str:
    """'1.234' or '1.234,5' (Italian separators); '' for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return italian.number(value)
    return format_decimal(value, locale="it_IT", group_separator=True)


FILTERS = {"data": data, "data_ora": data_ora, "euro": euro, "numero": numero}
