"""Every indicator of a merged Ambito's former territories side by side, on a fresh reporting database.

A merged Ambito of random tenants (A and B into C) is provisioned; a seeded world of budget events (the
money indicators' world: profiles, plans, allocations, payments in 2024 and 2025) and registry events
(stakeholders registered and withdrawn in 2024 and 2025) is projected with reporting's projectors and
written with apply_rows, with duplicates. Each former territory's value in the comparison must equal that
territory's own indicator answer (A and B evaluated as Ambiti by themselves), for the period and the same
period of the previous year; the stakeholder counts are also checked against the events the test made."""
import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from shared.cli.provision import provision
from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token
from tests.conftest import random_slug, write_catalogue
from tests.contract.catalogue import assert_valid_event
from tests.integration.test_reporting_money_world import World

from services.reporting import freshness
from services.reporting.app import create_app
from services.reporting.comparison_indicators import ADDITIVE_UNITS, compare_indicators, previous_period
from services.reporting.indicators import REGISTRY, Period, answers
from services.reporting.indicators.model import ROME
from services.reporting.indicators.territories import of_ambito
from services.reporting.projector import project

KEY = "reporting-comparison-indicators-key-" + "k" * 32
PERIODS = [Period.parse("2025"), Period.parse("2025-Q2")]
TYPES = ("ets", "comune", "school")


class Merger:
    def __init__(self, tmp_path, settings):
        self.a, self.b, self.c = random_slug("lag"), random_slug("pol"), random_slug("lagpol")
        path = write_catalogue(tmp_path, [self.a, self.b], extra=[
            {"slug": self.c, "name": "Ambito fuso", "region": "basilicata", "merged_from": [self.a, self.b]}])
        self.app = create_app(settings=Settings(tenants_file=path, jwt_dev_key=KEY,
                                                database_url=settings.database_url))
        self.catalogue = self.app.extensions["pdz"].catalogue
        provision(self.catalogue.with_login(None) if self.catalogue.login else self.catalogue, report=lambda *_: None)
        self.url = self.catalogue.regional_url("reporting")
        self.rng = random.Random(9)
        self.stakeholders = []   # (tenant, type, registered_at, withdrawn_at or None)
        money = World(self.rng, [self.a, self.b, self.c])
        events = money.shuffled_events() + self.registry_events()
        rows = [row for e in events + self.rng.sample(events, len(events) // 4) for row in project(e)]
        with psycopg.connect(self.url) as conn:
            for start in range(0, len(rows), 400):   # batches, as the consumer's polls
                apply_rows(conn, rows[start:start + 400])

    def registry_events(self):
        events = []
        for tenant, many in ((self.a, 14), (self.b, 6)):   # territories of different size
            for _ in range(many):
                sid, type_ = str(uuid.uuid4()), self.rng.choice(TYPES)
                registered = datetime(2024, 1, 1, tzinfo=ROME) + timedelta(days=self.rng.randrange(700))
                withdrawn = registered + timedelta(days=self.rng.randrange(1, 300)) if self.rng.random() < 0.3 else None
                data = {"stakeholder_id": sid, "name": "Organizzazione di prova", "type": type_,
                        "runts_section": "b" if type_ == "ets" else None, "status": "active", "version": 1,
                        "areas": ["3"], "registered_at": registered.isoformat()}
                events.append(self.event(tenant, "stakeholder.registered", data, sid))
                if withdrawn:
                    events.append(self.event(tenant, "stakeholder.updated", {
                        **data, "status": "withdrawn", "version": 2, "changed": ["status"],
                        "updated_at": withdrawn.isoformat()}, sid))
                self.stakeholders.append((tenant, type_, registered, withdrawn))
        return events

    @staticmethod
    def event(tenant, kind, data, subject):
        type_ = f"it.pdz.registry.{kind}.v1"
        assert_valid_event(type_, data)
        return new_event(type=type_, service="registry", tenant=tenant, aggregate_id=subject, data=data)

    def active(self, tenant, type_, at):
        return sum(1 for t, ty, reg, wd in self.stakeholders
                   if t == tenant and ty == type_ and reg < at and not (wd and wd < at))

    def get(self, path, tenant=None):
        token = mint_dev_token(key=KEY, subject="lettore", roles=["operator"], tenants=[tenant or self.c])
        return self.app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def merger(tmp_path_factory, settings):
    return Merger(tmp_path_factory.mktemp("comparison"), settings)


def own_answers(conn, merger, tenant, period):
    """The former territory's own indicator answer (evaluated as an Ambito by itself): code -> key -> value."""
    result = answers.answer(conn, territories=of_ambito(merger.catalogue.get(tenant)), period=period)
    return {entry["code"]: {tuple(sorted(f["dimension"].items())): Decimal(f["value"]) for f in entry["figures"]}
            for entry in result["indicators"]}


def _value(text):
    return None if text is None else Decimal(text)


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_each_former_territory_s_value_is_its_own_answer_with_gap_and_change(merger, period):
    a, b = merger.a, merger.b
    with psycopg.connect(merger.url) as conn:
        result = compare_indicators(conn, tenant=merger.catalogue.get(merger.c), period=period,
                                    as_of=freshness.as_of(conn))
        own = {(t, p): own_answers(conn, merger, t, p) for t in (a, b) for p in (period, previous_period(period))}
    assert result["period"] == str(period) and result["previous_period"] == str(period.year - 1) + str(period)[4:]
    assert [e["indicator"] for e in result["by_indicator"]] == sorted(REGISTRY)
    gaps = 0
    for entry in result["by_indicator"]:
        code, additive = entry["indicator"], entry["unit"] in ADDITIVE_UNITS
        assert entry["unit"] == REGISTRY[code].definition.unit
        keys = {k for t in (a, b) for p in (period, previous_period(period)) for k in own[(t, p)][code]}
        assert {tuple(sorted(f["dimension"].items())) for f in entry["figures"]} == keys, code
        for figure in entry["figures"]:
            key = tuple(sorted(figure["dimension"].items()))
            for side, when in (("territories", period), ("previous_year", previous_period(period))):
                for t in (a, b):
                    expected = own[(t, when)][code].get(key, Decimal(0) if additive else None)
                    assert _value(figure[side][t]) == expected, (code, key, side, t)
            values = [_value(v) for v in figure["territories"].values()]
            before = [_value(v) for v in figure["previous_year"].values()]
            gap = None if None in values else max(values) - min(values)
            gap_before = None if None in before else max(before) - min(before)
            assert (_value(figure["gap"]), _value(figure["gap_previous_year"])) == (gap, gap_before), code
            assert _value(figure["gap_change"]) == (None if gap is None or gap_before is None else gap - gap_before)
            gaps += bool(gap)
    assert gaps > 5   # the world is not trivial: the territories differ on many figures
    per_inhabitant = next(e for e in result["by_indicator"]
                          if e["indicator"] == "spesa_liquidata_per_abitante_per_fondo")
    assert per_inhabitant["comparable"] and per_inhabitant["figures"]
    assert all(v is not None for f in per_inhabitant["figures"] for v in f["territories"].values())


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_the_stakeholder_counts_are_those_the_test_made(merger, period):
    with psycopg.connect(merger.url) as conn:
        result = compare_indicators(conn, tenant=merger.catalogue.get(merger.c), period=period, as_of={})
    entry = next(e for e in result["by_indicator"] if e["indicator"] == "stakeholder_attivi")
    assert not entry["comparable"]   # a count: it grows with the territory
    rows = {f["dimension"]["type"]: f for f in entry["figures"]}
    for type_ in TYPES:
        for side, when in (("territories", period), ("previous_year", previous_period(period))):
            counted = {t: merger.active(t, type_, when.end) for t in (merger.a, merger.b)}
            if type_ in rows:
                assert {t: int(Decimal(v)) for t, v in rows[type_][side].items()} == counted, (type_, side)
            else:
                assert not any(counted.values()), type_


def test_the_endpoint_gives_the_period_and_keeps_the_stakeholder_comparison(merger):
    response = merger.get(f"/v1/{merger.c}/statistics/comparison?period=2025-Q2")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["period"], body["previous_period"]) == ("2025-Q2", "2024-Q2")
    assert body["former_territories"] == [merger.a, merger.b] and set(body["as_of"]) >= {"registry", "budget"}
    assert any(r["indicator"] == "total" for r in body["indicators"])   # the stakeholder comparison is still there
    with psycopg.connect(merger.url) as conn:
        expected = compare_indicators(conn, tenant=merger.catalogue.get(merger.c), period=Period.parse("2025-Q2"),
                                      as_of=freshness.as_of(conn))
    assert [{k: e[k] for k in ("indicator", "unit", "comparable", "figures")} for e in body["by_indicator"]] == [
        {k: e[k] for k in ("indicator", "unit", "comparable", "figures")} for e in expected["by_indicator"]]
    this_year = merger.get(f"/v1/{merger.c}/statistics/comparison").get_json()
    assert this_year["period"] == str(datetime.now(ROME).year)


def test_a_bad_period_is_named_and_an_ambito_not_merged_is_refused(merger):
    bad = merger.get(f"/v1/{merger.c}/statistics/comparison?period=2025-Q5")
    assert bad.status_code == 422 and "period" in bad.get_data(as_text=True)
    refused = merger.get(f"/v1/{merger.a}/statistics/comparison?period=2025", tenant=merger.a)
    assert refused.status_code == 404 and refused.get_json()["type"].endswith("/not-merged")
