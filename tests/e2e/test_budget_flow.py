"""FASE 2 to FASE 3 over the real processes (issue 10 item 10), HTTP and Kafka only:

two organisations registered in the registry -> consultation's replica -> a table, a need, a proposal
evaluated, assessed and accepted through consultation's API -> `proposal.accepted` reaches budget's
`accepted_proposals` through the real budget consumer -> an intervention answering it -> a fund
assignment -> an allocation -> the plan adopted, approved, sent, accepted by the Region's reviewer,
signed -> a commitment -> a payment. The budget topic is read back (every event valid against its
catalogue schema, the allocation's figures in the acts' events), and reporting's fund figures, fed by
the reporting consumer from that topic, equal the amounts the test used.

The processes: registry, consultation, budget and reporting APIs, relays and consumers on private ports,
with this module's own tenants, topic prefix and consumer groups (tests/e2e/conftest.py Suite). No process
calls another over HTTP.
"""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

import pytest

from shared.cli.demo import demo_tax_code
from shared.events.topics import service_topic
from shared.http.auth import mint_dev_token
from tests.contract.catalogue import assert_valid_event
from tests.e2e.conftest import KEY
from tests.e2e.flow import TopicReader, call, eventually, expect, running, time_bound, token

PROCESSES = ("registry-api", "registry-relay", "consultation-api", "consultation-consumer", "consultation-relay",
             "budget-api", "budget-relay", "budget-consumer", "reporting-api", "reporting-consumer")
BOUND_SECONDS = 420  # start-up of ten processes and the whole flow, on a loaded two-core machine
FUND, YEAR = "FNA", 2025
ASSIGNED, ALLOCATED, COMMITTED, PAID = "120000.00", "45000.50", "30000.25", "12500.10"
# What budget's relay must have published for this tenant by the end (type suffix -> how many).
EXPECTED = {"plan.created": 1, "intervention.planned": 1, "fund_assignment.recorded": 1, "allocation.made": 1,
            "plan.transitioned": 5, "commitment.recorded": 1, "payment.recorded": 1}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, settings):
    with time_bound(BOUND_SECONDS, "the budget e2e flow (start-up included)"):
        with running(tmp_path_factory.mktemp("budget-flow"), settings, PROCESSES) as suite:
            yield suite


def kinds(events) -> Counter:
    return Counter(".".join(e.type.split(".")[3:5]) for e in events)


def accepted_proposal(stack, slug: str, operator: str, run: str) -> tuple[str, dict]:
    """Two organisations in the registry, a table, a need, a proposal accepted in consultation: (org id, proposal)."""
    coordinator_subject, rep_subject = f"coord-{run}", f"rep-{run}"
    coordinator, rep = token(coordinator_subject, slug, "coordinator"), token(rep_subject, slug, "stakeholder")
    orgs = []
    for name, type_ in (("Cooperativa Sociale Aurora", "social_cooperative"), ("Comune di Lauria", "comune")):
        made = expect(201, call(stack, "POST", "registry", f"/v1/{slug}/stakeholders", operator, {
            "name": name, "type": type_, "tax_code": demo_tax_code(f"{name} {run}", "076"), "runts_section": None}))
        orgs.append(made["id"])
    org = orgs[0]

    def consultation(method, path, bearer, body=None, headers=None):
        return call(stack, method, "consultation", f"/v1/{slug}{path}", bearer, body, headers)

    status, seen, _ = eventually(lambda: consultation("GET", f"/organisations/{org}", operator),
                                 lambda r: r[0] == 200)
    assert status == 200, seen
    table = expect(201, consultation("POST", "/tables", operator, {
        "kind": "thematic", "title": "Tavolo tematico Persone anziane e non autosufficienza", "areas": ["3", "6"],
        "description": "Domiciliarità nei comuni dell'Ambito.", "coordinator": coordinator_subject}))
    expect(201, consultation("POST", f"/tables/{table['id']}/members", operator,
                             {"organisation_id": org, "accounts": [rep_subject]}))
    need = expect(201, consultation("POST", "/needs", rep, {
        "table_id": table["id"], "organisation_id": org, "title": "Assistenza domiciliare insufficiente",
        "description": "Liste d'attesa per l'assistenza domiciliare.", "area": "6", "target_group": "anziani",
        "comuni": [], "evidence": "Richieste allo sportello sociale."}))
    proposal = expect(201, consultation("POST", "/proposals", rep, {
        "table_id": table["id"], "organisation_id": org, "need_ids": [need["id"]],
        "title": "Assistenza domiciliare con regole uniche", "description": "Ore e criteri uguali in ogni comune.",
        "expected_outcome": "Liste d'attesa azzerate.", "deliverers": [org], "estimated_cost": "48000"}))
    pid = proposal["id"]
    expect(200, consultation("POST", f"/proposals/{pid}/evaluation", coordinator, {"valuators": [coordinator_subject]},
                             {"If-Match": consultation("GET", f"/proposals/{pid}", coordinator)[2]["ETag"]}))
    expect(200, consultation("PUT", f"/proposals/{pid}/assessment", coordinator, {
        "feasibility": "high", "feasibility_note": "Operatori disponibili.", "assessed_cost": "45000.50",
        "cost_note": "Ore di assistenza."}))
    accepted = expect(200, consultation("POST", f"/proposals/{pid}/decision", operator, {
        "outcome": "accepted", "answer": "Accolta: entra nel Piano."},
        {"If-Match": consultation("GET", f"/proposals/{pid}", operator)[2]["ETag"]}))
    assert accepted["status"] == "accepted", accepted
    return orgs, accepted


def test_from_the_accepted_proposal_to_the_payment_seen_in_kafka_and_in_reporting(stack):
    slug, run = stack.slugs[0], uuid.uuid4().hex[:8]
    operator = token(f"ufficio-{run}", slug, "operator")
    reviewer = mint_dev_token(key=KEY, subject=f"regione-{run}", roles=["regional-reviewer"], tenants=[])

    def budget(method, path, bearer=operator, body=None, headers=None):
        return call(stack, method, "budget", f"/v1/{slug}{path}", bearer, body, headers)

    # 1. FASE 2: the proposal accepted through consultation's real API.
    orgs, proposal = accepted_proposal(stack, slug, operator, run)

    # 2. Budget's replica receives it (and the organisations) through the real budget consumer.
    status, replica, _ = eventually(lambda: budget("GET", f"/accepted-proposals/{proposal['id']}"),
                                    lambda r: r[0] == 200)
    assert status == 200, replica
    assert (replica["status"], replica["estimated_cost"], replica["origin"]) == ("accepted", "48000.00", slug)
    for org in orgs:
        status, seen, _ = eventually(lambda: budget("GET", f"/organisations/{org}"), lambda r: r[0] == 200)
        assert (status, seen["status"]) == (200, "active"), seen

    # 3. The plan, an intervention answering the proposal, the fund's assignment and an allocation.
    plan = expect(201, budget("POST", "/plans", body={"first_year": 2024, "title": "Piano Sociale di Zona 2024-2026"},
                              headers={"Idempotency-Key": f"plan-{run}"}))
    intervention = expect(201, budget("POST", f"/plans/{plan['id']}/interventions", body={
        "code": "A6.1", "title": "Assistenza domiciliare sociale con regole uniche d'Ambito",
        "nomenclature_code": "2", "area": "6", "target_group": "anziani", "kind": "service",
        "managing_body": orgs[0], "planned_start": "2025-01-01", "planned_end": "2026-12-31",
        "proposal_ids": [proposal["id"]]}, headers={"Idempotency-Key": f"intervention-{run}"}))
    assert [p["proposal_id"] for p in intervention["proposals"]] == [proposal["id"]], intervention
    expect(201, budget("POST", "/fund-assignments", body={
        "fund": FUND, "year": YEAR, "amount": ASSIGNED, "decree_reference": "DPCM 3 ottobre 2022 - riparto FNA 2025",
        "decree_date": "2025-02-14"}, headers={"Idempotency-Key": f"assignment-{run}"}))
    allocation = expect(201, budget("POST", f"/interventions/{intervention['id']}/allocations", body={
        "fund": FUND, "year": YEAR, "amount": ALLOCATED}, headers={"Idempotency-Key": f"allocation-{run}"}))

    # 4. The approval path: adopt, approve, send (Ufficio di Piano), accept (the Region), sign.
    etag = budget("GET", f"/plans/{plan['id']}")[2]["ETag"]
    steps = (("adopt", operator, {}), ("approve", operator, {"approval_act": "Delibera n. 4 del 12/10/2024"}),
             ("send", operator, {}), ("accept", reviewer, {}),
             ("sign", operator, {"signed_on": date.today().isoformat(), "signatories": orgs}))
    for action, bearer, body in steps:
        answer = budget("POST", f"/plans/{plan['id']}/versions/1/{action}", bearer, body, {"If-Match": etag})
        moved = expect(200, answer)
        etag = answer[2]["ETag"]
    assert (moved["state"], moved["in_force_version"]) == ("signed", 1), moved

    # 5. Expenditure: a commitment on the approved allocation, a payment on the commitment.
    commitment = expect(201, budget("POST", f"/allocations/{allocation['id']}/commitments", body={
        "amount": COMMITTED, "act_date": date.today().isoformat(), "act_reference": "Determina n. 123",
        "supplier_id": orgs[0]}, headers={"Idempotency-Key": f"commitment-{run}"}))
    expect(201, budget("POST", f"/commitments/{commitment['id']}/payments", body={
        "amount": PAID, "act_date": date.today().isoformat(), "act_reference": "Liquidazione n. 310"},
        headers={"Idempotency-Key": f"payment-{run}"}))
    ledger = expect(200, budget("GET", f"/allocations/{allocation['id']}"))
    assert (ledger["amount"], ledger["committed"], ledger["paid"]) == (ALLOCATED, COMMITTED, PAID), ledger

    # 6. Kafka: budget's relay published every change, valid against the catalogue, keyed as documented.
    reader = TopicReader(stack.settings.kafka_bootstrap, service_topic("budget"))
    try:
        events = reader.until(lambda found: all(kinds(found)[k] >= n for k, n in EXPECTED.items()), tenant=slug)
    finally:
        reader.close()
    assert {k: kinds(events)[k] for k in EXPECTED} == EXPECTED, kinds(events)
    for event in events:
        assert_valid_event(event.type, event.data)
    moves = [e.data["to"] for e in events if e.type.endswith("plan.transitioned.v1")]
    assert moves == ["adopted", "approved", "sent", "accepted", "signed"], moves
    [paid] = [e for e in events if e.type.endswith("payment.recorded.v1")]
    assert paid.subject == allocation["id"], paid.subject
    assert paid.data["allocation"] == {"allocated": ALLOCATED, "committed": COMMITTED, "paid": PAID}, paid.data
    [planned] = [e for e in events if e.type.endswith("intervention.planned.v1")]
    assert planned.data["proposal_ids"] == [proposal["id"]], planned.data

    # 7. Reporting: the reporting consumer projected the money events; its figures are the test's amounts.
    def funds():
        return call(stack, "GET", "reporting", f"/v1/{slug}/statistics/funds?year={YEAR}", operator)

    figures = {"fund": FUND, "year": YEAR, "allocated": ALLOCATED, "committed": COMMITTED, "paid": PAID}
    status, stats, _ = eventually(funds, lambda r: r[0] == 200 and r[1]["funds"] == [figures])
    assert (status, stats["funds"]) == (200, [figures]), stats
    assert stats["totals"] == {"allocated": ALLOCATED, "committed": COMMITTED, "paid": PAID}, stats
    other_year = expect(200, call(stack, "GET", "reporting", f"/v1/{slug}/statistics/funds?year=2024", operator))
    assert other_year["funds"] == [], other_year
    refused = call(stack, "GET", "reporting", f"/v1/{slug}/statistics/funds",
                   token(f"rep-{run}", slug, "stakeholder"))
    assert refused[0] == 403, refused
