"""The indicator framework, pure: territories of an Ambito and a region, labelling, feed rows, changes, marks."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent
from shared.tenants import Tenant
from tests.contract.catalogue import assert_valid_event

from services.reporting import events, freshness
from services.reporting.indicators import feed, territories
from services.reporting.indicators.evaluate import (BadDimension, check_dimension, evaluate, figure_as_of,
                                                    services_of)
from services.reporting.indicators.model import Definition, Figure, Indicator, Period, Source
from services.reporting.publisher import changes, periods_of, watched_periods

A, B, C, P, F = (Tenant("lag", "Lagonegrese", "basilicata", status="merged", merged_into="lagpol"),
                 Tenant("pol", "Pollino", "basilicata"),
                 Tenant("lagpol", "Lagonegrese-Pollino", "basilicata", merged_from=("lag", "pol")),
                 Tenant("potenza", "Potenza", "basilicata"),
                 Tenant("fasano", "Fasano", "puglia"))
CATALOGUE = [A, B, C, P, F]
PERIOD = Period(2025)


def _definition(code="test_tenants", unit="numero", dimensions=("who",), events_=(
        "it.pdz.registry.stakeholder.registered.v1", "it.pdz.budget.payment.recorded.v1")):
    return Definition(code=code, name="Prova", unit=unit, kind="stock", formula="prova",
                      source_events=events_, dimensions=dimensions)


def _indicator(calls: list | None = None, **kwargs) -> Indicator:
    """A fake: one figure per call, its value the number of tenants asked for, naming them."""
    definition = _definition(**kwargs)

    def provider(conn, *, tenants, period):
        if calls is not None:
            calls.append(list(tenants))
        return [Figure(definition.code, period, Decimal(len(tenants)), {"who": "+".join(tenants)})]

    def tracer(conn, *, tenants, period, dimension, after, limit):
        return [Source("registry", "stakeholder", t, t) for t in tenants][:limit], None
    return Indicator(definition, provider, tracer)


def test_a_plain_ambito_is_itself():
    assert territories.of_ambito(P) == [territories.Territory("potenza", "ambito", ("potenza",), "potenza",
                                                              "basilicata")]


def test_a_merged_ambito_is_itself_whole_and_each_former_territory():
    found = [(t.code, t.level, t.tenants, t.ambito) for t in territories.of_ambito(C)]
    assert found == [("lagpol", "ambito", ("lagpol",), "lagpol"), ("lagpol", "whole", ("lagpol", "lag", "pol"), "lagpol"),
                     ("lag", "former", ("lag",), "lagpol"), ("pol", "former", ("pol",), "lagpol")]


def test_a_region_lists_its_ambiti_as_they_are_and_a_total_over_every_tenant():
    found = territories.of_region(CATALOGUE, "basilicata")
    ambiti = [(t.code, t.level) for t in found if t.level in ("ambito", "whole")]
    # Pollino is active but a former territory of Lagonegrese-Pollino: not a separate Ambito of the region.
    assert ambiti == [("lagpol", "ambito"), ("lagpol", "whole"), ("potenza", "ambito")]
    assert found[-1] == territories.Territory("basilicata", "region", ("lag", "lagpol", "pol", "potenza"), None,
                                              "basilicata")
    assert territories.regions(CATALOGUE) == {"basilicata", "puglia"}


def test_the_evaluation_calls_providers_with_each_territorys_tenants_and_labels_the_answers():
    calls: list = []
    item = _indicator(calls)
    result = evaluate(None, territories=territories.of_region(CATALOGUE, "basilicata"), period=PERIOD, items=[item])
    assert calls == [["lagpol"], ["lagpol", "lag", "pol"], ["lag"], ["pol"], ["potenza"],
                     ["lag", "lagpol", "pol", "potenza"]]
    labelled = [(one.territory.code, one.territory.level, one.figure.value) for one in result["test_tenants"]]
    assert labelled == [("lagpol", "ambito", 1), ("lagpol", "whole", 3), ("lag", "former", 1), ("pol", "former", 1),
                        ("potenza", "ambito", 1), ("basilicata", "region", 4)]


def test_a_provider_giving_another_indicators_figure_is_a_bug_not_a_figure():
    item = _indicator()
    wrong = Indicator(item.definition, lambda conn, *, tenants, period: [Figure("other", period, Decimal(1))],
                      item.tracer)
    with pytest.raises(ValueError, match="other"):
        evaluate(None, territories=territories.of_ambito(P), period=PERIOD, items=[wrong])


def test_the_feed_shows_a_merged_ambito_whole_its_former_territories_and_the_region():
    item = _indicator()
    found = territories.of_region(CATALOGUE, "basilicata")
    as_of = {"registry": datetime(2025, 5, 1, tzinfo=timezone.utc), "budget": datetime(2025, 4, 1, tzinfo=timezone.utc),
             "consultation": None}
    rows = feed.rows(evaluate(None, territories=found, period=PERIOD, items=[item]), territories=found,
                     items={item.definition.code: item}, as_of=as_of)
    assert [(r.territory_code, r.territory_type, r.value) for r in rows] == [
        ("lagpol", "ambito", 3), ("lag", "ambito_di_origine", 1), ("pol", "ambito_di_origine", 1),
        ("potenza", "ambito", 1), ("basilicata", "regione", 4)]
    # as_of: the oldest of the indicator's services' newest events (registry and budget here).
    assert {r.as_of for r in rows} == {datetime(2025, 4, 1, tzinfo=timezone.utc)}
    assert rows[0].dimension_key == "who=lagpol+lag+pol" and rows[0].unit == "numero"


def test_a_figure_per_comune_is_a_row_of_the_comune_from_its_ambito_only():
    definition = _definition(code="per_comune", dimensions=("comune", "fund"))
    item = Indicator(definition, lambda conn, *, tenants, period: [
        Figure("per_comune", period, Decimal("2.50"), {"comune": "076042", "fund": "FNPS"})], None)
    found = territories.of_region(CATALOGUE, "basilicata")
    rows = feed.rows(evaluate(None, territories=found, period=PERIOD, items=[item]), territories=found,
                     items={"per_comune": item}, as_of={})
    assert [(r.territory_code, r.territory_type, r.ambito, r.dimension) for r in rows] == [
        ("076042", "comune", "lagpol", (("fund", "FNPS"),)), ("076042", "comune", "potenza", (("fund", "FNPS"),))]
    assert rows[0].as_of is None


def test_services_and_freshness_of_an_indicator():
    item = _indicator()
    assert services_of(item) == ("budget", "registry")
    assert figure_as_of(item, {"registry": None, "budget": None}) is None


def test_a_trace_names_every_dimension_and_nothing_else():
    item = _indicator()
    assert check_dimension(item, {"who": "x"}) == {"who": "x"}
    with pytest.raises(BadDimension) as missing:
        check_dimension(item, {})
    with pytest.raises(BadDimension) as unknown:
        check_dimension(item, {"who": "x", "fund": "FNPS"})
    assert (missing.value.field, unknown.value.field) == ("who", "fund")


def _row(value, territory="potenza", dimension=(("who", "x"),)):
    return feed.FeedRow("test_tenants", territory, "ambito", "potenza", "2025", dimension, Decimal(value), "numero",
                        None)


def test_only_changed_figures_are_published_and_a_vanished_one_becomes_null():
    same, moved, new = _row("1"), _row("2", "other"), _row("5", "third")
    gone = _row("7", "gone")
    published = {("test_tenants", "ambito", "potenza", "who=x"): (same, Decimal("1.00"), 3),
                 ("test_tenants", "ambito", "other", "who=x"): (moved, Decimal("1"), 1),
                 ("test_tenants", "ambito", "gone", "who=x"): (gone, Decimal("7"), 2)}
    found = changes([same, moved, new], published)
    assert [(r.territory_code, v, p, n) for r, v, p, n in found] == [
        ("other", Decimal("2"), Decimal("1"), 2), ("third", Decimal("5"), None, 1), ("gone", None, Decimal("7"), 3)]
    # Published again after the change, nothing more to send.
    assert changes([same], {("test_tenants", "ambito", "potenza", "who=x"): (same, Decimal("1"), 3)}) == []


@given(st.lists(st.decimals(min_value=-10**6, max_value=10**6, places=2), min_size=1, max_size=20))
def test_publishing_what_changes_converges(values):
    published: dict = {}
    for value in values:
        rows = [_row(str(value))]
        for row, new, _previous, revision in changes(rows, published):
            published[("test_tenants", "ambito", row.territory_code, row.dimension_key)] = (row, new, revision)
        assert changes(rows, published) == []
    distinct_runs = 1 + sum(1 for a, b in zip(values, values[1:]) if a != b)
    assert published[("test_tenants", "ambito", "potenza", "who=x")][2] == distinct_runs


def test_the_changed_figure_event_matches_the_catalogue_and_keeps_its_id_when_sent_again():
    row = feed.FeedRow("test_tenants", "lag", "ambito_di_origine", "lagpol", "2025-Q2", (("fund", "FNPS"),),
                       Decimal("12.50"), "EUR", datetime(2025, 5, 1, tzinfo=timezone.utc))
    first = events.figure_changed(row, region="basilicata", value=row.value, previous=None, revision=1)
    again = events.figure_changed(row, region="basilicata", value=row.value, previous=None, revision=1)
    later = events.figure_changed(row, region="basilicata", value=Decimal("13"), previous=row.value, revision=2)
    assert_valid_event(events.FIGURE_CHANGED, first.data)
    assert_valid_event(events.FIGURE_CHANGED, later.data)
    assert first.id == again.id != later.id
    assert first.key == "lagpol/test_tenants/ambito_di_origine/lag/2025-Q2/fund=FNPS"
    removed = events.figure_changed(row, region="basilicata", value=None, previous=row.value, revision=3)
    assert removed.data["value"] is None
    assert_valid_event(events.FIGURE_CHANGED, removed.data)


def test_watched_periods_are_the_last_years_and_quarters_up_to_now():
    now = datetime(2026, 5, 10, 12, tzinfo=timezone.utc)
    assert [str(p) for p in watched_periods(now, years=2)] == [
        "2025", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026", "2026-Q1", "2026-Q2"]
    # New Year's Eve at 23:30 UTC is already the next year in Italy.
    assert {str(p) for p in periods_of([datetime(2025, 12, 31, 23, 30, tzinfo=timezone.utc)])} == {"2026", "2026-Q1"}


def test_an_applied_event_is_marked_with_its_tenant_service_and_time():
    event = CloudEvent(type="it.pdz.budget.payment.recorded.v1", source="/pdz/budget/potenza", tenantid="potenza",
                       subject="x", data={}, id="e-1", time="2025-03-01T10:00:00+00:00")
    projectors = freshness.marked({event.type: lambda e: [Upsert("t", key={"k": 1})], "other": lambda e: []})
    rows = projectors[event.type](event)
    assert rows[-1] == Upsert("figure_marks", key={"event_id": "e-1"}, values={
        "tenant": "potenza", "service": "budget", "event_time": datetime(2025, 3, 1, 10, tzinfo=timezone.utc)})
    assert projectors["other"](event) == []  # nothing projected, nothing changed


def test_affected_territories_of_a_former_ambitos_change_are_its_successors_and_the_region():
    found = {(t.code, t.level) for t in territories.affected(CATALOGUE, {"pol"})}
    assert found == {("lagpol", "ambito"), ("lagpol", "whole"), ("lag", "former"), ("pol", "former"),
                     ("basilicata", "region")}
    assert territories.affected(CATALOGUE, {"unknown"}) == []


def test_a_grouped_provider_answers_every_territory_in_one_call_with_the_same_labels():
    plain = _indicator()
    calls: list = []

    def grouped(conn, *, groups, period):
        calls.append(groups)
        return {label: plain.provider(conn, tenants=tenants, period=period) for label, tenants in groups.items()}
    fast = Indicator(plain.definition, plain.provider, plain.tracer, grouped)
    found = territories.of_region(CATALOGUE, "basilicata")
    assert evaluate(None, territories=found, period=PERIOD, items=[fast]) == evaluate(
        None, territories=found, period=PERIOD, items=[plain])
    assert len(calls) == 1 and calls[0]["whole:lagpol"] == ["lagpol", "lag", "pol"]
    assert calls[0]["region:basilicata"] == ["lag", "lagpol", "pol", "potenza"]
