"""The comparison of a merged Ambito's former territories over the real regional database.

Facts enter as the consumer writes them (the projector's rows through apply_rows); the expected
figures are computed here from the events the test made, independently of statistics and comparison."""
import uuid
from datetime import datetime, timedelta, timezone

import psycopg

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token

from services.reporting.projector import project
from services.reporting.statistics import compare_former_territories, end_of_previous_year
from tests.conftest import random_slug

KEY = "reporting-comparison-key-" + "r" * 32
NOW = datetime.now(timezone.utc)
LAST_YEAR = end_of_previous_year(NOW) - timedelta(days=30)


def _registered(tenant, type_, at, section=None):
    sid = str(uuid.uuid4())
    return sid, new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=tenant,
                          aggregate_id=sid, data={"stakeholder_id": sid, "name": "x", "type": type_,
                                                  "runts_section": section, "registered_at": at.isoformat()})


def _withdrawn(tenant, sid, type_, at):
    return new_event(type="it.pdz.registry.stakeholder.updated.v1", service="registry", tenant=tenant,
                     aggregate_id=sid, data={"stakeholder_id": sid, "name": "x", "type": type_, "status": "withdrawn",
                                             "version": 2, "updated_at": at.isoformat()})


def _merger(catalogue_factory):
    from shared.cli.provision import provision
    a, b, c = random_slug("lag"), random_slug("pol"), random_slug("lagpol")
    catalogue = catalogue_factory([a, b], extra=[{"slug": c, "name": "Merged", "region": "basilicata",
                                                  "merged_from": [a, b]}])
    provision(catalogue, report=lambda *_: None)
    return catalogue, a, b, c


def _load(catalogue, a, b, c):
    """A: 2 comuni and an ETS last year, one comune withdrawn this year; B: an ETS this year; C: its own."""
    events = []
    comune_a, event = _registered(a, "comune", LAST_YEAR)
    events += [event, _registered(a, "comune", LAST_YEAR)[1], _registered(a, "ets", LAST_YEAR, "a")[1]]
    events += [_withdrawn(a, comune_a, "comune", NOW - timedelta(seconds=1)),
               _registered(b, "ets", NOW - timedelta(seconds=1), "b")[1], _registered(c, "school", LAST_YEAR)[1]]
    with psycopg.connect(catalogue.regional_url("reporting")) as conn:
        for event in events * 2:   # a replay writes the same rows again
            apply_rows(conn, project(event))


def test_each_indicator_side_by_side_with_gap_and_change(catalogue_factory):
    catalogue, a, b, c = _merger(catalogue_factory)
    _load(catalogue, a, b, c)
    with psycopg.connect(catalogue.regional_url("reporting")) as conn:
        result = compare_former_territories(conn=conn, merged_from=(a, b), now=NOW)
    rows = {r["indicator"]: r for r in result["indicators"]}
    # now: A has 1 comune + 1 ETS active, B 1 ETS; end of last year: A 2 comuni + 1 ETS, B nothing.
    assert rows["total"]["territories"] == {a: 2, b: 1} and rows["total"]["previous_year"] == {a: 3, b: 0}
    assert (rows["total"]["gap"], rows["total"]["gap_previous_year"], rows["total"]["gap_change"]) == (1, 3, -2)
    assert rows["type:comune"]["territories"] == {a: 1, b: 0} and rows["type:comune"]["gap_change"] == 1 - 2
    assert rows["runts_section:b"]["territories"] == {a: 0, b: 1} and rows["runts_section:b"]["gap_change"] == 1
    share = rows["ets_share"]
    assert [str(v) for v in share["territories"].values()] == ["0.5000", "1.0000"]
    assert str(share["gap"]) == "0.5000" and str(share["gap_previous_year"]) == "0.3333"
    assert str(share["gap_change"]) == "0.1667"
    assert "type:school" not in rows   # C's own stakeholders are not a former territory


def test_the_endpoint_answers_a_merged_ambito_and_refuses_another(catalogue_factory, settings, tmp_path):
    from services.reporting.app import create_app
    catalogue, a, b, c = _merger(catalogue_factory)
    _load(catalogue, a, b, c)
    app = create_app(settings=Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                                       database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap))
    client = app.test_client()

    def get(slug):
        token = mint_dev_token(key=KEY, subject="u", roles=["operator"], tenants=[slug])
        return client.get(f"/v1/{slug}/statistics/comparison", headers={"Authorization": f"Bearer {token}"})

    response = get(c)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["former_territories"] == [a, b]
    total = next(r for r in body["indicators"] if r["indicator"] == "total")
    assert total["territories"] == {a: "2", b: "1"} and total["gap_change"] == "-2"
    refused = get(a)
    assert refused.status_code == 404 and refused.get_json()["type"].endswith("/not-merged")
