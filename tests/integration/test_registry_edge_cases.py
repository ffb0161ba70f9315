"""Inputs that used to answer 500 (found by tests/integration/test_registry_openapi.py): each is now a 4xx
problem+json, or a 200 where the input was fine, and a bad request writes nothing."""
import base64
import io

import psycopg
import pytest
from openpyxl import load_workbook

from shared.http.problems import PROBLEM_JSON
from tests.integration.registry_client import Registry

LAURIA = "076042"


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def count(reg, table):
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(reg.slug), "registry")) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def assert_invalid(response, *fields, status=422, location=None):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == PROBLEM_JSON
    if fields:
        errors = response.get_json()["errors"]
        assert sorted({e["field"] for e in errors}) == sorted(fields), errors
        if location:
            assert {e["location"] for e in errors} == {location}


def raw_json(reg, method, path, text, *roles):
    """A request whose body is exactly `text` (JSON the client library would not write)."""
    return reg.client.open(reg.url(path), method=method, data=text.encode(),
                           headers={**reg.headers(*roles), "Content-Type": "application/json"})


def profile(**changes):
    return {"name": "Ambito di Lauria", "capofila_istat": LAURIA,
            "comuni": [{"istat_code": LAURIA, "population": 12500, "population_date": "2025-01-01"}], **changes}


# -- profile: a blank optional text is absent (was: TypeError in the length validator) -----------------------
def test_blank_optional_profile_texts_are_saved_as_absent(reg):
    saved = reg.call("PUT", "/profile", json=profile(ente_gestore="", asl_district="   "))
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["ente_gestore"] is None and saved.get_json()["asl_district"] is None


# -- profile: a population the int column cannot hold (was: NumericValueOutOfRange) ---------------------------
@pytest.mark.parametrize("population", [2 ** 31, 10 ** 30])
def test_a_population_beyond_the_column_is_a_422(reg, population):
    body = profile(comuni=[{"istat_code": LAURIA, "population": population, "population_date": "2025-01-01"}])
    assert_invalid(reg.call("PUT", "/profile", json=body), "comuni.0.population", location="json")
    assert count(reg, "ambito_profile") == 0
    assert reg.call("PUT", "/profile", json=profile(comuni=[
        {"istat_code": LAURIA, "population": 2 ** 31 - 1, "population_date": "2025-01-01"}])).status_code == 200


# -- text PostgreSQL cannot store: NUL and lone surrogates (was: psycopg.DataError / UnicodeEncodeError) -------
@pytest.mark.parametrize("param", ["q", "area"])
def test_nul_in_a_query_value_is_a_422_naming_it(reg, param):
    assert_invalid(reg.call("GET", "/stakeholders", query_string={param: "coop\x00"}), param, location="query")


def test_nul_or_a_lone_surrogate_in_a_json_string_is_a_422_naming_the_field_and_writes_nothing(reg):
    stakeholder = {"name": "Coop\x00Aurora", "type": "social_cooperative", "tax_code": "01114601006"}
    assert_invalid(reg.call("POST", "/stakeholders", json=stakeholder), "name", location="json")
    surrogate = '{"name": "Coop \\ud800 Aurora", "type": "social_cooperative", "tax_code": "01114601006"}'
    assert_invalid(raw_json(reg, "POST", "/stakeholders", surrogate, "operator"), "name", location="json")
    call = reg.open_call()
    application = reg.application(call["id"])
    application["legal_representative"]["full_name"] = "Mario\x00Rossi"
    application["declarations"]["note"] = "\x00"
    assert_invalid(reg.call("POST", "/applications", "stakeholder", json=application),
                   "legal_representative.full_name", "declarations.note")
    assert (count(reg, "stakeholders"), count(reg, "applications"), count(reg, "people")) == (0, 0, 0)
    # The same text without the NUL goes through.
    application["legal_representative"]["full_name"] = "Mario Rossi"
    application["declarations"]["note"] = None
    assert reg.call("POST", "/applications", "stakeholder", json=application).status_code == 201


def test_json_nested_too_deeply_is_a_400(reg):
    response = raw_json(reg, "POST", "/stakeholders", "[" * 100_000 + "]" * 100_000, "operator")
    assert response.status_code == 400 and response.mimetype == PROBLEM_JSON
    assert response.get_json()["type"].endswith("/malformed-request")


# -- cursors: only ASCII digits that fit a bigint (was: ValueError from int('²') or a 5000-digit string) -----
@pytest.mark.parametrize("path", ["/stakeholders", "/calls", "/applications", "/privacy/access-log"])
@pytest.mark.parametrize("inside", ["s²", "s٣", pytest.param("s" + "9" * 5000, id="s-5000-digits")])
def test_a_cursor_we_did_not_issue_is_a_422_on_after(reg, path, inside):
    cursor = base64.urlsafe_b64encode(inside.encode()).decode().rstrip("=")
    assert_invalid(reg.call("GET", path, query_string={"after": cursor}), "after", location="query")


# -- calls: instants Python cannot read back (was: DataError 'timestamp too small/large') --------------------
@pytest.mark.parametrize("field,value", [("opens_at", "0001-01-01T00:00:00+05:00"),
                                         ("closes_at", "9999-12-31T23:59:59-05:00")])
def test_call_times_outside_years_1_to_9999_are_a_422(reg, field, value):
    body = {"title": "Avviso di prova", "areas": ["3"], "opens_at": "2026-01-01T00:00:00+01:00",
            "closes_at": "2026-02-01T00:00:00+01:00"}
    assert_invalid(reg.call("POST", "/calls", json={**body, field: value}), field, location="json")
    assert count(reg, "calls") == 0
    made = reg.call("POST", "/calls", json=body)
    assert made.status_code == 201, made.get_json()
    patched = reg.call("PATCH", f"/calls/{made.get_json()['id']}", json={field: value},
                       headers={"If-Match": made.headers["ETag"]})
    assert_invalid(patched, field, location="json")


# -- XLSX export: control characters in a name (was: openpyxl IllegalCharacterError) --------------------------
def test_the_xlsx_export_drops_control_characters_the_csv_keeps_them(reg):
    name = "Coop\x07 Aurora\x1b"
    made = reg.call("POST", "/stakeholders", json={"name": name, "type": "social_cooperative",
                                                   "tax_code": "01114601006"})
    assert made.status_code == 201, made.get_json()
    xlsx = reg.client.get(reg.url("/public/stakeholders.xlsx"))
    assert xlsx.status_code == 200, xlsx.get_data()[:300]
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.cell(row=3, column=1).value == "Coop Aurora"
    csv = reg.client.get(reg.url("/public/stakeholders.csv"))
    assert csv.status_code == 200 and name in csv.get_data().decode("utf-8-sig")

