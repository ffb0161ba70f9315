"""FASE 1 to FASE 2 over the real processes (issue 8 item 11), HTTP and Kafka only:

registry admission of two organisations -> consultation's register replica -> a thematic table with both as
members and a named coordinator -> a session, invitations, registrations -> the session held, attendance ->
needs -> proposals -> a prioritisation round with two ballots -> in the middle, the registry withdraws one
organisation: once consultation's replica shows it, that organisation records and votes nothing more while
what it contributed stays -> the round closed -> the proposal evaluated and accepted ->
`it.pdz.consultation.proposal.accepted.v1` read back from Kafka, valid against its catalogue schema.

The processes: registry API and relay, consultation API, consumer and relay, on private ports, with this
module's own tenants, topic prefix and consumer group (tests/e2e/conftest.py Suite). No process calls another
over HTTP: consultation learns of the organisations only through the registry's events.
"""
from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from shared.cli.demo import demo_tax_code
from shared.events.topics import service_topic
from tests.contract.catalogue import assert_valid_event
from tests.e2e.flow import TopicReader, call, eventually, expect, refused, running, time_bound, token

PROCESSES = ("registry-api", "registry-relay", "consultation-api", "consultation-consumer", "consultation-relay")
BOUND_SECONDS = 240  # start-up of five processes and the whole flow, on a loaded two-core machine
ATTENDEES = ("Maria Bianchi", "presidente dell'associazione", "Antonio Esposito", "coordinatore dei volontari")
APPLICANTS = ("Giuseppe Verdi", "giuseppe.verdi@example.org", "Lucia Neri", "lucia.neri@example.org")
# What the relay must have published for this tenant by the end (type suffix -> how many).
EXPECTED = {"table.created": 1, "table_member.added": 2, "session.scheduled": 1, "session.invited": 1,
            "registration.registered": 2, "session.updated": 1, "session.held": 1, "attendance.recorded": 2,
            "need.recorded": 3, "proposal.submitted": 2, "round.opened": 1, "round.ballot_cast": 2,
            "round.closed": 1, "proposal.evaluation_started": 1, "proposal.assessed": 1, "proposal.accepted": 1}
ACCEPTED = "it.pdz.consultation.proposal.accepted.v1"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, settings):
    with time_bound(BOUND_SECONDS, "the consultation e2e flow (start-up included)"):
        with running(tmp_path_factory.mktemp("consultation-flow"), settings, PROCESSES) as suite:
            yield suite


def at(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).isoformat()


def if_match(answer) -> dict:
    return {"If-Match": answer[2]["ETag"]}


def kinds(events) -> Counter:
    return Counter(".".join(e.type.split(".")[3:5]) for e in events)


def admit_two(stack, slug, operator, reps) -> dict:
    """A published call, one application per organisation by its representative, both admitted: their ids."""
    made = expect(201, call(stack, "POST", "registry", f"/v1/{slug}/calls", operator, {
        "title": "Avviso pubblico - tavoli del Piano di Zona", "areas": ["3", "5"],
        "opens_at": at(timedelta(minutes=-5)), "closes_at": at(timedelta(days=20))}))
    expect(200, call(stack, "POST", "registry", f"/v1/{slug}/calls/{made['id']}/publish", operator,
                     headers={"If-Match": f'"{made["version"]}"'}))
    ids = {}
    for key, name in (("a", "APS Anziani Attivi del Mercure"), ("b", "ODV Rete Solidale di Lauria")):
        application = expect(201, call(stack, "POST", "registry", f"/v1/{slug}/applications", reps[key]["token"], {
            "call_id": made["id"],
            "organisation": {"name": name, "type": "ets", "runts_section": "b" if key == "a" else "a",
                             "seat_istat": "076042", "tax_code": demo_tax_code(name, "076")},
            "legal_representative": {"full_name": "Giuseppe Verdi", "email": "giuseppe.verdi@example.org"},
            "contact_person": {"full_name": "Lucia Neri", "email": "lucia.neri@example.org"},
            "areas": ["3"], "declarations": {"possesso_requisiti": True, "assenza_cause_esclusione": True,
                                             "presa_visione_informativa_privacy": True}}))
        assert application["submitted_by"] == reps[key]["subject"], application
        admitted = expect(200, call(stack, "POST", "registry",
                                    f"/v1/{slug}/applications/{application['id']}/admit", operator))
        ids[key] = admitted["stakeholder_id"]
        reps[key]["name"] = name
    return ids


def test_from_admission_to_the_accepted_proposal_with_a_withdrawal_in_the_middle(stack):
    slug, run = stack.slugs[0], uuid.uuid4().hex[:8]
    operator = token(f"ufficio-{run}", slug, "operator")
    coordinator_subject = f"coord-{run}"
    coordinator = token(coordinator_subject, slug, "coordinator")
    reps = {key: {"subject": f"rep-{key}-{run}", "token": token(f"rep-{key}-{run}", slug, "stakeholder")}
            for key in ("a", "b")}
    api = f"/v1/{slug}"

    def consultation(method, path, bearer, body=None, headers=None):
        return call(stack, method, "consultation", api + path, bearer, body, headers)

    # 1. Registry (FASE 1): both organisations admitted by the Ufficio di Piano.
    org = admit_two(stack, slug, operator, reps)
    a, b = org["a"], org["b"]

    # 2. The replica: consultation shows both as active, fed only by the registry's events.
    for key, organisation_id in org.items():
        status, seen, _ = eventually(lambda: consultation("GET", f"/organisations/{organisation_id}", operator),
                                     lambda r: r[0] == 200)
        assert status == 200, seen
        assert (seen["name"], seen["status"], seen["may_take_part"]) == (reps[key]["name"], "active", True), seen

    # 3. A thematic table with both as members (their representatives' accounts) and a named coordinator.
    table = expect(201, consultation("POST", "/tables", operator, {
        "kind": "thematic", "title": "Tavolo tematico Persone anziane e domiciliarità", "areas": ["3"],
        "description": "Bisogni e proposte per gli anziani delle frazioni.", "coordinator": coordinator_subject}))
    for key, organisation_id in org.items():
        member = expect(201, consultation("POST", f"/tables/{table['id']}/members", operator,
                                          {"organisation_id": organisation_id, "accounts": [reps[key]["subject"]]}))
        assert member["state"] == "member", member

    # 4. A session scheduled by the coordinator, the members invited.
    created = consultation("POST", f"/tables/{table['id']}/sessions", coordinator, {
        "title": "Primo incontro del tavolo", "starts_at": at(timedelta(hours=2)),
        "place": "Sala consiliare, Lauria", "agenda": ["Presentazione", "Bisogni del territorio"], "seat_limit": 10})
    session = expect(201, created)
    invited = expect(201, consultation("POST", f"/sessions/{session['id']}/invitations", coordinator, {}))
    assert sorted(invited["invited"]) == sorted([a, b]) and invited["not_invited"] == [], invited

    # 5. Each representative registers its own organisation; a seat each (the limit is not reached).
    for key, seats in (("a", 2), ("b", 1)):
        registration = expect(201, consultation("POST", f"/sessions/{session['id']}/registrations",
                                                reps[key]["token"], {"organisation_id": org[key], "seats": seats}))
        assert (registration["status"], registration["seats"], registration["on_behalf"]) == ("registered", seats,
                                                                                            False), registration

    # 6. The meeting starts now (the coordinator records the actual start), is held, attendance recorded.
    moved = consultation("PATCH", f"/sessions/{session['id']}", coordinator,
                         {"starts_at": at(timedelta(minutes=-1))}, if_match(created))
    expect(200, moved)
    held = expect(200, consultation("POST", f"/sessions/{session['id']}/hold", coordinator, headers=if_match(moved)))
    assert held["status"] == "held", held
    for organisation_id, mode, name, role in ((a, "in_person", *ATTENDEES[:2]), (b, "remote", *ATTENDEES[2:])):
        expect(201, consultation("POST", f"/sessions/{session['id']}/attendance", coordinator, {
            "organisation_id": organisation_id, "mode": mode, "attendee_name": name, "attendee_role": role}))
    summary = expect(200, consultation("GET", f"/sessions/{session['id']}/attendance-summary", reps["a"]["token"]))
    assert summary["totals"] == {"organisations": 2, "in_person": 1, "remote": 1}, summary
    assert not any(p in json.dumps(summary) for p in ATTENDEES), summary

    # 7. Needs: each representative for its own organisation (not for the other's).
    def need_of(key, title, target_group):
        return {"table_id": table["id"], "session_id": session["id"], "organisation_id": org[key], "title": title,
                "description": "Emerso nel primo incontro del tavolo.", "area": "3", "target_group": target_group,
                "comuni": ["076042"], "evidence": "Richieste allo sportello sociale nel 2025."}

    refused(consultation("POST", "/needs", reps["a"]["token"], need_of("b", "Bisogno altrui", "anziani")),
            403, "not-permitted")
    need_a = expect(201, consultation("POST", "/needs", reps["a"]["token"],
                                      need_of("a", "Isolamento degli anziani nelle frazioni", "anziani")))
    need_b = expect(201, consultation("POST", "/needs", reps["b"]["token"],
                                      need_of("b", "Assistenza domiciliare insufficiente", "anziani")))
    assert (need_a["recorded_by"], need_a["on_behalf"]) == (reps["a"]["subject"], False), need_a

    # 8. Proposals answering the needs, one per organisation.
    p1 = expect(201, consultation("POST", "/proposals", reps["a"]["token"], {
        "table_id": table["id"], "organisation_id": a, "need_ids": [need_a["id"], need_b["id"]],
        "title": "Navetta sociale delle frazioni", "description": "Trasporto a chiamata due giorni a settimana.",
        "expected_outcome": "Sessanta anziani raggiungono i servizi del capoluogo.", "deliverers": [a],
        "estimated_cost": "18500.50"}))
    p2 = expect(201, consultation("POST", "/proposals", reps["b"]["token"], {
        "table_id": table["id"], "organisation_id": b, "need_ids": [need_b["id"]],
        "title": "Rete di volontari per la domiciliarità", "description": "Visite settimanali a domicilio.",
        "expected_outcome": "Quaranta anziani soli visitati ogni settimana.", "deliverers": [b],
        "estimated_cost": "7200"}))
    assert (p1["estimated_cost"], p2["estimated_cost"]) == ("18500.50", "7200.00")

    # 9. A prioritisation round on both proposals; both organisations cast their ballots (all 10 points).
    round_ = expect(201, consultation("POST", "/rounds", coordinator, {
        "table_id": table["id"], "title": "Priorità del tavolo anziani", "proposal_ids": [p1["id"], p2["id"]],
        "points": 10, "closes_at": at(timedelta(days=1))}))
    for key, first, second in (("a", 7, 3), ("b", 4, 6)):
        expect(201, consultation("PUT", f"/rounds/{round_['id']}/ballots/{org[key]}", reps[key]["token"], {
            "allocations": [{"proposal_id": p1["id"], "points": first}, {"proposal_id": p2["id"], "points": second}]}))

    # 10. WITHDRAWAL in the registry: the Ufficio di Piano withdraws organisation b from the register.
    current = call(stack, "GET", "registry", f"{api}/stakeholders/{b}", operator)
    assert expect(200, current)["status"] == "active", current
    withdrawn = expect(200, call(stack, "PATCH", "registry", f"{api}/stakeholders/{b}", operator,
                                 {"status": "withdrawn"}, if_match(current)))
    assert withdrawn["status"] == "withdrawn", withdrawn
    status, seen, _ = eventually(lambda: consultation("GET", f"/organisations/{b}", operator),
                                 lambda r: r[0] == 200 and r[1]["status"] == "withdrawn")
    assert (seen["status"], seen["may_take_part"], seen["not_allowed_because"]) == (
        "withdrawn", False, "organisation-withdrawn"), seen
    # ... it takes effect: b's representative records no need and casts no ballot any more,
    refused(consultation("POST", "/needs", reps["b"]["token"], need_of("b", "Un bisogno dopo il recesso", "anziani")),
            409, "organisation-withdrawn")
    refused(consultation("PUT", f"/rounds/{round_['id']}/ballots/{b}", reps["b"]["token"], {
        "allocations": [{"proposal_id": p2["id"], "points": 10}]}), 409, "organisation-withdrawn")
    member_b = expect(200, consultation("GET", f"/tables/{table['id']}/members?organisation_id={b}", operator))
    assert [m["state"] for m in member_b["items"]] == ["ended"], member_b
    # ... while a's representative still contributes, and what b contributed before stays listed.
    expect(201, consultation("POST", "/needs", reps["a"]["token"],
                             need_of("a", "Solitudine nei mesi invernali", "anziani")))
    needs_b = expect(200, consultation("GET", f"/needs?organisation_id={b}", reps["a"]["token"]))
    assert [n["id"] for n in needs_b["items"]] == [need_b["id"]], needs_b
    proposals_b = expect(200, consultation("GET", f"/proposals?organisation_id={b}", reps["a"]["token"]))
    assert [p["id"] for p in proposals_b["items"]] == [p2["id"]], proposals_b
    ballot_b = expect(200, consultation("GET", f"/rounds/{round_['id']}/ballots/{b}", coordinator))
    assert {x["proposal_id"]: x["points"] for x in ballot_b["allocations"]} == {p1["id"]: 4, p2["id"]: 6}, ballot_b

    # 11. The coordinator closes the round: b's ballot, cast before the withdrawal, counts.
    open_round = consultation("GET", f"/rounds/{round_['id']}", operator)
    closed = expect(200, consultation("POST", f"/rounds/{round_['id']}/close", coordinator,
                                      headers=if_match(open_round)))
    results = closed["results"]
    assert (closed["status"], results["ballots_count"], results["total_points"]) == ("closed", 2, 20), closed
    assert [(r["rank"], r["proposal_id"], r["points"], r["organisations"]) for r in results["ranking"]] == [
        (1, p1["id"], 11, 2), (2, p2["id"], 9, 2)], results

    # 12. Evaluation (the coordinator assigns itself as valuator and assesses), then the Ufficio di Piano accepts.
    evaluating = expect(200, consultation("POST", f"/proposals/{p1['id']}/evaluation", coordinator,
                                          {"valuators": [coordinator_subject]},
                                          if_match(consultation("GET", f"/proposals/{p1['id']}", coordinator))))
    assert evaluating["status"] == "under_evaluation", evaluating
    expect(200, consultation("PUT", f"/proposals/{p1['id']}/assessment", coordinator, {
        "feasibility": "high", "feasibility_note": "Mezzi del Comune disponibili.",
        "assessed_cost": "19000.00", "cost_note": "Carburante e autista."}))
    accepted = expect(200, consultation("POST", f"/proposals/{p1['id']}/decision", operator, {
        "outcome": "accepted", "answer": "Accolta: risponde a due bisogni del tavolo; costo coerente."},
        if_match(consultation("GET", f"/proposals/{p1['id']}", operator))))
    assert accepted["status"] == "accepted" and accepted["answer"].startswith("Accolta"), accepted

    # 13. Kafka: the consultation relay published every change; the accepted event is what planning reads.
    reader = TopicReader(stack.settings.kafka_bootstrap, service_topic("consultation"))
    try:
        events = reader.until(lambda found: all(kinds(found)[k] >= n for k, n in EXPECTED.items()), tenant=slug)
        raw = [(r.value or b"").decode() + repr(r.headers) for r in reader.records]
    finally:
        reader.close()
    assert {k: kinds(events)[k] for k in EXPECTED} == EXPECTED, kinds(events)
    for event in events:
        assert_valid_event(event.type, event.data)
    created_events = [e for e in events if e.type == "it.pdz.consultation.table.created.v1"]
    assert [e.data["table_id"] for e in created_events] == [table["id"]], created_events
    [handed] = [e for e in events if e.type == ACCEPTED]
    assert (handed.subject, handed.data["proposal_id"], handed.data["estimated_cost"]) == (
        p1["id"], p1["id"], "18500.50"), handed.data
    assert (handed.data["organisation_id"], handed.data["table_id"], handed.data["deliverers"]) == (
        a, table["id"], [a]), handed.data
    assert [n["need_id"] for n in handed.data["needs"]] == [need_a["id"], need_b["id"]], handed.data
    assert handed.data["assessments"] == [{"feasibility": "high", "assessed_cost": "19000.00"}], handed.data
    [ranked] = [e for e in events if e.type == "it.pdz.consultation.round.closed.v1"]
    assert [(r["proposal_id"], r["points"]) for r in ranked.data["ranking"]] == [(p1["id"], 11), (p2["id"], 9)]
    # No attendee (name or role), no applicant, no account in any record of the consultation topic (the
    # search does see the records' text: the accepted proposal's title is there).
    assert [r for r in raw if "Navetta sociale delle frazioni" in r], "the records' text was not read"
    accounts = (coordinator_subject, reps["a"]["subject"], reps["b"]["subject"], f"ufficio-{run}")
    for text in (*ATTENDEES, *APPLICANTS, *accounts):
        assert not [r for r in raw if text in r], f"{text!r} is on the consultation topic"
