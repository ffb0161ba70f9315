"""The campaign view over the real regional database: facts enter as the consumer writes them.

Events are projected with the consumer's projectors (reporting's PROJECTORS, through apply_rows), each
twice and the plans' in reverse order too, and the expected completeness is stated from the dates the
test gave the events, independently of the rule."""
import json
import random
import uuid
from datetime import date

import psycopg
import pytest
import yaml

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token

from services.reporting.projector import project
from tests.conftest import random_slug

KEY = "reporting-campaign-key-" + "c" * 32
BUDGET = "it.pdz.budget."


def _event(tenant, type_, aggregate, **data):
    return new_event(type=BUDGET + type_, service="budget", tenant=tenant, aggregate_id=aggregate, data=data)


def _plan(tenant, moves):
    """A plan 2024-2026 created on 3 June 2024, then (action, from, to, day) moves, each raising its version."""
    plan_id = str(uuid.uuid4())
    events = [_event(tenant, "plan.created.v1", plan_id, plan_id=plan_id, first_year=2024, last_year=2026,
                     title="Piano", number=1, kind="triennial", state="draft",
                     created_at="2024-06-03T09:00:00+00:00", version=1)]
    for version, (action, from_, to, day) in enumerate(moves, start=2):
        events.append(_event(tenant, "plan.transitioned.v1", plan_id, plan_id=plan_id, first_year=2024,
                             last_year=2026, number=1, kind="triennial", reference_year=2024, action=action,
                             **{"from": from_}, to=to, by_role="operator", at=f"{day}T10:00:00+01:00",
                             version=version))
    return events


SENT_ON_TIME = [("adopt", "draft", "adopted", "2024-09-02"), ("approve", "adopted", "approved", "2024-09-20"),
                ("send", "approved", "sent", "2024-10-30"), ("accept", "sent", "accepted", "2024-12-02"),
                ("sign", "accepted", "signed", "2024-12-20")]
SENT_LATE = SENT_ON_TIME[:2] + [("send", "approved", "sent", "2024-11-04")]
RETURNED = SENT_ON_TIME[:3] + [("return", "sent", "returned", "2024-11-12"), ("adopt", "returned", "adopted", "2024-11-20")]


def _payment(tenant, *, fund="FNA", year=2025):
    ids = {k: str(uuid.uuid4()) for k in ("payment_id", "commitment_id", "allocation_id", "intervention_id", "plan_id")}
    made = _event(tenant, "allocation.made.v1", ids["allocation_id"], allocation_id=ids["allocation_id"],
                  intervention_id=ids["intervention_id"], plan_id=ids["plan_id"], fund=fund, year=year,
                  amount="1000.00", previous_amount=None, committed="0.00", version=1)
    return [made, _event(tenant, "payment.recorded.v1", ids["allocation_id"], **ids, fund=fund, year=year,
                  allocation={"allocated": "1000.00", "committed": "400.00", "paid": "100.00"}, amount="100.00",
                  act_date="2025-05-20", act_reference="Determina n. 1", commitment={"committed": "400.00",
                                                                                      "paid": "100.00"},
                  recorded_at="2025-05-21T10:00:00+02:00")]


def _closed(tenant, *, fund="FNA", year=2025, day="2026-03-02"):
    return _event(tenant, "fund_year.closed.v1", f"{fund}/{year}", fund=fund, year=year,
                  closed_at=f"{day}T11:00:00+01:00", assigned="1000.00", residui_in="0.00", allocated="1000.00",
                  committed="400.00", carried="600.00", to_year=year + 1, origin=[])


@pytest.fixture
def region(catalogue_factory, settings, tmp_path, monkeypatch):
    from shared.cli.provision import provision
    on_time, late, returned, silent = (random_slug(p) for p in ("ontime", "late", "ret", "silent"))
    elsewhere, former = random_slug("pug"), random_slug("former")
    catalogue = catalogue_factory([late, returned, silent], extra=[
        {"slug": elsewhere, "name": "Ambito di Fasano", "region": "puglia"},
        {"slug": on_time, "name": "Ambito nato da una fusione", "region": "basilicata", "merged_from": [former]},
        {"slug": former, "name": "Ambito confluito", "region": "basilicata", "status": "merged",
         "merged_into": on_time}])
    provision(catalogue, report=lambda *_: None)
    campaigns = {"offices": {}, "campaigns": {"basilicata": {2025: [
        {"code": "piano-2024-2026", "kind": "plan_submission", "first_year": 2024, "due": date(2024, 10, 31)},
        {"code": "rendicontazione-fna-2025", "kind": "fund_reporting", "fund": "FNA", "fund_year": 2025,
         "due": date(2026, 6, 30)}]}}}
    path = tmp_path / "campaigns.yaml"
    path.write_text(yaml.safe_dump(campaigns))
    monkeypatch.setenv("PDZ_CAMPAIGNS_FILE", str(path))
    return catalogue, on_time, late, returned, silent, elsewhere


def _load(catalogue, on_time, late, returned, elsewhere):
    plans = _plan(on_time, SENT_ON_TIME) + _plan(late, SENT_LATE) + _plan(returned, RETURNED)
    plans += _plan(elsewhere, SENT_ON_TIME)
    money = [*_payment(on_time), _closed(on_time), *_payment(late)]
    shuffled = plans + money
    random.Random(11).shuffle(shuffled)
    with psycopg.connect(catalogue.regional_url("reporting")) as conn:
        for event in plans + money + shuffled[::-1]:   # in order, then again in another order: the same rows
            apply_rows(conn, project(event))


def _client(settings, tmp_path):
    from services.reporting.app import create_app
    app = create_app(settings=Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                                       database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap))
    return app.test_client()


def _get(client, path, *, roles=("regional-admin",), tenants=()):
    token = mint_dev_token(key=KEY, subject="u", roles=list(roles), tenants=list(tenants))
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_each_ambito_of_the_region_is_done_late_or_missing_with_what_is_missing(region, settings, tmp_path):
    catalogue, on_time, late, returned, silent, elsewhere = region
    _load(catalogue, on_time, late, returned, elsewhere)
    response = _get(_client(settings, tmp_path), "/v1/regions/basilicata/campaigns?year=2025")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["region"], body["year"], body["years"]) == ("basilicata", 2025, [2025])
    deadlines = {d["code"]: d for d in body["deadlines"]}
    assert [d["code"] for d in body["deadlines"]] == ["piano-2024-2026", "rendicontazione-fna-2025"]   # by due date
    plan = {a["tenant"]: a for a in deadlines["piano-2024-2026"]["ambiti"]}
    # Only the region's Ambiti, without the one merged into another.
    assert sorted(plan) == sorted([on_time, late, returned, silent])
    assert (plan[on_time]["status"], plan[on_time]["completed_at"]) == ("done", "2024-10-30T09:00:00+00:00")
    assert plan[late]["status"] == "late" and plan[late]["missing"] == []
    assert plan[returned]["status"] == "missing" and plan[returned]["overdue"] is True
    assert plan[returned]["missing"] == ["piano 2024-2026 restituito dalla Regione il 12/11/2024:"
                                         " non ancora inviato di nuovo (stato: adottato)"]
    assert plan[silent]["missing"] == ["nessun Piano 2024-2026 registrato: piano non ancora inviato alla Regione"]
    assert deadlines["piano-2024-2026"]["summary"] == {"done": 1, "late": 1, "missing": 2}
    fna = {a["tenant"]: a for a in deadlines["rendicontazione-fna-2025"]["ambiti"]}
    assert (fna[on_time]["status"], fna[on_time]["completed_at"]) == ("done", "2026-03-02T10:00:00+00:00")
    assert fna[late]["missing"] == ["annualità 2025 del FNA non ancora chiusa (residui non riportati)"]
    assert "nessun pagamento registrato sul FNA 2025" in fna[silent]["missing"]
    assert deadlines["rendicontazione-fna-2025"]["fund"] == "FNA" and \
        deadlines["rendicontazione-fna-2025"]["due"] == "2026-06-30"


def test_only_the_regional_admin_reads_it_and_unknown_regions_or_years_are_told(region, settings, tmp_path):
    catalogue, on_time, *_ = region
    client = _client(settings, tmp_path)
    assert client.get("/v1/regions/basilicata/campaigns").status_code == 401
    assert _get(client, "/v1/regions/basilicata/campaigns", roles=["operator"], tenants=[on_time]).status_code == 403
    unknown = _get(client, "/v1/regions/molise/campaigns")
    assert unknown.status_code == 404 and unknown.get_json()["type"].endswith("/not-found")
    bad = _get(client, "/v1/regions/basilicata/campaigns?year=duemila")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "year"
    empty = _get(client, "/v1/regions/basilicata/campaigns?year=2031")
    assert empty.status_code == 200 and empty.get_json()["deadlines"] == []


def test_a_wrong_campaigns_file_stops_the_app_naming_the_entry(region, settings, tmp_path, monkeypatch):
    from services.reporting.campaigns.config import CampaignsError
    broken = tmp_path / "broken.yaml"
    broken.write_text(json.dumps({"campaigns": {"basilicata": {"2025": []}}}))
    monkeypatch.setenv("PDZ_CAMPAIGNS_FILE", str(broken))
    with pytest.raises(CampaignsError, match="campaigns.basilicata.2025 must be a year"):
        _client(settings, tmp_path)
