"""Consultation's read API over the replicas, on the real PostgreSQL: /organisations and /territory.

The replica rows are written by the consumer's own row writer (shared.consumer.rows.apply_rows) from
the projectors' output, as the consumer does; the consumer itself is tested with Kafka in
test_consultation_replica.py.
"""
import uuid

import psycopg
import pytest

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token

from services.consultation.app import create_app
from services.consultation.projectors import project

KEY = "consultation-api-key-" + "c" * 32


def stakeholder(tenant, name, *, type_="ets", areas=("3",), status="active", version=1):
    sid = str(uuid.uuid4())
    kind, stamp = (("registered", "registered_at") if version == 1 else ("updated", "updated_at"))
    data = {"stakeholder_id": sid, "name": name, "type": type_, "runts_section": "b" if type_ == "ets" else None,
            "areas": list(areas), "status": status, "version": version, stamp: "2026-03-01T09:00:00+00:00"}
    if kind == "updated":
        data["changed"] = ["status"]
    return new_event(type=f"it.pdz.registry.stakeholder.{kind}.v1", service="registry", tenant=tenant,
                     aggregate_id=sid, data=data)


class Api:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    def project(self, *events, tenant=None):
        url = self.tenants.url_for(self.tenants.get(tenant or self.slug), "consultation")
        with psycopg.connect(url) as conn:
            apply_rows(conn, [row for event in events for row in project(event)])
        return events

    def get(self, path, *roles, tenant=None, grants=None):
        token = mint_dev_token(key=KEY, subject="lettore", roles=list(roles),
                               tenants=[tenant or self.slug] if set(roles) - {"regional-admin"} else [],
                               grants=grants)
        return self.client.get(f"/v1/{tenant or self.slug}{path}", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def api(tenants, settings, tmp_path):
    return Api(tenants, settings, tmp_path / "tenants.yaml")


def names(response):
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


def test_every_reader_role_sees_the_organisations_and_nothing_else_does(api):
    api.project(stakeholder(api.slug, "ODV Amici del Pollino"))
    for role in ("operator", "auditor", "stakeholder", "regional-admin"):
        assert names(api.get("/organisations", role)) == ["ODV Amici del Pollino"], role
    # A role in the other Ambito only: 403, whatever it is.
    response = api.get("/organisations", grants={api.other: ["operator"]})
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert api.client.get(f"/v1/{api.slug}/organisations").status_code == 401
    assert api.get("/organisations", "operator", tenant="no-such-ambito").status_code == 404


def test_each_ambito_sees_its_own_replica(api):
    api.project(stakeholder(api.slug, "APS Borghi Solidali"))
    api.project(stakeholder(api.other, "Cooperativa Sociale Il Sentiero"), tenant=api.other)
    assert names(api.get("/organisations", "operator")) == ["APS Borghi Solidali"]
    assert names(api.get("/organisations", "operator", tenant=api.other)) == ["Cooperativa Sociale Il Sentiero"]


def test_one_organisation_says_whether_it_may_take_part(api):
    active, suspended, withdrawn = (stakeholder(api.slug, "ODV Attiva"),
                                    stakeholder(api.slug, "ODV Sospesa", status="suspended", version=2),
                                    stakeholder(api.slug, "ODV Ritirata", status="withdrawn", version=3))
    api.project(active, suspended, withdrawn)
    expected = [(active, True, None), (suspended, False, "organisation-suspended"),
                (withdrawn, False, "organisation-withdrawn")]
    for event, may, because in expected:
        response = api.get(f"/organisations/{event.subject}", "stakeholder")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert (body["may_take_part"], body["not_allowed_because"]) == (may, because)
        assert body["id"] == event.subject and body["origin"] == api.slug
        assert body["status"] == event.data["status"] and body["version"] == event.data["version"]
        assert body["as_of"].startswith("2026-03-01T09:00:00")
    missing = api.get(f"/organisations/{uuid.uuid4()}", "operator")
    assert missing.status_code == 404 and missing.get_json()["type"].endswith("not-found")


def test_filters_and_cursor_pagination(api):
    api.project(stakeholder(api.slug, "ODV Amici del Pollino", areas=("3", "5")),
                stakeholder(api.slug, "Comune di Lauria", type_="comune", areas=()),
                stakeholder(api.slug, "APS 100% Solidale", areas=("5",)),
                stakeholder(api.slug, "APS Sospesa", areas=("5",), status="suspended", version=2))
    assert names(api.get("/organisations?status=suspended", "auditor")) == ["APS Sospesa"]
    assert names(api.get("/organisations?type=comune", "auditor")) == ["Comune di Lauria"]
    assert names(api.get("/organisations?area=5&status=active", "auditor")) == ["ODV Amici del Pollino",
                                                                               "APS 100% Solidale"]
    assert names(api.get("/organisations?q=pollino", "auditor")) == ["ODV Amici del Pollino"]
    # % is a character, not a wildcard.
    assert names(api.get("/organisations?q=100%25", "auditor")) == ["APS 100% Solidale"]
    assert names(api.get("/organisations?q=%25", "auditor")) == ["APS 100% Solidale"]
    assert names(api.get(f"/organisations?origin={api.other}", "auditor")) == []
    first = api.get("/organisations?limit=3", "operator").get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = api.get(f"/organisations?limit=3&after={first['next_cursor']}", "operator").get_json()
    assert [i["name"] for i in second["items"]] == ["APS Sospesa"] and second["next_cursor"] is None
    bad = api.get("/organisations?after=not-a-cursor", "operator")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "after"
    assert api.get("/organisations?status=expelled", "operator").status_code == 422


def test_the_territory_once_the_profile_arrived(api):
    assert api.get("/territory", "stakeholder").status_code == 404
    comuni = [{"istat_code": "076097", "name": "Viggianello", "province": "PZ", "population": 2900,
               "population_date": "2025-01-01"},
              {"istat_code": "076042", "name": "Lauria", "province": "PZ", "population": 12500,
               "population_date": "2025-01-01"}]
    api.project(new_event(type="it.pdz.registry.profile.updated.v1", service="registry", tenant=api.slug,
                          aggregate_id="profile", data={
                              "name": "Ambito Lagonegrese-Pollino", "region": "basilicata", "comuni": comuni,
                              "total_population": 15400, "capofila_istat": "076097", "ente_gestore": None,
                              "asl_district": "ASP Potenza", "version": 1,
                              "updated_at": "2026-03-02T10:15:00+00:00"}))
    for role in ("operator", "auditor", "stakeholder", "regional-admin"):
        response = api.get("/territory", role)
        assert response.status_code == 200, (role, response.get_json())
    body = response.get_json()
    assert body["total_population"] == 15400 and body["origin"] == api.slug and body["version"] == 1
    assert [(c["istat_code"], c["name"], c["population"]) for c in body["comuni"]] == [
        ("076097", "Viggianello", 2900), ("076042", "Lauria", 12500)]
    assert body["comuni"][0]["population_date"] == "2025-01-01"
    assert api.get("/territory", "operator", tenant=api.other).status_code == 404
