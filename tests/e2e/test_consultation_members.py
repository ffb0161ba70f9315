"""Members known through events, over the real processes: registry API -> outbox -> relay -> Kafka ->
pdz-consultation-consumer -> each Ambito's consultation database -> pdz-consultation-api.

An organisation admitted in the registry appears in consultation's /organisations as active; the
registry suspends it, then withdraws it, and consultation shows each new status. The Ambito's
profile reaches /territory the same way. Nothing is called across services: only events.
"""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from shared.cli.demo import demo_tax_code
from shared.events.topics import all_topics
from shared.kafka.clients import ensure_topics
from shared.cli.provision import provision
from tests.e2e.conftest import Suite, free_port

PROCESSES = ("registry-api", "registry-relay", "consultation-api", "consultation-consumer", "consultation-relay")


@pytest.fixture(scope="module")
def stack(tmp_path_factory, settings):
    """The registry's API and relay, and consultation's API, consumer and relay, on this module's own
    tenants, topics and consumer group."""
    folder = tmp_path_factory.mktemp("consultation")
    suite = Suite(folder, settings)
    suite.ports.update({name: free_port() for name in PROCESSES if name not in suite.ports})
    provision(suite.catalogue, report=lambda *_: None)
    os.environ["PDZ_TOPIC_PREFIX"] = suite.prefix
    ensure_topics(settings.kafka_bootstrap, all_topics(partitions=3))
    try:
        for name in PROCESSES:
            suite.start(name)
        yield suite
    finally:
        suite.stop_all()
        os.environ.pop("PDZ_TOPIC_PREFIX", None)


def call(stack, method, service, path, token, body=None, headers=None):
    """(status, JSON body, response headers)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.ports[service + '-api']}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null"), exc.headers


def eventually(probe, done, *, timeout=60.0):
    """Call probe() until done(result) holds or the deadline passes; the last result."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def admitted_organisation(stack, slug, name):
    """Call, application, admission through the registry API; the new stakeholder's id."""
    operator, representative = stack.token(slug), stack.token(slug, roles=("stakeholder",))
    now = datetime.now(timezone.utc)
    status, made, _ = call(stack, "POST", "registry", f"/v1/{slug}/calls", operator, {
        "title": "Avviso pubblico - rete del Piano di Zona", "areas": ["3", "5"],
        "opens_at": (now - timedelta(minutes=5)).isoformat(), "closes_at": (now + timedelta(days=20)).isoformat()})
    assert status == 201, made
    status, published, _ = call(stack, "POST", "registry", f"/v1/{slug}/calls/{made['id']}/publish", operator,
                                headers={"If-Match": f'"{made["version"]}"'})
    assert status == 200, published
    status, application, _ = call(stack, "POST", "registry", f"/v1/{slug}/applications", representative, {
        "call_id": made["id"],
        "organisation": {"name": name, "type": "ets", "runts_section": "b", "seat_istat": "076097",
                         "tax_code": demo_tax_code(name, "076")},
        "legal_representative": {"full_name": "Giuseppe Verdi", "email": "giuseppe.verdi@example.org"},
        "contact_person": {"full_name": "Lucia Neri", "email": "lucia.neri@example.org"},
        "areas": ["3"], "declarations": {"possesso_requisiti": True, "assenza_cause_esclusione": True,
                                         "presa_visione_informativa_privacy": True}})
    assert status == 201, application
    status, admitted, _ = call(stack, "POST", "registry", f"/v1/{slug}/applications/{application['id']}/admit",
                               operator)
    assert status == 200 and admitted["stakeholder_id"], admitted
    return admitted["stakeholder_id"]


def set_status(stack, slug, stakeholder_id, status_now):
    operator = stack.token(slug)
    status, body, headers = call(stack, "GET", "registry", f"/v1/{slug}/stakeholders/{stakeholder_id}", operator)
    assert status == 200, body
    status, body, _ = call(stack, "PATCH", "registry", f"/v1/{slug}/stakeholders/{stakeholder_id}", operator,
                           {"status": status_now}, headers={"If-Match": headers["ETag"]})
    assert status == 200 and body["status"] == status_now, body


def test_an_admission_then_a_suspension_and_a_withdrawal_reach_consultation(stack):
    a, b = stack.slugs
    name = "APS Borghi Solidali del Pollino"
    stakeholder_id = admitted_organisation(stack, a, name)
    representative = stack.token(a, roles=("stakeholder",))

    def seen():
        return call(stack, "GET", "consultation", f"/v1/{a}/organisations/{stakeholder_id}", representative)

    status, body, _ = eventually(seen, lambda r: r[0] == 200)
    assert status == 200, body
    assert (body["name"], body["status"], body["may_take_part"], body["origin"]) == (name, "active", True, a)
    assert body["areas"] == ["3"] and body["runts_section"] == "b"
    status, page, _ = call(stack, "GET", "consultation", f"/v1/{a}/organisations?status=active&q=Borghi",
                           stack.token(a, roles=("auditor",)))
    assert status == 200 and [i["id"] for i in page["items"]] == [stakeholder_id], page

    set_status(stack, a, stakeholder_id, "suspended")
    status, body, _ = eventually(seen, lambda r: r[0] == 200 and r[1]["status"] == "suspended")
    assert body["status"] == "suspended", body
    assert (body["may_take_part"], body["not_allowed_because"]) == (False, "organisation-suspended")

    set_status(stack, a, stakeholder_id, "withdrawn")
    status, body, _ = eventually(seen, lambda r: r[0] == 200 and r[1]["status"] == "withdrawn")
    assert body["status"] == "withdrawn", body
    assert (body["may_take_part"], body["not_allowed_because"]) == (False, "organisation-withdrawn")
    assert body["version"] >= 3

    # The other Ambito's consultation database never received it.
    status, _, _ = call(stack, "GET", "consultation", f"/v1/{b}/organisations/{stakeholder_id}", stack.token(b))
    assert status == 404


def test_the_profile_reaches_the_territory(stack):
    a = stack.slugs[0]
    operator = stack.token(a)
    status, body, _ = call(stack, "PUT", "registry", f"/v1/{a}/profile", operator, {
        "name": "Ambito Socio Territoriale Lagonegrese-Pollino", "capofila_istat": "076097",
        "ente_gestore": None, "asl_district": "ASP Potenza – Distretto di Lauria",
        "comuni": [{"istat_code": "076097", "population": 2900, "population_date": "2025-01-01"},
                   {"istat_code": "076042", "population": 12500, "population_date": "2025-01-01"}]})
    assert status == 200, body
    status, territory, _ = eventually(
        lambda: call(stack, "GET", "consultation", f"/v1/{a}/territory", stack.token(a, roles=("stakeholder",))),
        lambda r: r[0] == 200)
    assert status == 200, territory
    assert territory["total_population"] == 15400
    assert [(c["istat_code"], c["name"], c["population"]) for c in territory["comuni"]] == [
        ("076097", "Viggianello", 2900), ("076042", "Lauria", 12500)]


def test_the_consultation_processes_are_ready(stack):
    for name in ("consultation-consumer", "consultation-relay"):
        with urllib.request.urlopen(f"http://127.0.0.1:{stack.ports[name]}/readyz", timeout=10) as response:
            assert response.status == 200, name
