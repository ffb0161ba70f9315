"""Euro amounts as an Italian office types them: "1.234,56" (and "1234.56", "1234,56", "€ 1.234"), to a Decimal.

What is wrong is said in Italian, at the field. The amount then meets the same rule as the API's (shared/money.py:
at most 12 integer digits, two decimals). Budget's forms use the `ItalianAmount` field; consultation's turn the
typed cost into the API's text with `parse_italian_amount`.
"""
from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

from shared import money

FORMAT = _l("Scrivi l'importo in euro con la virgola per i centesimi, ad esempio 1.234,56 (oppure 1234.56).")
NEGATIVE = _l("L'importo non può essere negativo.")
CENTS = _l("Al massimo due decimali: i centesimi (ad esempio 1.234,56).")
TOO_LARGE = _l("Importo troppo grande: al massimo 999.999.999.999,99 €.")
# "1.234.567" or "1234567": the integer part, Italian thousands dots in groups of three or none.
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_PLAIN = re.compile(r"[0-9]+")
_DECIMALS = re.compile(r"[0-9]+")


class NotItalianAmount(ValueError):
    """The text is not an amount; the message (Italian) says why."""


def parse_italian_amount(text: str) -> Decimal:
    """'1.234,56' -> Decimal('1234.56'); also '1234.56', '1234,5', '1.234', '€ 1 234,56'. Refusals in Italian."""
    cleaned = text.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if cleaned.startswith("-"):
        raise NotItalianAmount(str(NEGATIVE))
    cleaned = cleaned.lstrip("+")
    if "," in cleaned:                       # Italian: the comma is the decimal separator
        whole, _, cents = cleaned.rpartition(",")
        if "," in whole or "." in cents:
            raise NotItalianAmount(str(FORMAT))
    elif cleaned.count(".") == 1 and not _GROUPED.fullmatch(cleaned):
        whole, _, cents = cleaned.partition(".")   # "1234.56": a decimal point (never three decimals)
    else:
        whole, cents = cleaned, ""            # "1.234" is one thousand two hundred and thirty-four
    if not whole or not (_PLAIN.fullmatch(whole) or _GROUPED.fullmatch(whole)):
        raise NotItalianAmount(str(FORMAT))
    if cents and not _DECIMALS.fullmatch(cents):
        raise NotItalianAmount(str(FORMAT))
    if len(cents) > 2:
        raise NotItalianAmount(str(CENTS))
    digits = whole.replace(".", "").lstrip("0") or "0"
    try:
        return money.parse_amount(digits + (f".{cents}" if cents else ""))
    except money.NotAnAmount:
        raise NotItalianAmount(str(TOO_LARGE)) from None


class ItalianAmount(fields.String):
    """A form's euro amount in Italian format: a Decimal inside, its refusal in Italian."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_italian_amount(text)
        except NotItalianAmount as exc:
            raise ValidationError(str(exc)) from None


def typed(amount: Decimal) -> str:
    """The amount as a form field shows it back: '1234,56' (what parse_italian_amount reads)."""
    return format(amount.quantize(money.CENT), "f").replace(".", ",")
