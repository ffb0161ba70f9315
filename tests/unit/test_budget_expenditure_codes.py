"""CUP and CIG checks (services/budget/expenditure/codes.py): real codes pass, typing errors are caught."""
import string

import pytest
from hypothesis import assume, given, strategies as st

from services.budget.expenditure import codes, domain

HEX = "0123456789ABCDEF"
ALNUM = string.ascii_uppercase + string.digits


def standard_cig(progressive: int) -> str:
    return f"{progressive:07d}{codes.standard_check(progressive)}"


def smart_cig(initial: str, number: int) -> str:
    return f"{initial}{codes.smart_check(number)}{number:07X}"


# Published in acts and in ANAC's open data (see the module's notes); none was made up for the test.
@pytest.mark.parametrize("cig", ["8527277397", "95156957EC", "Z1E31EB332"])
def test_real_cigs_pass(cig):
    assert codes.cig_problem(cig) is None


@pytest.mark.parametrize("cig, why", [
    ("8527277398", "check characters"),        # last character mistyped
    ("8527277937", "check characters"),        # two characters swapped
    ("0000000000", "0000000"),
    ("Z1E31EB333", "check characters"),
    ("Z000000000", "0000000"),
    ("1234567GHI", "not a CIG"),               # check part not hexadecimal
    ("AB12345XYZ", "not a CIG"),
    ("852727739", "10 characters"),
    ("8527277397A", "10 characters"),
    ("852727739a", "uppercase"),
])
def test_wrong_cigs_say_why(cig, why):
    assert why in codes.cig_problem(cig)


@given(st.integers(min_value=1, max_value=9_999_999))
def test_every_standard_cig_built_by_the_rule_passes(progressive):
    assert codes.cig_problem(standard_cig(progressive)) is None


@given(st.integers(min_value=1, max_value=9_999_999), st.integers(min_value=0, max_value=6),
       st.sampled_from(string.digits))
def test_one_mistyped_digit_of_a_standard_cig_is_caught(progressive, position, digit):
    cig = standard_cig(progressive)
    assume(cig[position] != digit)
    typo = cig[:position] + digit + cig[position + 1:]
    assume(int(typo[:7]) != 0)
    # 4091 is prime and larger than any one-digit change (d * 10^k), so the check always moves.
    assert codes.cig_problem(typo) is not None


@given(st.integers(min_value=1, max_value=9_999_999), st.integers(min_value=7, max_value=9), st.sampled_from(HEX))
def test_one_mistyped_check_character_is_caught(progressive, position, char):
    cig = standard_cig(progressive)
    assume(cig[position] != char)
    assert codes.cig_problem(cig[:position] + char + cig[position + 1:]) is not None


@given(st.sampled_from("XYZ"), st.integers(min_value=1, max_value=0xFFFFFFF), st.integers(min_value=1, max_value=9),
       st.sampled_from(HEX))
def test_smart_cigs_pass_and_one_typo_is_caught(initial, number, position, char):
    cig = smart_cig(initial, number)
    assert codes.cig_problem(cig) is None
    assume(cig[position] != char)
    typo = cig[:position] + char + cig[position + 1:]
    assume(int(typo[3:], 16) != 0)
    assert codes.cig_problem(typo) is not None


@given(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVW"), st.text(HEX, min_size=9, max_size=9))
def test_cig_families_without_a_published_check_are_format_checked_only(initial, rest):
    assert codes.cig_problem(initial + rest) is None


@given(st.text(ALNUM, min_size=15, max_size=15))
def test_any_15_uppercase_letters_and_digits_are_a_cup(cup):
    assert codes.cup_problem(cup) is None


@given(st.text(min_size=0, max_size=20))
def test_anything_else_is_not_a_cup(text):
    assume(not (len(text) == 15 and all(c in ALNUM for c in text)))
    assert codes.cup_problem(text) is not None


def test_codes_are_normalised_before_the_check_and_blank_means_none():
    assert domain.check_codes(cup=" j51b21005120006 ", cig="z1e31eb332") == ("J51B21005120006", "Z1E31EB332")
    assert domain.check_codes(cup=None, cig="  ") == (None, None)
    with pytest.raises(domain.InvalidField) as refused:
        domain.check_codes(cup="J51B2100512000", cig=None)
    assert refused.value.field == "cup"
    with pytest.raises(domain.InvalidField) as refused:
        domain.check_codes(cup=None, cig="8527277398")
    assert refused.value.field == "cig"
