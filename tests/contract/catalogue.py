"""The event catalogue (events/) as tests use it."""
from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"


def event_types() -> list[str]:
    return sorted(p.name for p in EVENTS_DIR.iterdir() if p.is_dir())


def validator(event_type: str) -> Draft202012Validator:
    schema = json.loads((EVENTS_DIR / event_type / "schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def assert_valid_event(event_type: str, data: dict) -> None:
    """The event's data matches its catalogue schema; the message lists every violation."""
    assert (EVENTS_DIR / event_type).is_dir(), f"{event_type} is not in the event catalogue"
    errors = [f"{'/'.join(map(str, e.path)) or '(data)'}: {e.message}" for e in validator(event_type).iter_errors(data)]
    assert not errors, f"{event_type}: " + "; ".join(errors)
