"""Text input rules of issue 7 (finding 6): `%` and `_` in `q` are plain characters, and names are
stored NFC-normalised, so a decomposed "è" and a composed one are the same text (real PostgreSQL)."""
import unicodedata

import pytest

from tests.integration.registry_client import Registry
from tests.integration.test_registry_flow import db

COMPOSED = "Società Cooperativa Perché Sì"          # è, à, ì as single code points
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)  # the same letters as base + combining accent


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def names(reg, **query):
    response = reg.call("GET", "/stakeholders", query_string=query)
    assert response.status_code == 200, response.get_json()
    return [s["name"] for s in response.get_json()["items"]]


def register(reg, name, tax_code):
    made = reg.call("POST", "/stakeholders", json={"name": name, "type": "social_cooperative", "tax_code": tax_code})
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def test_like_wildcards_in_q_match_only_themselves(reg):
    from shared.cli.demo import demo_tax_code
    for name in ("Coop Aurora", "Coop_Sole", "Sconto 100% Solidale", "Back\\slash Onlus"):
        register(reg, name, demo_tax_code(name, "076"))
    assert names(reg, q="%") == ["Sconto 100% Solidale"]
    assert names(reg, q="_") == ["Coop_Sole"]
    assert names(reg, q="p_s") == ["Coop_Sole"]
    assert names(reg, q="Coop%Sole") == []
    assert names(reg, q="\\") == ["Back\\slash Onlus"]
    assert names(reg, q="coop") == ["Coop Aurora", "Coop_Sole"]


def test_a_decomposed_name_is_stored_composed_and_found_either_way(reg):
    made = register(reg, DECOMPOSED, "01114601006")
    assert made["name"] == COMPOSED
    stored = db(reg, "SELECT name FROM stakeholders WHERE id = %s", made["id"])[0][0]
    assert stored == COMPOSED and unicodedata.is_normalized("NFC", stored)
    assert names(reg, q="perché") == [COMPOSED]
    assert names(reg, q=unicodedata.normalize("NFD", "perché")) == [COMPOSED]
    # A change of a decomposed name to the composed one is no change at all.
    patched = reg.call("PATCH", f"/stakeholders/{made['id']}", json={"name": COMPOSED},
                       headers={"If-Match": f'"{made["version"]}"'})
    assert patched.status_code == 200 and patched.get_json()["version"] == made["version"]


def test_application_texts_are_stored_composed(reg):
    call = reg.open_call()
    body = reg.application(call["id"], name=DECOMPOSED)
    body["legal_representative"]["full_name"] = unicodedata.normalize("NFD", "Niccolò Pèrsico")
    body["declarations"]["note"] = unicodedata.normalize("NFD", "Attività già svolte nell'Ambito")
    made = reg.call("POST", "/applications", "stakeholder", json=body)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["organisation"]["name"] == COMPOSED
    detail = reg.call("GET", f"/applications/{made.get_json()['id']}").get_json()
    assert {p["full_name"] for p in detail["people"]} >= {"Niccolò Pèrsico"}
    assert detail["declarations"]["note"] == "Attività già svolte nell'Ambito"
    reason = unicodedata.normalize("NFD", "Sede operativa fuori dall'Ambito: requisito non è soddisfatto.")
    rejected = reg.call("POST", f"/applications/{made.get_json()['id']}/reject", json={"reason": reason})
    assert rejected.get_json()["rejection_reason"] == unicodedata.normalize("NFC", reason)
    title = unicodedata.normalize("NFD", "Avviso pubblico per la rete: attività e priorità")
    drafted = reg.call("POST", "/calls", json={"title": title, "areas": ["3"],
                                               "opens_at": "2026-01-01T00:00:00+01:00",
                                               "closes_at": "2026-02-01T00:00:00+01:00"})
    assert drafted.get_json()["title"] == unicodedata.normalize("NFC", title)
