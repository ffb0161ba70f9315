"""Consultation events for reporting's tests (no tests here): the catalogue's examples with fields changed.

Every event built is checked against its catalogue schema, so the projectors are tested on events
consultation may really send. Used by the unit tests of the projectors and by the integration tests
of the participation, funnel and cronoprogramma indicators.
"""
from __future__ import annotations

import copy
import json
import uuid

from shared.events.envelope import CloudEvent, new_event

from tests.contract.catalogue import EVENTS_DIR, assert_valid_event

_EXAMPLES: dict[str, dict] = {}


def example(kind: str, name: str = "example.json") -> dict:
    """A copy of the catalogue's example data for `kind` (e.g. "session.held")."""
    path = EVENTS_DIR / f"it.pdz.consultation.{kind}.v1" / name
    key = str(path)
    if key not in _EXAMPLES:
        _EXAMPLES[key] = json.loads(path.read_text())
    return copy.deepcopy(_EXAMPLES[key])


def ev(kind: str, tenant: str, /, *, subject=None, drop: tuple = (), **fields) -> CloudEvent:
    """The example of `kind` with `fields` replacing its own (ids as strings), valid against the catalogue."""
    data = example(kind)
    for name in drop:
        data.pop(name, None)
    data.update({k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in fields.items()})
    type_ = f"it.pdz.consultation.{kind}.v1"
    assert_valid_event(type_, data)
    return new_event(type=type_, service="consultation", tenant=tenant,
                     aggregate_id=str(subject or next(iter(data.values()))), data=data)


def uid() -> str:
    return str(uuid.uuid4())
