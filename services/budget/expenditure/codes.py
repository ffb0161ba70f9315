"""CUP and CIG, the codes every commitment of public money may carry: pure checks, no I/O.

CUP (codice unico di progetto, L. 3/2003, CIPE): 15 characters, uppercase letters and digits. No
published structure or check character could be confirmed (OpenCUP and CIPE describe it only as "una
stringa alfanumerica di 15 caratteri"), so only the format is checked.

CIG (codice identificativo gara, ANAC): 10 characters, in one of three documented families:
- standard (SIMOG): 7 digits NNNNNNN (not all zero) then 3 hexadecimal check characters KKK, where
  KKK = (NNNNNNN * 211) mod 4091 written in hexadecimal (AgID PEPPOL rule INT-T01-R037, the rules the
  Italian e-procurement documents are validated with); checked here. Verified against real CIGs
  published in determine and ANAC's open data (8527277397, 95156957EC).
- Smart CIG: X, Y or Z, then 2 hexadecimal check characters KK, then 7 hexadecimal characters CCCCCCC
  (not all zero), where KK = (CCCCCCC * 211) mod 251 in hexadecimal (the same AgID rule, R037c/d);
  checked here. Verified against a real Smart CIG (Z1E31EB332). The administrative courts' filing
  system also accepts V and W as Smart CIG initials; for those the format alone is checked.
- CIG issued since 2024 by the Piattaforma Contratti Pubblici: a letter A-U then 9 hexadecimal
  characters (the filing system's formats); no check has been published, so the format alone.
"""
from __future__ import annotations

import re

CUP_RE = re.compile(r"[A-Z0-9]{15}")
CIG_RE = re.compile(r"[A-Z0-9]{10}")
_STANDARD = re.compile(r"[0-9]{7}[0-9A-F]{3}")
_SMART_CHECKED = re.compile(r"[XYZ][0-9A-F]{9}")
_FORMAT_ONLY = re.compile(r"[A-W][0-9A-F]{9}")   # PCP (A-U) and Smart CIG V, W


def normalise(value: str) -> str:
    """What the Ufficio di Piano typed, without surrounding blanks, in capitals (codes are uppercase)."""
    return value.strip().upper()


def cup_problem(cup: str) -> str | None:
    """Why `cup` is not a CUP, or None."""
    if not CUP_RE.fullmatch(cup):
        return "a CUP is 15 characters, uppercase letters and digits"
    return None


def standard_check(progressive: int) -> str:
    """The 3 check characters of a standard CIG with this 7-digit progressive number."""
    return format(progressive * 211 % 4091, "03X")


def smart_check(number: int) -> str:
    """The 2 check characters of a Smart CIG whose last 7 characters are `number` in hexadecimal."""
    return format(number * 211 % 251, "02X")


def cig_problem(cig: str) -> str | None:
    """Why `cig` is not a CIG, or None (see the module's notes for what is checked)."""
    if not CIG_RE.fullmatch(cig):
        return "a CIG is 10 characters, uppercase letters and digits"
    if _STANDARD.fullmatch(cig):
        progressive = int(cig[:7])
        if progressive == 0:
            return "a CIG's 7-digit progressive number cannot be 0000000"
        if cig[7:] != standard_check(progressive):
            return "the CIG's check characters (the last 3) do not match its number: a typing error?"
        return None
    if _SMART_CHECKED.fullmatch(cig):
        number = int(cig[3:], 16)
        if number == 0:
            return "a Smart CIG's last 7 characters cannot be 0000000"
        if cig[1:3] != smart_check(number):
            return "the Smart CIG's check characters (2nd and 3rd) do not match it: a typing error?"
        return None
    if _FORMAT_ONLY.fullmatch(cig):
        return None
    return ("not a CIG: 7 digits and 3 hexadecimal characters, or a letter and 9 hexadecimal characters "
            "(0-9, A-F)")
