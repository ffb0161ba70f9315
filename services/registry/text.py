"""Free text at the registry's edge: one Unicode form, and search terms that are only text."""
from __future__ import annotations

import unicodedata

from marshmallow import fields


class NFCString(fields.String):
    """A string loaded in Unicode NFC, so that a decomposed "è" (e + U+0300) and a composed one are the same."""

    def _deserialize(self, value, attr, data, **kwargs):
        return unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs))


def contains_pattern(text: str | None) -> str | None:
    """A LIKE pattern matching values that contain `text` as typed: its `%`, `_` and `\\` match only themselves.

    PostgreSQL's LIKE escapes with a backslash by default; None when there is nothing to search for."""
    term = (text or "").strip()
    if not term:
        return None
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
