"""No cell of a public export is, or starts, a formula: whatever text the register holds (finding 2)."""
import csv
import io
import unicodedata
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook

from shared.exports.cells import safe_text, xml_text
from services.registry.exports.tables import rows, to_csv, to_xlsx

# What spreadsheets may read as the start of a formula, checked here independently of cells.py.
FORMULA = set("=+-@\u2212")


def _skip_invisible(text: str) -> str:
    i = 0
    while i < len(text) and (text[i].isspace() or unicodedata.category(text[i]) in ("Cc", "Cf", "Zs", "Zl", "Zp")):
        i += 1
    return text[i:]


def assert_inert(text: str) -> None:
    assert text[:1] not in ("\t", "\r", "\n"), repr(text)
    visible = _skip_invisible(text)[:1]
    assert visible not in FORMULA and unicodedata.normalize("NFKC", visible)[:1] not in FORMULA, repr(text)


# Text as a hostile representative would write it: anything (surrogates excluded: PostgreSQL refuses them,
# and so do the API's schemas), plus invisible prefixes in front of formula starts in all their forms.
formula_starts = st.sampled_from(["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62",
                                  "\u2212", "\u207c", "\u2a75"])
invisible = st.text(st.sampled_from(["\x00", "\x01", "\x02", "\t", "\r", "\n", " ", "\x0b", "\x1f", "\x7f", "\x85",
                                     "\u00a0", "\u200b", "\u200e", "\u2028", "\u3000", "\ufeff", "\ufffe", "\uffff",
                                     "\U000e0001"]), max_size=4)
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
hostile = st.one_of(any_text, st.builds(lambda a, b, c: a + b + c, invisible, formula_starts, any_text))


@given(hostile)
def test_a_safe_cell_never_starts_a_formula(text):
    assert_inert(safe_text(text))
    assert_inert(xml_text(text))


@given(hostile)
def test_making_a_cell_safe_twice_changes_nothing(text):
    assert safe_text(safe_text(text)) == safe_text(text)


def test_legitimate_text_stays_readable():
    assert safe_text("Cooperativa Sociale Il Sentiero") == "Cooperativa Sociale Il Sentiero"
    assert safe_text("  Coop\x07 Aurora") == "Coop\x07 Aurora"
    assert safe_text('\u0001=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert safe_text("\uff1d1") == "'\uff1d1" and safe_text("-") == "'-" and safe_text("") == ""
    assert xml_text("\uffff=1+1") == "'=1+1" and xml_text("Coop\x07 Aurora\x1b") == "Coop Aurora"


def _stakeholder(texts):
    name, type_, tax_code, section, number, seat, area, status = texts
    return {"name": name, "type": type_, "tax_code": tax_code, "runts_section": section, "runts_number": number,
            "seat_istat": seat, "areas": [area], "status": status,
            "created_at": datetime(2026, 3, 2, tzinfo=timezone.utc)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(*[hostile] * 8), min_size=1, max_size=3), hostile, hostile)
def test_no_export_cell_is_a_formula_whatever_the_register_holds(stakeholders, comune, title):
    table = rows([_stakeholder(t) for t in stakeholders], area_names={}, comune_name=lambda code: comune)
    sheet = load_workbook(io.BytesIO(to_xlsx(table, title=title))).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert_inert(cell.value)
    parsed = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(parsed) == 1 + len(stakeholders)
    for field in (f for row in parsed for f in row):
        assert_inert(field)
