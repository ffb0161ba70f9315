"""The map of services (/v1/{tenant}/offer) on the real PostgreSQL through the Flask test client.

Replica rows come from the projectors through the consumer's row writer (as in test_consultation_api.py);
tables and memberships are plain SQL inserts, as the tables' use cases would write them.
"""
import uuid

import psycopg
import pytest

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token
from tests.contract.catalogue import assert_valid_event

from services.consultation.app import create_app
from services.consultation.offer import service as offer_service
from services.consultation.projectors import project

KEY = "consultation-offer-key-" + "o" * 32
LAURIA, LAGONEGRO, MARATEA, RIVELLO = "076042", "076039", "076044", "076068"
REPRESENTATIVE = "rappresentante-odv"


def stakeholder_event(tenant, sid, name, *, status="active", version=1):
    kind, stamp = ("registered", "registered_at") if version == 1 else ("updated", "updated_at")
    data = {"stakeholder_id": str(sid), "name": name, "type": "ets", "runts_section": "a", "areas": ["3"],
            "status": status, "version": version, stamp: "2026-03-01T09:00:00+00:00"}
    if kind == "updated":
        data["changed"] = ["status"]
    return new_event(type=f"it.pdz.registry.stakeholder.{kind}.v1", service="registry", tenant=tenant,
                     aggregate_id=str(sid), data=data)


def profile_event(tenant, comuni):
    listed = [{"istat_code": code, "name": name, "province": "PZ", "population": 1000,
               "population_date": "2025-01-01"} for code, name in comuni]
    return new_event(type="it.pdz.registry.profile.updated.v1", service="registry", tenant=tenant,
                     aggregate_id="profile", data={
                         "name": "Ambito Lagonegrese", "region": "basilicata", "comuni": listed,
                         "total_population": 1000 * len(listed), "capofila_istat": comuni[0][0],
                         "ente_gestore": None, "asl_district": None, "version": 1,
                         "updated_at": "2026-03-02T10:15:00+00:00"})


class Api:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    def db(self):
        return psycopg.connect(self.tenants.url_for(self.tenants.get(self.slug), "consultation"))

    def project(self, *events):
        with self.db() as conn:
            apply_rows(conn, [row for event in events for row in project(event)])

    def organisation(self, name, **kwargs):
        sid = uuid.uuid4()
        self.project(stakeholder_event(self.slug, sid, name, **kwargs))
        return str(sid)

    def change_status(self, sid, status, version):
        self.project(stakeholder_event(self.slug, sid, "stessa", status=status, version=version))

    def member(self, organisation_id, accounts=(REPRESENTATIVE,), state="member"):
        """A table with the organisation as a member whose representatives are `accounts`."""
        with self.db() as conn:
            table = uuid.uuid4()
            conn.execute("INSERT INTO consultation_tables (id, kind, title, areas, created_by)"
                         " VALUES (%s, 'thematic', 'Tavolo anziani', '{3}', 'ufficio')", (table,))
            conn.execute("INSERT INTO table_members (id, table_id, organisation_id, accounts, state, joined_version,"
                         " added_by) VALUES (%s, %s, %s, %s, %s, 1, 'ufficio')",
                         (uuid.uuid4(), table, organisation_id, list(accounts), state))

    def outbox(self):
        with self.db() as conn:
            return conn.execute("SELECT type, subject, data FROM outbox ORDER BY id").fetchall()

    def call(self, method, path, *roles, subject="ufficio", tenant=None, headers=None, **kwargs):
        tenant = tenant or self.slug
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles),
                               tenants=[tenant] if set(roles) - {"regional-admin"} else [])
        return self.client.open(f"/v1/{tenant}{path}", method=method,
                                headers={"Authorization": f"Bearer {token}", **(headers or {})}, **kwargs)

    def add(self, organisation_id, *roles, **fields):
        body = {"organisation_id": organisation_id, "name": "Centro diurno Il Melograno", "area": "3",
                "target_group": "anziani", "comuni": [LAURIA], **fields}
        return self.call("POST", "/offer", *(roles or ("operator",)), json=body,
                         subject=REPRESENTATIVE if roles == ("stakeholder",) else "ufficio")

    def added(self, organisation_id, *roles, **fields):
        response = self.add(organisation_id, *roles, **fields)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def names(self, query="", role="auditor"):
        response = self.call("GET", f"/offer{query}", role)
        assert response.status_code == 200, response.get_json()
        return [item["name"] for item in response.get_json()["items"]]


@pytest.fixture
def api(tenants, settings, tmp_path):
    return Api(tenants, settings, tmp_path / "tenants.yaml")


def problem_type(response):
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.data
    return response.get_json()["type"].rsplit("/", 1)[1]


def test_the_office_records_for_any_organisation_and_every_reader_reads(api):
    org = api.organisation("ODV Amici del Pollino")
    response = api.add(org, capacity={"amount": 25, "unit": "posti"},
                       opening_hours=[{"day_from": "lun", "day_to": "ven", "opens": "09:00", "closes": "13:00"}],
                       accredited=True, accredited_by="Regione Basilicata", accredited_since="2024-06-01",
                       contacts={"phone": "0973 123456", "email": "centro.diurno@example.org"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["ETag"] == '"1"'
    assert body["organisation"] == {"id": org, "name": "ODV Amici del Pollino", "status": "active"}
    assert body["recorded_by_office"] is True and body["current"] is True and body["status"] == "active"
    assert body["capacity"] == {"amount": 25, "unit": "posti"}
    assert body["opening_hours"] == [{"day_from": "lun", "day_to": "ven", "opens": "09:00", "closes": "13:00"}]
    assert body["contacts"] == {"phone": "0973 123456", "email": "centro.diurno@example.org", "website": None}
    for role in ("operator", "coordinator", "auditor", "stakeholder", "regional-admin"):
        one = api.call("GET", f"/offer/{body['id']}", role)
        assert one.status_code == 200 and one.headers["ETag"] == '"1"', role
        assert api.names(role=role) == ["Centro diurno Il Melograno"], role
        assert api.call("GET", "/offer/summary", role).status_code == 200, role
    for role in ("coordinator", "auditor", "regional-admin"):
        refused = api.add(org, role)
        assert refused.status_code == 403 and problem_type(refused) == "forbidden", role
    assert api.call("GET", "/offer", "operator", tenant=api.other).get_json()["items"] == []
    assert api.client.get(f"/v1/{api.slug}/offer").status_code == 401
    missing = api.call("GET", f"/offer/{uuid.uuid4()}", "operator")
    assert missing.status_code == 404 and problem_type(missing) == "not-found"


def test_a_representative_records_for_its_own_organisation_only(api):
    own, other = api.organisation("APS Borghi Solidali"), api.organisation("Cooperativa Il Sentiero")
    api.member(own)
    api.member(other, accounts=("altro-rappresentante",))
    api.member(other, state="requested")   # asked to join, not admitted: does not act for it yet
    mine = api.added(own, "stakeholder")
    assert mine["recorded_by_office"] is False
    refused = api.add(other, "stakeholder")
    assert refused.status_code == 403 and problem_type(refused) == "not-representative"
    theirs = api.added(other)   # the office records it
    patch = {"headers": {"If-Match": '"1"'}, "json": {"capacity": {"amount": 12, "unit": "posti"}}}
    assert api.call("PATCH", f"/offer/{mine['id']}", "stakeholder", subject=REPRESENTATIVE, **patch).status_code == 200
    denied = api.call("PATCH", f"/offer/{theirs['id']}", "stakeholder", subject=REPRESENTATIVE, **patch)
    assert denied.status_code == 403 and problem_type(denied) == "not-representative"
    denied = api.call("POST", f"/offer/{theirs['id']}/retire", "stakeholder", subject=REPRESENTATIVE,
                      headers={"If-Match": '"1"'}, json={})
    assert denied.status_code == 403
    # Without a membership listing its account a representative records nothing, even for "its" organisation.
    stranger = api.call("POST", "/offer", "stakeholder", subject="nessuno", json={
        "organisation_id": own, "name": "Sportello", "area": "1", "target_group": "popolazione_generale",
        "comuni": [LAURIA]})
    assert stranger.status_code == 403
    assert sorted(api.names()) == ["Centro diurno Il Melograno", "Centro diurno Il Melograno"]


def test_suspended_and_withdrawn_organisations(api):
    org = api.organisation("ODV Sollievo")
    api.member(org)
    entry = api.added(org, "stakeholder")
    api.change_status(org, "suspended", 2)
    refused = api.add(org)
    assert refused.status_code == 409 and problem_type(refused) == "organisation-suspended"
    # A suspended organisation's services stay on the current map; its representative is paused.
    assert api.names() == ["Centro diurno Il Melograno"]
    paused = api.call("PATCH", f"/offer/{entry['id']}", "stakeholder", subject=REPRESENTATIVE,
                      headers={"If-Match": '"1"'}, json={"name": "Centro diurno"})
    assert paused.status_code == 403
    api.change_status(org, "withdrawn", 3)
    refused = api.add(org, "stakeholder")
    assert refused.status_code == 409 and problem_type(refused) == "organisation-withdrawn"
    # The entry stays, marked, out of the current map.
    assert api.names() == []
    everything = api.call("GET", "/offer?current=false", "auditor").get_json()["items"]
    assert [(e["id"], e["current"], e["status"], e["organisation"]["status"]) for e in everything] == [
        (entry["id"], False, "active", "withdrawn")]
    assert api.call("GET", "/offer/summary", "operator").get_json()["services"] == 0
    # Re-admitted: the memberships the withdrawal ended stay ended.
    api.change_status(org, "active", 4)
    assert api.add(org, "stakeholder").status_code == 403
    unknown = api.add(str(uuid.uuid4()))
    assert unknown.status_code == 409 and problem_type(unknown) == "unknown-organisation"
    # The office may still retire it.
    retired = api.call("POST", f"/offer/{entry['id']}/retire", "operator", headers={"If-Match": '"1"'},
                       json={"reason": "Servizio chiuso"})
    assert retired.status_code == 200, retired.get_json()


def test_bad_input_is_named_and_nothing_is_written(api):
    org = api.organisation("APS Mare e Monti")
    api.project(profile_event(api.slug, [(LAURIA, "Lauria"), (LAGONEGRO, "Lagonegro")]))
    cases = [({"area": "99"}, "area"), ({"target_group": "giovani"}, "target_group"),
             ({"comuni": [LAURIA, MARATEA]}, "comuni.1"), ({"comuni": ["76042"]}, "comuni.0"),
             ({"accredited_by": "Regione Basilicata"}, "accredited_by"),
             ({"description": "Referente RSSMRA80A01H501U"}, "description"),
             ({"contacts": {"website": "ftp://example.org"}}, "contacts.website"),
             ({"capacity": {"amount": 0, "unit": "posti"}}, "capacity.amount"),
             ({"capacity": {"amount": 3, "unit": "letti"}}, "capacity.unit"),
             ({"opening_hours": [{"day_from": "lun", "opens": "14:00", "closes": "09:00"}]}, "opening_hours.0.closes"),
             ({"tax_code": "RSSMRA80A01H501U"}, "tax_code")]
    for fields, field in cases:
        response = api.add(org, **fields)
        assert response.status_code == 422, (fields, response.get_json())
        assert field in [e["field"] for e in response.get_json()["errors"]], (fields, response.get_json())
    assert api.names("?current=false") == [] and api.outbox() == []
    assert api.add(org, comuni=[LAGONEGRO, LAURIA, LAGONEGRO]).get_json()["comuni"] == [LAGONEGRO, LAURIA]


def test_update_needs_the_etag_and_retiring_keeps_the_entry(api):
    org = api.organisation("Cooperativa Sociale Il Faro")
    entry = api.added(org, capacity={"amount": 20, "unit": "posti"})
    path = f"/offer/{entry['id']}"
    change = {"capacity": {"amount": 30, "unit": "posti"}, "comuni": [LAURIA, RIVELLO]}
    assert problem_type(api.call("PATCH", path, "operator", json=change)) == "if-match-required"
    stale = api.call("PATCH", path, "operator", json=change, headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == '"1"'
    updated = api.call("PATCH", path, "operator", json=change, headers={"If-Match": '"1"'})
    assert updated.status_code == 200 and updated.headers["ETag"] == '"2"'
    assert updated.get_json()["capacity"]["amount"] == 30 and updated.get_json()["comuni"] == [LAURIA, RIVELLO]
    # The whole entry is checked again: an accreditor without accreditation is refused.
    bad = api.call("PATCH", path, "operator", json={"accredited_by": "Regione"}, headers={"If-Match": '"2"'})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "accredited_by"
    # A change that changes nothing writes nothing.
    same = api.call("PATCH", path, "operator", json={"name": entry["name"]}, headers={"If-Match": '"2"'})
    assert same.status_code == 200 and same.headers["ETag"] == '"2"'
    assert problem_type(api.call("POST", f"{path}/retire", "operator", json={})) == "if-match-required"
    retired = api.call("POST", f"{path}/retire", "operator", json={"reason": "Chiuso"}, headers={"If-Match": '"2"'})
    assert retired.status_code == 200 and retired.headers["ETag"] == '"3"'
    assert (retired.get_json()["status"], retired.get_json()["current"]) == ("retired", False)
    assert retired.get_json()["retired_reason"] == "Chiuso" and retired.get_json()["retired_at"]
    again = api.call("POST", f"{path}/retire", "operator", json={}, headers={"If-Match": '"3"'})
    assert again.status_code == 409 and problem_type(again) == "offer-retired"
    frozen = api.call("PATCH", path, "operator", json={"name": "Altro"}, headers={"If-Match": '"3"'})
    assert frozen.status_code == 409 and problem_type(frozen) == "offer-retired"
    assert api.names() == [] and api.names("?current=false") == [entry["name"]]
    assert api.call("GET", path, "auditor").get_json()["status"] == "retired"


def test_a_retried_create_with_its_key_creates_once(api):
    org = api.organisation("ODV Il Ponte")
    body = {"organisation_id": org, "name": "Banco alimentare", "area": "4", "target_group": "poverta_emarginazione",
            "comuni": [LAURIA]}
    first = api.call("POST", "/offer", "operator", json=body, headers={"Idempotency-Key": "offerta-1"})
    second = api.call("POST", "/offer", "operator", json=body, headers={"Idempotency-Key": "offerta-1"})
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true" and second.headers["ETag"] == '"1"'
    assert first.get_json()["id"] == second.get_json()["id"]
    assert api.names() == ["Banco alimentare"] and len(api.outbox()) == 1


def test_filters_and_cursor_pagination(api):
    one, two = api.organisation("ODV Uno"), api.organisation("APS Due")
    api.added(one, name="Centro anziani Lauria")
    api.added(one, name="Centro disabili", area="5", target_group="disabilita", comuni=[LAGONEGRO, MARATEA],
              accredited=True)
    api.added(two, name="Sportello sociale", area="1", target_group="popolazione_generale",
              comuni=[LAURIA, MARATEA])
    api.added(two, name="Mensa", area="4", target_group="poverta_emarginazione", comuni=[RIVELLO])
    assert api.names("?area=5") == ["Centro disabili"]
    assert api.names("?target_group=popolazione_generale") == ["Sportello sociale"]
    assert api.names(f"?comune={MARATEA}") == ["Centro disabili", "Sportello sociale"]
    assert api.names(f"?organisation_id={two}") == ["Sportello sociale", "Mensa"]
    assert api.names("?accredited=true") == ["Centro disabili"]
    assert len(api.names("?accredited=false")) == 3
    first = api.call("GET", "/offer?limit=3", "operator").get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = api.call("GET", f"/offer?limit=3&after={first['next_cursor']}", "operator").get_json()
    assert [i["name"] for i in second["items"]] == ["Mensa"] and second["next_cursor"] is None
    for query in ("?after=non-un-cursore!", "?comune=123", "?target_group=tutti", "?limit=0"):
        assert api.call("GET", f"/offer{query}", "operator").status_code == 422, query


def test_the_summary_for_the_community_profile(api):
    api.project(profile_event(api.slug, [(LAGONEGRO, "Lagonegro"), (LAURIA, "Lauria"), (MARATEA, "Maratea")]))
    one, two = api.organisation("ODV Uno"), api.organisation("APS Due")
    api.added(one, comuni=[LAURIA, LAGONEGRO], capacity={"amount": 25, "unit": "posti"})
    api.added(two, comuni=[LAURIA], capacity={"amount": 10, "unit": "posti"})
    api.added(two, comuni=[MARATEA], capacity={"amount": 400, "unit": "utenti-anno"}, accredited=True)
    api.added(one, area="5", target_group="disabilita", comuni=[MARATEA])
    gone = api.added(two, area="5", target_group="disabilita", comuni=[LAURIA], capacity={"amount": 9, "unit": "posti"})
    # No body at all: the reason is optional.
    assert api.call("POST", f"/offer/{gone['id']}/retire", "operator", headers={"If-Match": '"1"'}).status_code == 200
    summary = api.call("GET", "/offer/summary", "stakeholder").get_json()
    assert summary["services"] == 4
    assert summary["capacity"] == [{"unit": "posti", "amount": 35}, {"unit": "utenti-anno", "amount": 400}]
    assert summary["by_area_target"] == [
        {"area": "3", "area_name": "Persone anziane", "target_group": "anziani", "target_group_name": "Anziani",
         "services": 3, "capacity": [{"unit": "posti", "amount": 35}, {"unit": "utenti-anno", "amount": 400}]},
        {"area": "5", "area_name": "Disabilità", "target_group": "disabilita", "target_group_name": "Disabilità",
         "services": 1, "capacity": []}]
    # In the profile's order; a service serving two comuni counts in both.
    assert [(c["istat_code"], c["name"], c["services"], c["capacity"]) for c in summary["by_comune"]] == [
        (LAGONEGRO, "Lagonegro", 1, [{"unit": "posti", "amount": 25}]),
        (LAURIA, "Lauria", 2, [{"unit": "posti", "amount": 35}]),
        (MARATEA, "Maratea", 2, [{"unit": "utenti-anno", "amount": 400}])]
    everything = api.call("GET", "/offer/summary?current=false", "auditor").get_json()
    assert everything["services"] == 5
    # The community profile's document calls the use case as the API does: the current map by default.
    with api.db() as conn:
        direct = offer_service.summary(conn=conn, tenant=api.slug, areas={"3": "Persone anziane", "5": "Disabilità"})
    assert direct["services"] == 4 and direct["by_comune"] == summary["by_comune"]
    assert direct["by_area_target"] == summary["by_area_target"]
    accredited = api.call("GET", "/offer/summary?accredited=true", "auditor").get_json()
    assert accredited["services"] == 1 and accredited["by_comune"][0]["istat_code"] == MARATEA


def test_every_change_writes_a_catalogued_event_without_contacts(api):
    org = api.organisation("ODV Il Ponte")
    api.member(org)
    entry = api.added(org, "stakeholder", capacity={"amount": 25, "unit": "posti"}, address="Via Roma 1, Lauria",
                      contacts={"phone": "0973 123456", "email": "centro@example.org"},
                      description="Descrizione libera", opening_notes="Su appuntamento")
    api.call("PATCH", f"/offer/{entry['id']}", "operator", json={"capacity": None, "contacts": None,
                                                                 "target_group": "disabilita"},
             headers={"If-Match": '"1"'})
    api.call("POST", f"/offer/{entry['id']}/retire", "stakeholder", subject=REPRESENTATIVE,
             json={"reason": "Trasferito"}, headers={"If-Match": '"2"'})
    events = api.outbox()
    assert [t for t, _, _ in events] == ["it.pdz.consultation.service_offer.added.v1",
                                         "it.pdz.consultation.service_offer.updated.v1",
                                         "it.pdz.consultation.service_offer.retired.v1"]
    for type_, subject, data in events:
        assert_valid_event(type_, data)
        assert subject == entry["id"] and data["offer_id"] == entry["id"] and data["organisation_id"] == org
        text = repr(data)
        for private in ("0973", "centro@example.org", "Via Roma", "Descrizione", "appuntamento", "Trasferito"):
            assert private not in text, (type_, private)
    added, updated, retired = (data for _, _, data in events)
    assert added["capacity"] == {"amount": 25, "unit": "posti"} and added["recorded_by_office"] is False
    assert updated["changed"] == ["capacity", "contacts", "target_group"] and updated["capacity"] is None
    assert (retired["status"], retired["version"]) == ("retired", 3)
