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
    [row] = rows([_stakeholder('=HYPERLINK("http://x.example","clic")', "01114601006", runts_number="@SUM(1)")],
                 area_names={}, comune_name=lambda code: "")
    assert row[0] == '\'=HYPERLINK("http://x.example","clic")' and row[4] == "'@SUM(1)"
