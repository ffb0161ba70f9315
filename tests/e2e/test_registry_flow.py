"""FASE 1 through the real stack: call -> applications -> admission -> events on Kafka -> reporting."""
from datetime import datetime, timedelta, timezone

from shared.cli.demo import demo_tax_code
from shared.events.envelope import EnvelopeError, from_kafka
from shared.events.topics import service_topic

from tests.contract.catalogue import assert_valid_event
from tests.integration.conftest import read_topic

PERSONAL = ("Giuseppe Verdi", "VRDGPP80A01E483X", "giuseppe.verdi@example.org", "Lucia Neri", "lucia.neri@example.org")


def application(call_id, name, type_="ets", **organisation):
    return {"call_id": call_id,
            "organisation": {"name": name, "type": type_, "tax_code": demo_tax_code(name, "076"),
                             "seat_istat": "076097", **organisation},
            "legal_representative": {"full_name": "Giuseppe Verdi", "email": "giuseppe.verdi@example.org"},
            "contact_person": {"full_name": "Lucia Neri", "email": "lucia.neri@example.org"},
            "areas": ["3"], "declarations": {"possesso_requisiti": True, "assenza_cause_esclusione": True,
                                             "presa_visione_informativa_privacy": True}}


def test_call_applications_admission_and_events(suite):
    a = suite.slugs[0]
    operator = suite.token(a)
    rep_one = suite.token(a, roles=("stakeholder",))
    now = datetime.now(timezone.utc)
    status, call = suite.call("POST", "registry", f"/v1/{a}/calls", operator, {
        "title": "Avviso pubblico - rete del Piano Intercomunale", "areas": ["3", "5"],
        "opens_at": (now - timedelta(minutes=5)).isoformat(), "closes_at": (now + timedelta(days=20)).isoformat()})
    assert status == 201, call
    # Publishing needs the ETag: urllib helper sends no If-Match, so the API answers 428 first.
    assert suite.call("POST", "registry", f"/v1/{a}/calls/{call['id']}/publish", operator)[0] == 428
    import json
    import urllib.request
    request = urllib.request.Request(
        f"http://127.0.0.1:{suite.ports['registry-api']}/v1/{a}/calls/{call['id']}/publish", method="POST",
        headers={"Authorization": f"Bearer {operator}", "If-Match": f'"{call["version"]}"'})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["status"] == "published"

    before = suite.stats(a)["total"]
    filed = []
    for name, sections in (("ODV Amici del Pollino", {"runts_section": "a"}),
                           ("APS Borghi Solidali", {"runts_section": "b"}),
                           ("Fondazione Valle del Mercure", {"runts_section": "c"})):
        status, body = suite.call("POST", "registry", f"/v1/{a}/applications", rep_one,
                                  application(call["id"], name, **sections))
        assert status == 201, body
        filed.append(body)
    assert [f["protocol_number"][-6:] for f in filed] == ["000001", "000002", "000003"]
    for f in filed[:2]:
        assert suite.call("POST", "registry", f"/v1/{a}/applications/{f['id']}/admit", operator)[0] == 200
    status, rejected = suite.call("POST", "registry", f"/v1/{a}/applications/{filed[2]['id']}/reject", operator,
                                  {"reason": "Domanda priva della documentazione richiesta."})
    assert status == 200 and rejected["status"] == "rejected"

    # Reporting counts the two admitted organisations.
    assert suite.wait_for_total(a, before + 2)["total"] == before + 2

    events = []
    for record in read_topic(suite.settings.kafka_bootstrap, service_topic("registry"), expect=10):
        try:
            event = from_kafka(record.value, record.headers)
        except EnvelopeError:
            continue  # the malformed record of another test
        if event.tenantid == a:
            events.append(event)
            assert_valid_event(event.type, event.data)
            for personal in PERSONAL:
                assert personal not in record.value.decode()
    types = [e.type.split(".")[3] + "." + e.type.split(".")[4] for e in events]
    for expected in ("call.drafted", "call.published", "application.submitted", "application.admitted",
                     "application.rejected", "stakeholder.registered"):
        assert expected in types, expected
    by_subject = {}
    for event in events:
        by_subject.setdefault(event.subject, []).append(event.type)
    assert by_subject[filed[0]["id"]] == ["it.pdz.registry.application.submitted.v1",
                                          "it.pdz.registry.application.admitted.v1"]
    # Nor do the logs of any process hold the people's data.
    for log in (suite.folder / "logs").glob("*.log"):
        text = log.read_text()
        for personal in PERSONAL:
            assert personal not in text, (log.name, personal)
