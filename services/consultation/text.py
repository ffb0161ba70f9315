"""Search terms at consultation's edge: one Unicode form, and wildcards that are only text."""
from __future__ import annotations

import unicodedata

from marshmallow import fields


class NFCString(fields.String):
    """A string loaded in Unicode NFC (the registry stores names in NFC, so a decomposed "è" still matches)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs))


def contains_pattern(text: str | None) -> str | None:
    """A LIKE pattern for values containing `text` as typed (its %, _ and \\ match only themselves); None if blank."""
    term = (text or "").strip()
    if not term:
        return None
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
