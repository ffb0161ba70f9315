"""The marshmallow field for euro amounts at the HTTP edge (shared/money.py holds the rule)."""
from __future__ import annotations

from marshmallow import ValidationError, fields

from shared import money


class Amount(fields.String):
    """A euro amount: a string such as "1250.50" in JSON, a Decimal inside; a JSON number is refused."""

    def __init__(self, **kwargs):
        metadata = {"description": "Importo in euro: stringa con al più 2 decimali, es. \"1250.50\" (mai un numero)",
                    "example": "1250.50", "pattern": money.PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("An amount is a string such as \"1250.50\", never a number.")
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return money.parse_amount(text)
        except money.NotAnAmount as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else money.format_amount(value)
