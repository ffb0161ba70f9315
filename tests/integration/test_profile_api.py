"""The Ambito profile and areas API against the real PostgreSQL (Flask test client, no Kafka needed)."""
from datetime import date

import psycopg
import pytest

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.registry.app import create_app
from tests.contract.catalogue import assert_valid_event

KEY = "integration-key-" + "k" * 32
UPDATED = "it.pdz.registry.profile.updated.v1"
# Codes as ISTAT lists them (tests/unit/test_istat.py checks them against the shipped list).
LAURIA, VIGGIANELLO, LAGONEGRO, FASANO = "076042", "076097", "076039", "074007"


def profile_body(**changes):
    body = {
        "name": "Ambito Socio Territoriale Lagonegrese-Pollino",
        "comuni": [
            {"istat_code": VIGGIANELLO, "population": 2900, "population_date": "2025-01-01"},
            {"istat_code": LAURIA, "population": 12500, "population_date": "2025-01-01"},
        ],
        "capofila_istat": VIGGIANELLO,
        "ente_gestore": None,
        "asl_district": "ASP Potenza – Distretto di Lauria",
    }
    return {**body, **changes}


def make_app(tmp_path, settings, **overrides):
    # `tenants` wrote its catalogue to tmp_path/tenants.yaml: the app reads the same file.
    return create_app(settings=Settings(
        tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY, database_url=settings.database_url,
        kafka_bootstrap=settings.kafka_bootstrap, **overrides)).test_client()


@pytest.fixture
def api(tenants, settings, tmp_path):
    return make_app(tmp_path, settings)


def auth(slug, *roles, **headers):
    token = mint_dev_token(key=KEY, subject="op", roles=list(roles or ["operator"]), tenants=[slug])
    return {"Authorization": "Bearer " + token, **headers}


def counts(tenants, slug):
    """(profile rows, comuni rows, outbox rows) in the tenant's registry database."""
    with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in ("ambito_profile", "ambito_comuni", "outbox"))


def outbox_events(tenants, slug):
    with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
        return conn.execute("SELECT type, tenant, subject, data FROM outbox ORDER BY id").fetchall()


def create(api, slug, **changes):
    response = api.put(f"/v1/{slug}/profile", headers=auth(slug), json=profile_body(**changes))
    assert response.status_code == 200, response.get_json()
    return response


def test_no_profile_yet_is_a_404_problem(api, tenants):
    slug = tenants.slugs()[0]
    response = api.get(f"/v1/{slug}/profile", headers=auth(slug))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_create_then_read_with_its_etag(api, tenants):
    slug = tenants.slugs()[0]
    created = create(api, slug)
    assert created.headers["ETag"] == '"1"'
    body = created.get_json()
    assert body["region"] == "basilicata" and body["version"] == 1
    assert [(c["istat_code"], c["name"], c["province"]) for c in body["comuni"]] == [
        (VIGGIANELLO, "Viggianello", "PZ"), (LAURIA, "Lauria", "PZ")]
    assert body["total_population"] == 15400 and body["capofila_istat"] == VIGGIANELLO
    assert body["ente_gestore"] is None and body["asl_district"] == "ASP Potenza – Distretto di Lauria"
    for role in ("operator", "auditor", "stakeholder", "regional-admin"):
        read = api.get(f"/v1/{slug}/profile", headers=auth(slug, role))
        assert read.status_code == 200 and read.headers["ETag"] == '"1"', role
        assert read.get_json() == body
    assert counts(tenants, slug) == (1, 2, 1)


def test_update_with_if_match_bumps_the_version_and_records_an_event(api, tenants):
    slug = tenants.slugs()[0]
    create(api, slug)
    comuni = profile_body()["comuni"] + [{"istat_code": LAGONEGRO, "population": 5200,
                                         "population_date": "2025-01-01"}]
    updated = api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-Match": '"1"'}),
                      json=profile_body(comuni=comuni, capofila_istat=LAURIA, ente_gestore="Consorzio"))
    assert updated.status_code == 200, updated.get_json()
    assert updated.headers["ETag"] == '"2"'
    body = updated.get_json()
    assert body["total_population"] == 20600 and body["capofila_istat"] == LAURIA
    assert [c["name"] for c in body["comuni"]] == ["Viggianello", "Lauria", "Lagonegro"]
    assert api.get(f"/v1/{slug}/profile", headers=auth(slug)).get_json() == body
    assert counts(tenants, slug) == (1, 3, 2)


def test_saving_the_same_content_again_changes_nothing(api, tenants):
    slug = tenants.slugs()[0]
    create(api, slug)
    again = api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-Match": '"1"'}),
                    json=profile_body(asl_district="  ASP Potenza – Distretto di Lauria "))
    assert again.status_code == 200 and again.headers["ETag"] == '"1"'
    assert counts(tenants, slug) == (1, 2, 1)


def test_an_update_without_if_match_is_428_and_writes_nothing(api, tenants):
    slug = tenants.slugs()[0]
    create(api, slug)
    response = api.put(f"/v1/{slug}/profile", headers=auth(slug), json=profile_body(name="Altro nome"))
    assert response.status_code == 428 and response.mimetype == "application/problem+json"
    assert counts(tenants, slug) == (1, 2, 1)
    assert api.get(f"/v1/{slug}/profile", headers=auth(slug)).get_json()["name"] != "Altro nome"


def test_a_stale_if_match_is_412_naming_the_current_etag(api, tenants):
    slug = tenants.slugs()[0]
    create(api, slug)
    assert api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-Match": '"1"'}),
                   json=profile_body(name="Secondo nome")).status_code == 200
    stale = api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-Match": '"1"'}),
                    json=profile_body(name="Terzo nome"))
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == '"2"'
    assert api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-Match": "not-an-etag"}),
                   json=profile_body(name="Terzo nome")).status_code == 412
    assert counts(tenants, slug) == (1, 2, 2)


def test_create_only_and_if_match_on_a_missing_profile_are_412(api, tenants):
    slug = tenants.slugs()[0]
    missing = api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-Match": '"1"'}), json=profile_body())
    assert missing.status_code == 412 and counts(tenants, slug) == (0, 0, 0)
    first = api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-None-Match": "*"}), json=profile_body())
    assert first.status_code == 200
    second = api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-None-Match": "*"}), json=profile_body())
    assert second.status_code == 412 and second.get_json()["current_etag"] == '"1"'


@pytest.mark.parametrize("change, field", [
    ({"comuni": [{"istat_code": VIGGIANELLO, "population": 1, "population_date": "2025-01-01"},
                 {"istat_code": LAURIA, "population": 1, "population_date": "2025-01-01"},
                 {"istat_code": "076999", "population": 1, "population_date": "2025-01-01"}]},
     "comuni.2.istat_code"),                                              # not in the ISTAT list
    ({"comuni": [{"istat_code": VIGGIANELLO, "population": 1, "population_date": "2025-01-01"},
                 {"istat_code": FASANO, "population": 38700, "population_date": "2025-01-01"}]},
     "comuni.1.istat_code"),                                              # Puglia, not Basilicata
    ({"comuni": [{"istat_code": VIGGIANELLO, "population": 1, "population_date": "2025-01-01"},
                 {"istat_code": VIGGIANELLO, "population": 2, "population_date": "2025-01-01"}]},
     "comuni.1.istat_code"),                                              # listed twice
    ({"capofila_istat": LAGONEGRO}, "capofila_istat"),                    # not one of the comuni
    ({"region": "puglia"}, "region"),                                     # not the tenant's region
    ({"comuni": [{"istat_code": VIGGIANELLO, "population": -1, "population_date": "2025-01-01"}]},
     "comuni.0.population"),
    ({"comuni": [{"istat_code": "76097", "population": 1, "population_date": "2025-01-01"}]},
     "comuni.0.istat_code"),                                              # not 6 digits
    ({"comuni": [{"istat_code": VIGGIANELLO, "name": "Viggianello", "population": 1,
                  "population_date": "2025-01-01"}]}, "comuni.0.name"),  # names come from ISTAT only
    ({"comuni": []}, "comuni"),
])
def test_invalid_profiles_are_422_naming_the_field_and_write_nothing(api, tenants, change, field):
    slug = tenants.slugs()[0]
    response = api.put(f"/v1/{slug}/profile", headers=auth(slug), json=profile_body(**change))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.get_json()["errors"]], response.get_json()
    assert field in response.get_json()["detail"]
    assert counts(tenants, slug) == (0, 0, 0)


def test_an_invalid_update_leaves_the_saved_profile_as_it_was(api, tenants):
    slug = tenants.slugs()[0]
    before = create(api, slug).get_json()
    bad = profile_body(comuni=[{"istat_code": FASANO, "population": 1, "population_date": "2025-01-01"}],
                       capofila_istat=FASANO)
    response = api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-Match": '"1"'}), json=bad)
    assert response.status_code == 422
    assert api.get(f"/v1/{slug}/profile", headers=auth(slug)).get_json() == before
    assert counts(tenants, slug) == (1, 2, 1)


@pytest.mark.parametrize("role", ["auditor", "stakeholder", "regional-admin"])
def test_only_an_operator_saves_the_profile(api, tenants, role):
    slug = tenants.slugs()[0]
    response = api.put(f"/v1/{slug}/profile", headers=auth(slug, role), json=profile_body())
    assert response.status_code == 403 and counts(tenants, slug) == (0, 0, 0)


def test_tenants_have_their_own_profile(api, tenants):
    a, b = tenants.slugs()
    create(api, a)
    assert api.get(f"/v1/{b}/profile", headers=auth(b)).status_code == 404
    assert api.get(f"/v1/{b}/profile", headers=auth(a)).status_code == 403
    assert api.put(f"/v1/{b}/profile", headers=auth(a), json=profile_body()).status_code == 403


def test_each_save_emits_one_event_that_matches_the_catalogue(api, tenants):
    slug = tenants.slugs()[0]
    create(api, slug)
    api.put(f"/v1/{slug}/profile", headers=auth(slug, **{"If-Match": '"1"'}),
            json=profile_body(ente_gestore="Consorzio CIISAF"))
    events = outbox_events(tenants, slug)
    assert [(type_, tenant, subject) for type_, tenant, subject, _ in events] == [
        (UPDATED, slug, "profile"), (UPDATED, slug, "profile")]
    for *_, data in events:
        assert_valid_event(UPDATED, data)
    first, second = (data for *_, data in events)
    assert (first["version"], second["version"]) == (1, 2)
    assert second["ente_gestore"] == "Consorzio CIISAF" and second["total_population"] == 15400
    assert second["comuni"][1] == {"istat_code": LAURIA, "name": "Lauria", "province": "PZ",
                                   "population": 12500, "population_date": "2025-01-01"}


def test_the_profile_and_its_event_commit_together_or_not_at_all(tenants, monkeypatch):
    from services.registry.profile import service

    slug = tenants.slugs()[0]
    url = tenants.url_for(tenants.get(slug), "registry")
    body = profile_body()
    body["comuni"] = [{**c, "population_date": date(2025, 1, 1)} for c in body["comuni"]]  # as loaded
    kwargs = dict(tenant=slug, tenant_region="basilicata", region_name="Regione Basilicata",
                  expected_version=None, create_only=False, region=None, **body)

    def outbox_down(conn, event):
        raise psycopg.OperationalError("outbox write failed")

    monkeypatch.setattr(service, "add_event", outbox_down)
    # Autocommit: nothing but the service's own transaction can undo the writes made before the
    # outbox fails (a plain connection would roll them back by itself, and the test could not fail).
    with psycopg.connect(url, autocommit=True) as conn, pytest.raises(psycopg.OperationalError):
        service.save_profile(conn=conn, **kwargs)
    assert counts(tenants, slug) == (0, 0, 0)
    monkeypatch.undo()
    with psycopg.connect(url, autocommit=True) as conn:  # autocommit: only the explicit transaction holds
        assert service.save_profile(conn=conn, **kwargs)["version"] == 1
    assert counts(tenants, slug) == (1, 2, 1)


def test_the_areas_come_from_the_regional_configuration(api, tenants):
    slug = tenants.slugs()[0]
    response = api.get(f"/v1/{slug}/areas", headers=auth(slug, "stakeholder"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["region"] == "basilicata" and body["name"] == "Regione Basilicata"
    assert [a["code"] for a in body["areas"]] == [str(n) for n in range(1, 10)]
    assert body["areas"][2]["name"] == "Persone anziane"


def test_a_region_without_configuration_has_no_areas(tenants, settings, tmp_path):
    regions = tmp_path / "regions.yaml"
    regions.write_text("regions:\n  puglia:\n    name: Regione Puglia\n    areas:\n"
                       "      - {code: socio-sanitaria, name: Area socio-sanitaria}\n")
    api = make_app(tmp_path, settings, regions_file=regions)
    slug = tenants.slugs()[0]
    response = api.get(f"/v1/{slug}/areas", headers=auth(slug))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    # Without a configured name, comuni are matched to the region by its slug alone.
    assert api.put(f"/v1/{slug}/profile", headers=auth(slug), json=profile_body()).status_code == 200


def test_the_openapi_document_describes_the_profile(api):
    spec = api.get("/openapi.json").get_json()
    put = spec["paths"]["/v1/{tenant}/profile"]["put"]
    assert {p["name"] for p in put["parameters"] if p["in"] == "header"} >= {"If-Match", "If-None-Match"}
    assert "ETag" in put["responses"]["200"]["headers"]
    assert "/v1/{tenant}/areas" in spec["paths"]


def test_comuni_are_found_by_name_in_the_official_list_of_the_region(tenants, settings, tmp_path):
    from tests.integration.registry_client import Registry
    reg = Registry(tenants, settings, tmp_path / "tenants.yaml")
    found = reg.call("GET", "/comuni", "auditor", query_string={"name": "lauria"}).get_json()
    assert found == [{"istat_code": "076042", "name": "Lauria", "province": "PZ", "region": "Basilicata"}]
    # Fasano exists, but in Puglia: not offered to a Basilicata Ambito.
    assert reg.call("GET", "/comuni", "auditor", query_string={"name": "Fasano"}).get_json() == []
    assert reg.call("GET", "/comuni", "auditor").status_code == 422
