"""Budget's replicas of consultation's tables, needs and milestones, pure (services/budget/consultation_replicas/).

Each event is a full snapshot: the row is the event's fields, keyed by (origin, id), and the newer
`version` wins whatever the order; a field of the wrong type is a ValueError naming it.
"""
import itertools
import uuid
from datetime import date, datetime, timezone

import pytest

from shared.consumer.placement import where
from shared.events.envelope import new_event
from shared.sharing import data_set_of

from services.budget.consultation_replicas.projector import MILESTONE_TYPES, NEED_TYPES, TABLE_TYPES
from services.budget.projectors import PROJECTORS, project
from tests.unit.test_budget_projectors import applied, event, example

TABLE = "it.pdz.consultation.table.{}.v1"
NEED = "it.pdz.consultation.need.{}.v1"
MILESTONE = "it.pdz.consultation.milestone.{}.v1"


def consultation(event_type, tenant, data):
    return event(event_type, tenant, str(uuid.uuid4()), data, "consultation")


def table_event(verb, *, version, tenant="a", **change):
    data = {**example(TABLE.format(verb)), "version": version, **change}
    return consultation(TABLE.format(verb), tenant, data)


def need_event(verb, *, version, tenant="a", **change):
    data = {**example(NEED.format(verb)), "version": version, **change}
    return consultation(NEED.format(verb), tenant, data)


def milestone_event(verb, *, version, tenant="a", **change):
    data = {**example(MILESTONE.format(verb)), "version": version, **change}
    return consultation(MILESTONE.format(verb), tenant, data)


def test_a_table_becomes_its_row_with_origin_and_version():
    e = table_event("created", version=1)
    [row] = project(e)
    assert row.table == "consultation_tables" and row.newer_than == "version"
    assert row.key == {"origin": "a", "table_id": uuid.UUID("7d1c5e2a-4b8f-4c3e-9a61-0f2b8d7e6c15")}
    assert row.values == {"kind": "thematic", "title": "Tavolo tematico area socio-educativa",
                          "areas": ["socio-educativa"], "status": "active", "version": 1, "source_event_id": e.id}


def test_a_need_keeps_what_the_piano_shows_and_not_who_recorded_it():
    e = need_event("recorded", version=1)
    [row] = project(e)
    assert row.table == "consultation_needs"
    assert row.values["title"] == "Trasporto sociale per gli anziani delle frazioni"
    assert row.values["area"] == "3" and row.values["target_group"] == "anziani"
    assert row.values["comuni"] == ["076042", "076097"] and row.values["status"] == "open"
    assert row.values["as_of"] == datetime(2026, 4, 14, 8, 30, tzinfo=timezone.utc)
    assert "organisation_id" not in row.values and "recorded_by_role" not in row.values


def test_a_milestone_keeps_its_dates():
    [row] = project(milestone_event("updated", version=3))
    assert row.table == "consultation_milestones"
    assert (row.values["planned_start"], row.values["actual_end"]) == (date(2026, 4, 1), date(2026, 6, 5))
    assert row.values["phase"] == "fase_2" and row.values["status"] == "done" and row.values["table_id"] is None


@pytest.mark.parametrize("events", [
    [table_event("created", version=1), table_event("updated", version=2, title="Nuovo titolo"),
     table_event("closed", version=3, title="Nuovo titolo", status="closed")],
    [need_event("recorded", version=1), need_event("updated", version=2, status="closed"),
     need_event("snapshot", version=2, status="closed")],
    [milestone_event("planned", version=1), milestone_event("updated", version=3, status="done")],
])
def test_the_newest_version_wins_in_any_order_and_duplicates_change_nothing(events):
    expected = applied([r for e in events for r in project(e)])
    [newest] = [e for e in events if e.data["version"] == max(x.data["version"] for x in events)][:1]
    for order in itertools.permutations(events + events[:1]):
        tables = applied([r for e in order for r in project(e)])
        assert tables.keys() == expected.keys()
        [row] = next(iter(tables.values())).values()
        [want] = next(iter(expected.values())).values()
        # the same row whatever the order; the event that wrote it is the first of the newest version to arrive
        assert {**row, "source_event_id": None} == {**want, "source_event_id": None}
        assert row["version"] == newest.data["version"]


def test_the_newest_version_is_what_stays():
    rows = applied([r for e in (table_event("closed", version=3, status="closed"), table_event("created", version=1))
                    for r in project(e)])
    [table] = rows["consultation_tables"].values()
    assert table["status"] == "closed" and table["version"] == 3


def test_origins_are_kept_apart():
    rows = applied([r for e in (need_event("recorded", version=1, tenant="a"), need_event("recorded", version=1, tenant="b"))
                    for r in project(e)])
    assert {v["origin"] for v in rows["consultation_needs"].values()} == {"a", "b"}


@pytest.mark.parametrize("build, change, field", [
    (table_event, {"title": 12}, "title"),
    (table_event, {"table_id": "no"}, "table_id"),
    (need_event, {"comuni": "076042"}, "comuni"),
    (need_event, {"version": "2"}, "version"),
    (milestone_event, {"planned_start": "01/04/2026"}, "planned_start"),
])
def test_a_value_it_cannot_use_is_a_value_error_naming_the_field(build, change, field):
    verb = "created" if build is table_event else "recorded" if build is need_event else "planned"
    good = build(verb, version=1)
    bad = new_event(type=good.type, service="consultation", tenant="a", aggregate_id="x", data={**good.data, **change})
    with pytest.raises(ValueError, match=field):
        project(bad)


def test_tables_and_needs_are_placed_own_and_received_milestones_own_only():
    for t in TABLE_TYPES + NEED_TYPES:
        assert where(PROJECTORS[t]) == (True, True) and data_set_of(t) in {"consultation.tables", "consultation.needs"}
    for t in MILESTONE_TYPES:
        assert where(PROJECTORS[t]) == (True, False) and data_set_of(t) is None
