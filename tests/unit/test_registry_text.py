"""Pure text rules of the registry's edge: LIKE patterns and NFC normalisation (no I/O)."""
import unicodedata

import pytest
from marshmallow import Schema, ValidationError

from services.registry.text import NFCString, contains_pattern


@pytest.mark.parametrize("text, pattern", [
    ("coop", "%coop%"),
    ("100%", "%100\\%%"),
    ("a_b", "%a\\_b%"),
    ("back\\slash", "%back\\\\slash%"),
    ("  spaced  ", "%spaced%"),
])
def test_a_contains_pattern_escapes_like_wildcards(text, pattern):
    assert contains_pattern(text) == pattern


def test_a_blank_search_is_no_pattern():
    assert contains_pattern("   ") is None and contains_pattern(None) is None


class Named(Schema):
    name = NFCString(required=True)
    note = NFCString(load_default=None, allow_none=True)


def test_an_nfc_string_composes_what_it_loads():
    decomposed = unicodedata.normalize("NFD", "Perché più")
    loaded = Named().load({"name": decomposed, "note": None})
    assert loaded == {"name": "Perché più", "note": None}
    assert unicodedata.is_normalized("NFC", loaded["name"])


def test_an_nfc_string_still_refuses_what_a_string_refuses():
    with pytest.raises(ValidationError) as error:
        Named().load({"name": 42})
    assert "name" in error.value.messages
