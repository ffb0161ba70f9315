import csv
import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from services.registry.exports.tables import HEADERS, rows, to_csv, to_xlsx


def _stakeholder(name, tax_code, **kw):
    return {"name": name, "type": "ets", "tax_code": tax_code, "runts_section": "b", "runts_number": "44",
            "seat_istat": "076042", "areas": ["3", "5"], "status": "active",
            "created_at": datetime(2026, 3, 2, tzinfo=timezone.utc), **kw}


def _table():
    return rows([_stakeholder("Pollino Solidale APS", "01114601006"),
                 _stakeholder("Impresa individuale Rossi Mario", "RSSMRA85T10A562S", type="enterprise",
                              runts_section=None, runts_number=None, status="suspended")],
                area_names={"3": "Persone anziane", "5": "Disabilità"}, comune_name=lambda code: "Lauria")


def test_rows_are_in_italian_and_never_carry_a_persons_tax_code():
    first, second = _table()
    assert first == ("Pollino Solidale APS", "Ente del Terzo settore", "01114601006", "B", "44", "076042", "Lauria",
                     "Persone anziane; Disabilità", "Attivo", "2026-03-02")
    assert second[2] == "" and second[8] == "Sospeso"
    assert "RSSMRA85T10A562S" not in str(second)


def test_csv_opens_in_italian_spreadsheets():
    data = to_csv(_table())
    assert data.startswith("\ufeff".encode("utf-8"))
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert parsed[0] == list(HEADERS) and parsed[1][0] == "Pollino Solidale APS" and len(parsed) == 3


def test_xlsx_has_a_title_the_headers_and_one_row_each():
    sheet = load_workbook(io.BytesIO(to_xlsx(_table(), title="Registro"))).active
    values = list(sheet.values)
    assert values[0][0] == "Registro" and list(values[1]) == list(HEADERS)
    assert values[2][0] == "Pollino Solidale APS" and len(values) == 4


def test_a_name_cannot_smuggle_a_spreadsheet_formula():
    table = rows([_stakeholder('=HYPERLINK("http://x.example","clic")', "01114601006", runts_number="@SUM(1)")],
                 area_names={}, comune_name=lambda code: "")
    csv_row = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig")), delimiter=";"))[1]
    xlsx_row = list(load_workbook(io.BytesIO(to_xlsx(table, title="Registro"))).active.values)[2]
    for row in (csv_row, xlsx_row):
        assert row[0] == '\'=HYPERLINK("http://x.example","clic")' and row[4] == "'@SUM(1)"


# -- finding 2: a control character before the formula (was: live formula in the public XLSX) ---------------
INJECTIONS = ['\u0001=HYPERLINK("http://x.example","y")', "\u0002=9+9", "\t=1+1", "\r=1+1", " \u0007=1",
              "\u200b@SUM(1)", "\ufeff-2+3", "\uffff=1+1", "\uff1dHYPERLINK(1)", "\uff0b1", "\n+1"]


def _workbook_cells(data: bytes):
    return [cell for row in load_workbook(io.BytesIO(data)).active.iter_rows() for cell in row]


def test_no_injected_formula_survives_into_the_xlsx():
    table = rows([_stakeholder(text, f"0111460100{i % 10}", runts_number=text) for i, text in enumerate(INJECTIONS)],
                 area_names={}, comune_name=lambda code: "")
    cells = _workbook_cells(to_xlsx(table, title="\u0003=1+1"))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    for cell in cells:
        if isinstance(cell.value, str):
            assert cell.value[:1] not in ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b"), cell.value


def test_no_injected_formula_survives_into_the_csv():
    table = rows([_stakeholder(text, "01114601006", runts_number=text) for text in INJECTIONS],
                 area_names={}, comune_name=lambda code: "")
    parsed = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"), newline=""), delimiter=";"))
    for field in (f for row in parsed[1:] for f in row):
        visible = field.lstrip(" \t\r\n\u0001\u0002\u0007\u200b\ufeff")
        assert visible[:1] not in ("=", "+", "-", "@", "\uff1d", "\uff0b"), field
        assert field[:1] not in ("\t", "\r"), field
