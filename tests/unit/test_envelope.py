import json

import pytest

from shared.events.envelope import EnvelopeError, from_kafka, new_event, to_kafka


def _event():
    return new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry",
                     tenant="pollino", aggregate_id="abc", data={"name": "Comune di Rotonda"})


def test_round_trip_keeps_every_attribute():
    event = _event()
    key, value, headers = to_kafka(event)
    assert key == b"pollino/abc"
    assert dict(headers)["ce_tenantid"] == b"pollino"
    assert dict(headers)["content-type"] == b"application/json"
    assert from_kafka(value, headers) == event


def test_data_is_plain_json_and_keeps_italian_text():
    event = new_event(type="it.pdz.registry.stakeholder.registered.v1", service="registry",
                      tenant="potenza", aggregate_id="1", data={"name": "Città di Potenza"})
    _key, value, _headers = to_kafka(event)
    assert json.loads(value) == {"name": "Città di Potenza"}


@pytest.mark.parametrize("drop", ["ce_id", "ce_type", "ce_tenantid", "ce_source", "ce_specversion"])
def test_missing_attribute_is_rejected(drop):
    _key, value, headers = to_kafka(_event())
    with pytest.raises(EnvelopeError, match=drop):
        from_kafka(value, [h for h in headers if h[0] != drop])


@pytest.mark.parametrize("value", [b"not json", b"[1, 2]", b"", None])
def test_data_must_be_a_json_object(value):
    _key, _value, headers = to_kafka(_event())
    with pytest.raises(EnvelopeError):
        from_kafka(value, headers)


def test_foreign_event_type_is_rejected():
    _key, value, headers = to_kafka(_event())
    headers = [(n, b"com.example.thing" if n == "ce_type" else v) for n, v in headers]
    with pytest.raises(EnvelopeError, match="not a PdZ event type"):
        from_kafka(value, headers)


def test_new_event_refuses_a_badly_named_type():
    with pytest.raises(ValueError):
        new_event(type="stakeholder-created", service="registry", tenant="x", aggregate_id="1", data={})
