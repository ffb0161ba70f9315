"""Finding 2, as reported: a representative's application carried a formula into the public XLSX (real PostgreSQL).

The name `\\u0001=HYPERLINK(...)` and the RUNTS number `\\u0002=9+9` became live formulas once admitted,
because the first character was checked before openpyxl's control characters were stripped.
"""
import csv
import io

import pytest
from openpyxl import load_workbook

from tests.integration.registry_client import Registry

NAME = '\u0001=HYPERLINK("http://x.example/steal","Apri il modulo")'
RUNTS = "\u0002=9+9"


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def test_an_admitted_application_cannot_put_a_formula_in_the_public_exports(reg):
    call = reg.open_call()
    filed = reg.call("POST", "/applications", "stakeholder", subject="rappresentante", json=reg.application(
        call["id"], name=NAME, type="ets", runts_section="b", runts_number=RUNTS))
    assert filed.status_code == 201, filed.get_json()
    assert reg.call("POST", f"/applications/{filed.get_json()['id']}/admit").status_code == 200

    xlsx = reg.client.get(reg.url("/public/stakeholders.xlsx"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
    row = [c.value for c in sheet[3]]
    assert row[0] == '\'=HYPERLINK("http://x.example/steal","Apri il modulo")' and row[4] == "'=9+9"

    text = reg.client.get(reg.url("/public/stakeholders.csv")).get_data().decode("utf-8-sig")
    [record] = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert record["Denominazione"] == "'" + NAME[1:] and record["Numero RUNTS"] == "'" + RUNTS[1:]
