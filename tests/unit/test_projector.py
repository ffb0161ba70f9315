import uuid

import pytest

from shared.consumer.rows import Upsert
from shared.events.envelope import new_event

from services.reporting.projector import project


def _registered(**data):
    payload = {"stakeholder_id": str(uuid.uuid4()), "name": "APS Pollino Solidale", "type": "ets",
               "runts_section": "b", "registered_at": "2026-03-02T10:15:00+00:00", **data}
    return new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry",
                     tenant="pollino", aggregate_id=payload["stakeholder_id"], data=payload)


def test_registration_becomes_one_fact_keyed_by_tenant_and_stakeholder():
    event = _registered()
    row, *_ = project(event)  # the second row is its stakeholder_history version
    assert isinstance(row, Upsert)
    assert row.table == "stakeholder_facts"
    assert row.key == {"tenant": "pollino", "stakeholder_id": uuid.UUID(event.data["stakeholder_id"])}
    assert row.values["type"] == "ets" and row.values["source_event_id"] == event.id


def test_unknown_fields_are_ignored():
    row, *_ = project(_registered(future_field=[1, 2]))
    assert "future_field" not in row.values


def test_missing_field_is_an_error_for_the_dead_letter_topic():
    event = _registered()
    del event.data["type"]
    with pytest.raises(KeyError):
        project(event)


def test_event_types_reporting_does_not_read_give_no_rows():
    event = new_event(type="it.pdz.budget.fund.created.v1", service="budget", tenant="x",
                      aggregate_id="1", data={})
    assert project(event) == []


@pytest.mark.parametrize("field, value", [("stakeholder_id", 5), ("stakeholder_id", None), ("stakeholder_id", "x"),
                                          ("registered_at", 20260302), ("registered_at", "yesterday")])
def test_a_field_of_the_wrong_type_is_a_value_error(field, value):
    # Regression: uuid.UUID(5) raised AttributeError, which the old runner did not catch (it died).
    with pytest.raises(ValueError, match=field):
        project(_registered(**{field: value}))
