import pytest

from services.registry.taxcodes import InvalidTaxCode, is_personal_tax_code, normalise_tax_code


@pytest.mark.parametrize("raw, expected", [
    ("RSSMRA85T10A562S", "RSSMRA85T10A562S"),     # codice fiscale of a person
    ("rssmra85t10a562s", "RSSMRA85T10A562S"),
    ("01114601006", "01114601006"),               # partita IVA (check digit valid)
    (" 0111 4601 006 ", "01114601006"),
])
def test_valid_codes_are_normalised(raw, expected):
    assert normalise_tax_code(raw) == expected


@pytest.mark.parametrize("raw", ["01114601007", "RSSMRA85T10A562X", "123", "", "ABCDEFGHIJK"])
def test_invalid_codes_are_refused(raw):
    with pytest.raises(InvalidTaxCode):
        normalise_tax_code(raw)


def test_a_person_code_is_personal_data():
    assert is_personal_tax_code("RSSMRA85T10A562S")
    assert not is_personal_tax_code("01114601006")
