"""Cell text a spreadsheet shows and never runs: pure, no I/O (shared by every service that exports).

The rule every export of the suite uses (the registry's public register, the
consultation's exports and questionnaire results), here so that services share
it without importing each other. Every string that reaches an export (CSV or
XLSX) goes through `safe_text` at the writer, whatever column or stored value
it came from, so no cell can start a formula (CSV/formula injection, OWASP
"CSV Injection").

The rule, and why:
- Leading blanks and invisible characters (Unicode categories Cc, Cf, Zs, Zl,
  Zp: tab, CR, LF, NUL..US, zero-width spaces, BOM, bidi marks) are dropped.
  They mean nothing at the start of an organisation's name or number, and they
  hide a formula start: openpyxl strips the control characters XLSX cannot
  hold, LibreOffice's CSV import can trim spaces, and Excel reads a cell
  starting with tab or CR as a formula start.
- If what is left starts with a formula character, a single apostrophe is put
  in front (OWASP's advice): the content stays readable and whole, the cell is
  text. Formula characters are = + - @ as Excel and LibreOffice read them, also
  in their compatibility forms (full-width U+FF1D U+FF0B U+FF0D U+FF20, small
  U+FE66 ...: NFKC maps them to the ASCII ones; some East Asian Excel input
  paths treat them as the ASCII ones), plus U+2212 MINUS SIGN, which some
  locales read as a minus. A name nobody writes that way pays one apostrophe.
- A first character that is unassigned, private-use or a noncharacter (Cn,
  Co, Cs) also gets the apostrophe: a writer or reader may drop it (XML 1.0
  cannot hold U+FFFE/U+FFFF) and expose what follows.
"""
from __future__ import annotations

import re
import unicodedata

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = frozenset("=+-@\u2212")
INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
UNSURE = frozenset({"Cn", "Co", "Cs"})
# XML 1.0 cannot hold these (openpyxl refuses the C0 ones; U+FFFE/U+FFFF make a file nobody can open).
_NOT_XML = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ufffe\uffff\ud800-\udfff]")


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in INVISIBLE


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` (as it starts now) as a formula."""
    first = text[:1]
    return bool(first) and (first in FORMULA_STARTS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS
                            or unicodedata.category(first) in UNSURE)


def safe_text(value: str) -> str:
    """`value` without leading invisible characters, with an apostrophe in front if it would start a formula."""
    start = 0
    while start < len(value) and _invisible(value[start]):
        start += 1
    text = value[start:]
    return "'" + text if starts_formula(text) else text


def xml_text(value: str) -> str:
    """`value` as an XLSX cell can hold it (characters XML 1.0 forbids dropped), still safe."""
    # Dropping characters can expose a formula start anywhere in the string: sanitise after dropping.
    return safe_text(_NOT_XML.sub("", value))


def cell(value):
    """A CSV cell: strings made safe, anything else as it is."""
    return safe_text(value) if isinstance(value, str) else value


def xlsx_cell(value):
    """An XLSX cell: strings made safe and XML-legal, anything else as it is."""
    return xml_text(value) if isinstance(value, str) else value
