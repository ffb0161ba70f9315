"""The reference data through the HTTP API: funds with their earmarks as the Ambito's region reads them, LEPS
and the nomenclature, for every reader of the Ambito."""
from __future__ import annotations

from tests.integration.test_budget_funds_world import READERS, funds, problem  # noqa: F401


def items(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_the_funds_of_a_basilicata_ambito_with_their_earmarks(funds):
    listed = {f["code"]: f for f in items(funds.call("GET", "/funds", "stakeholder"))}
    assert {"FNPS", "FP-SERVIZI", "FNA", "DOPO-DI-NOI", "PNRR-M5C2-1.2", "COMUNI", "FR-BASILICATA"} <= set(listed)
    assert "FSR-LOMBARDIA" not in listed and "FGSA-PUGLIA" not in listed   # other regions' funds
    dopo = listed["DOPO-DI-NOI"]
    assert dopo["restricted"] is True and dopo["source"] == "national" and dopo["legal_basis"].startswith("L. 112/2016")
    assert dopo["earmark"]["areas"] == [{"code": "5", "name": "Disabilità"},
                                        {"code": "6", "name": "Vita autonoma e domiciliarità dei non autosufficienti"}]
    assert dopo["earmark"]["leps"] == ["dopo-di-noi-vita-indipendente"]
    assert dopo["earmark"]["target_groups"] == ["disabilita"] and dopo["earmark"]["kinds"] is None
    assert listed["FNPS"]["restricted"] is False and listed["FNPS"]["earmark"]["areas"] is None
    assert [f["code"] for f in items(funds.call("GET", "/funds?source=PNRR"))] == [
        "PNRR-M5C2-1.1.1", "PNRR-M5C2-1.1.2", "PNRR-M5C2-1.1.3", "PNRR-M5C2-1.1.4", "PNRR-M5C2-1.2",
        "PNRR-M5C2-1.3.1", "PNRR-M5C2-1.3.2"]
    problem(funds.call("GET", "/funds?source=statale"), 422, "validation-error")


def test_one_fund_and_what_is_not_this_ambitos(funds):
    response = funds.call("GET", "/funds/FNA", "auditor")
    assert response.status_code == 200 and response.get_json()["name"] == "Fondo per le non autosufficienze"
    assert [a["code"] for a in response.get_json()["earmark"]["areas"]] == ["3", "5", "6"]
    problem(funds.call("GET", "/funds/FSR-LOMBARDIA"), 404, "not-found")
    problem(funds.call("GET", "/funds/NESSUNO"), 404, "not-found")


def test_leps_and_nomenclature_say_their_codes_and_source(funds):
    leps = {item["code"]: item for item in items(funds.call("GET", "/leps", "coordinator"))}
    assert leps["pronto-intervento-sociale"]["name"] == "Pronto intervento sociale"
    assert leps["dimissioni-protette"]["legal_basis"]
    body = funds.call("GET", "/nomenclature", "regional-admin").get_json()
    assert "CISIS" in body["source"]
    assert all(entry["code"] and entry["name"] for entry in body["items"])


def test_every_reader_of_the_ambito_and_no_one_else(funds):
    for role in READERS:
        for path in ("/funds", "/funds/FNPS", "/leps", "/nomenclature"):
            assert funds.call("GET", path, role).status_code == 200, (role, path)
    response = funds.client.get(f"/v1/{funds.slug}/funds")
    assert response.status_code == 401
    problem(funds.call("GET", "/leps", "operator", tenant="ambito-che-non-esiste"), 404, "unknown-tenant")
