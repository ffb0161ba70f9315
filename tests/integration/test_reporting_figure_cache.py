"""The figure cache (services/reporting/indicators/cache.py, memo.py) on a real reporting database: cached answers
equal freshly computed ones, and an event applied through the real projector shows in the next answer.

The money world of test_reporting_money_indicators.py (two former Ambiti and the merged one, in a region) is
projected with reporting's projectors as the consumer runs them (freshness.marked: each applied event marks its
Ambito) and the marks are drained by the real publisher (without Kafka: it only drains and raises versions).
"""
from __future__ import annotations

import io
import random
from datetime import date

import psycopg
import pytest
from openpyxl import load_workbook

from shared.cli.provision import provision
from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.http.auth import mint_dev_token
from tests.conftest import random_slug, write_catalogue
from tests.integration.test_reporting_money_world import World

from services.reporting import freshness
from services.reporting.app import create_app
from services.reporting.indicators import cache, memo, territories
from services.reporting.indicators.evaluate import evaluate
from services.reporting.indicators.model import Period
from services.reporting.projector import PROJECTORS
from services.reporting.publisher import Publisher

KEY = "reporting-figure-cache-key-" + "c" * 32
REGION = "basilicata"
PERIODS = [Period.parse("2025"), Period.parse("2025-Q2")]
PATHS = ["/indicators", "/indicators/risorse_per_fondo", "/indicators/export.csv", "/indicators/export.json",
         "/feed.json", "/indicators/spesa_liquidata_per_abitante_per_fondo/export.xlsx"]


class Region:
    def __init__(self, settings, tmp_path):
        a, b, merged = random_slug("lag"), random_slug("pol"), random_slug("lagpol")
        path = write_catalogue(tmp_path, [a, b], extra=[
            {"slug": merged, "name": "Ambito fuso", "region": REGION, "merged_from": [a, b]}])
        self.app = create_app(settings=Settings(tenants_file=path, jwt_dev_key=KEY, database_url=settings.database_url))
        self.catalogue = self.app.extensions["pdz"].catalogue
        provision(self.catalogue.with_login(None) if self.catalogue.login else self.catalogue, report=lambda *_: None)
        self.url = self.catalogue.with_login(None).regional_url("reporting")
        self.territories = territories.of_region(list(self.catalogue), REGION)
        self.world = World(random.Random(11), [a, b, merged])
        self.client = self.app.test_client()
        self.applied = 0
        self.apply_new()
        self.drain()

    def apply_new(self) -> None:
        """The world's events not applied yet, as the consumer applies them (projection and mark together)."""
        projectors = freshness.marked(PROJECTORS)
        events, self.applied = self.world.events[self.applied:], len(self.world.events)
        with psycopg.connect(self.url) as conn:
            apply_rows(conn, [row for event in events for row in projectors[event.type](event)])

    def drain(self) -> int:
        with psycopg.connect(self.url) as conn:
            return Publisher(catalogue=self.catalogue, producer=None, topic="unused").run_once(conn)[0]

    def get(self, path: str, period: str = "2025") -> bytes:
        token = mint_dev_token(key=KEY, subject="regione", roles=["regional-admin"], tenants=[])
        response = self.client.get(f"/v1/regions/{REGION}{path}?period={period}",
                                   headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_data()

    def fresh(self, path: str, period: str = "2025") -> bytes:
        """The answer computed now from the read model alone: no cached figure, no kept answer."""
        with psycopg.connect(self.url) as conn:
            conn.execute("DELETE FROM figure_cache")
        memo.ANSWERS._kept.clear()
        memo.ANSWERS.size = 0
        return self.get(path, period)


@pytest.fixture
def region(settings, tmp_path):
    return Region(settings, tmp_path)


def _text(evaluated) -> dict:
    return {code: [(one.territory, one.figure.indicator, one.figure.period, format(one.figure.value, "f"),
                    list(one.figure.dimension.items())) for one in labelled] for code, labelled in evaluated.items()}


def test_cached_figures_and_answers_equal_freshly_computed_ones(region):
    with psycopg.connect(region.url) as conn:
        named = cache.read_state(conn, cache.tenants_of(region.territories))
        assert named.database and cache.read_state(conn, []).database == named.database and not named.moving
        for period in PERIODS:
            computed = _text(evaluate(conn, territories=region.territories, period=period))
            assert any(computed.values()), "the world gives no figure"
            first = cache.evaluate(conn, territories=region.territories, period=period)
            conn.commit()
            stored = conn.execute("SELECT count(*) FROM figure_cache WHERE period = %s", (str(period),)).fetchone()[0]
            assert stored == len(computed) * len({cache.scope(t) for t in region.territories})
            # The second time every figure comes from the cache: providers that would fail are not called.
            second = cache.evaluate(conn, territories=region.territories, period=period,
                                    items=[_failing(item) for item in _items()])
            assert _text(first) == computed and _text(second) == computed
    for path in PATHS:
        answered = region.get(path)
        assert region.get(path) == answered                    # kept in memory, or from the figure cache
        assert _content(path, region.fresh(path)) == _content(path, answered), path  # computed from nothing


def test_an_event_applied_through_the_projector_shows_in_the_next_answer(region):
    before = region.get("/indicators/risorse_per_fondo")
    export_before = region.get("/indicators/export.csv")
    world = region.world
    aid = next(a for a, alloc in world.allocations.items()
               if alloc["year"] == 2025 and alloc["cents"] > alloc["committed"])
    paid_before = sum(p["amount"] for p in world.payments.values())
    world.act(aid, date(2025, 6, 1), [date(2025, 6, 2)])
    assert sum(p["amount"] for p in world.payments.values()) > paid_before
    region.apply_new()

    # Applied, not drained yet: its Ambito is moving, the answer is computed and shows the payment.
    moving = region.get("/indicators/risorse_per_fondo")
    assert moving != before and moving == region.get("/indicators/risorse_per_fondo")
    assert region.get("/indicators/export.csv") != export_before
    with psycopg.connect(region.url) as conn:
        assert cache.read_state(conn, [world.allocations[aid]["tenant"]]).moving
    # Drained: a new version; the answer is the same new one, and what is computed from nothing agrees.
    assert region.drain() > 0
    after = region.get("/indicators/risorse_per_fondo")
    assert after == moving and region.get("/indicators/risorse_per_fondo") == after
    assert region.fresh("/indicators/risorse_per_fondo") == after
    assert region.get("/indicators/export.csv") == region.fresh("/indicators/export.csv") != export_before


def _content(path: str, body: bytes):
    """What an answer says: a workbook's cells (its file also holds the instant it was written), else the bytes."""
    if not path.endswith(".xlsx"):
        return body
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _items():
    from services.reporting.indicators.evaluate import indicators
    return indicators()


def _failing(item):
    from dataclasses import replace

    def refuse(*_args, **_kwargs):
        raise AssertionError(f"{item.definition.code} computed again: its cached figures were not used")
    return replace(item, provider=refuse, grouped=refuse)


def test_the_publisher_stores_the_figures_it_recomputes_after_a_change(region, settings, topic_prefix):
    from datetime import datetime, timezone

    from shared.events.topics import statistics_topic
    from shared.kafka.clients import idempotent_producer

    world = region.world
    aid = next(a for a, alloc in world.allocations.items()
               if alloc["year"] == 2025 and alloc["cents"] > alloc["committed"])
    world.act(aid, date(2025, 6, 1), [date(2025, 6, 2)])
    region.apply_new()
    producer = idempotent_producer(settings.kafka_bootstrap, client_id="test-figure-cache")
    try:
        with psycopg.connect(region.url) as conn:
            drained, _sent = Publisher(catalogue=region.catalogue, producer=producer, topic=statistics_topic(),
                                       years=1).run_once(conn, now=datetime(2025, 7, 1, tzinfo=timezone.utc))
    finally:
        producer.close(timeout=10)
    assert drained > 0
    # The 2025 figures of every territory the payment's Ambito counts in (the region's total, a merged Ambito
    # whole, by former territory and its own records) are stored under the stamps of now: answers read them.
    total = next(t for t in region.territories if t.level == territories.REGION)
    changed = territories.affected(list(region.catalogue), {world.allocations[aid]["tenant"]})
    assert total in changed and len(changed) >= 2
    with psycopg.connect(region.url) as conn:
        state = cache.read_state(conn, total.tenants)
        for territory in changed:
            now = cache.stamp(state, territory.tenants)
            stored = conn.execute("SELECT indicator, stamp FROM figure_cache WHERE period = '2025' AND scope = %s",
                                  (cache.scope(territory),)).fetchall()
            assert now is not None and len(stored) == len(_items()) and {s for _i, s in stored} == {now}, territory
        served = cache.evaluate(conn, territories=[total], period=PERIODS[0],
                                items=[_failing(item) for item in _items()])
        assert _text(served) == _text(evaluate(conn, territories=[total], period=PERIODS[0]))
