import json
import re
from pathlib import Path

import pytest

from tests.contract.catalogue import EVENTS_DIR, assert_valid_event, event_types, validator

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
TYPE_IN_CODE = re.compile(r'"(it\.pdz\.[a-z]+\.[a-z_]+\.[a-z_]+\.v\d+)"')


def test_the_catalogue_is_not_empty():
    assert event_types()


@pytest.mark.parametrize("event_type", event_types())
def test_each_type_has_a_valid_schema_and_a_valid_example(event_type):
    folder = EVENTS_DIR / event_type
    assert re.fullmatch(r"it\.pdz\.[a-z]+\.[a-z_]+\.[a-z_]+\.v\d+", event_type)
    validator(event_type)  # the schema itself is valid JSON Schema 2020-12
    examples = sorted(folder.glob("example*.json"))
    assert examples, f"{event_type} has no example"
    for example in examples:
        assert_valid_event(event_type, json.loads(example.read_text()))


def test_every_type_a_service_emits_is_in_the_catalogue():
    emitted = set()
    for events_module in SERVICES_DIR.glob("**/events.py"):
        emitted |= set(TYPE_IN_CODE.findall(events_module.read_text()))
    assert emitted, "no event type found in services/*/events.py"
    assert emitted <= set(event_types()), emitted - set(event_types())


def test_the_schema_catches_a_bad_event():
    with pytest.raises(AssertionError, match="type"):
        assert_valid_event("it.pdz.registry.stakeholder.registered.v1",
                           {"stakeholder_id": "5b0f7c1e-3a51-4d8e-9f3a-2c7d9e1b6a40", "name": "X Y",
                            "type": "spaceship", "registered_at": "2026-01-01T00:00:00+00:00"})


def test_the_committed_asyncapi_document_is_up_to_date():
    import yaml

    from shared.events.asyncapi import build

    committed = yaml.safe_load((EVENTS_DIR / "asyncapi.yaml").read_text())
    assert committed == build(EVENTS_DIR), "run `pdz events asyncapi` and commit events/asyncapi.yaml"
    assert committed["asyncapi"].startswith("3.")
