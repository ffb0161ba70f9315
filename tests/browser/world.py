"""A small region for the portal's browser tests, written into a fresh reporting database through the
real projectors (services/reporting/projector.py) and the consumer's writer (apply_rows), from events
built on the catalogue's examples (events/<type>/example.json) with this world's ids and figures.

Basilicata: two former Ambiti (A: Lagonegrese, B: Pollino) merged into C, with comuni and populations
(approximate, DOMAIN.md), organisations, C's Piano signed with two interventions and money on three
funds, one of them answering the accepted proposal of C's consultation table (3 needs, 2 proposals,
a session held), A's money of before the merger; Puglia: D (Fasano) with one fund. Organisations only.
"""
from __future__ import annotations

import copy
import json
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg

from shared.consumer.rows import apply_rows
from shared.events.envelope import CloudEvent
from services.registry.profile import istat
from services.reporting import freshness
from services.reporting.projector import PROJECTORS

EVENTS = Path(__file__).resolve().parents[2] / "events"
COMUNI = {
    "A": {"Lauria": 12500, "Lagonegro": 5200, "Maratea": 5000},
    "B": {"Viggianello": 2900, "Rotonda": 3300, "Senise": 6900},
    "D": {"Fasano": 38700, "Cisternino": 11400, "Ostuni": 30700},
}
COMUNI["C"] = {**COMUNI["A"], **COMUNI["B"]}
CAPOFILA = {"A": "Lauria", "B": "Viggianello", "C": "Viggianello", "D": "Fasano"}
REGION = {"A": "basilicata", "B": "basilicata", "C": "basilicata", "D": "puglia"}
ORGANISATIONS = {
    "A": [("Comune di Lauria", "comune", None), ("Associazione Volontari Lagonegresi ODV", "ets", "a")],
    "B": [("APS Pollino Solidale", "ets", "b")],
    "C": [("Comune di Viggianello (capofila)", "comune", None), ("Cooperativa Sociale Aurora", "social_cooperative", None)],
    "D": [("Consorzio CIISAF", "public_body", None), ("Caritas Cittadina Fasano ODV", "ets", "a"),
          ("Comune di Fasano (capofila)", "comune", None)],
}
# (territory, intervention code, title, area, [(fund, year, allocated, committed, paid)])
MONEY = [
    ("C", "A4.1", "Centro servizi per il contrasto alla povertà", "4",
     [("FNPS", 2025, "120000.00", "45000.00", "15000.00"), ("Fondo Povertà", 2026, "30000.00", "0.00", "0.00")]),
    ("C", "A5.1", "Assistenza domiciliare per le persone con disabilità", "5",
     [("FNA", 2025, "45000.50", "30000.25", "12500.10")]),
    ("A", "L3.1", "Trasporto sociale per gli anziani delle frazioni", "3",
     [("FNPS", 2023, "10000.00", "10000.00", "10000.00")]),
    ("D", "F1.1", "Segretariato sociale", "socio-educativa", [("FNPS", 2025, "50000.00", "20000.00", "20000.00")]),
]


ANSWERS_PROPOSAL = "A4.1"   # the intervention answering C's accepted proposal


def example(event_type: str) -> dict:
    return copy.deepcopy(json.loads((EVENTS / event_type / "example.json").read_text()))


def _event(event_type: str, tenant: str, subject: str, data: dict, *, at: str) -> CloudEvent:
    return CloudEvent(type=event_type, source=f"/pdz/{event_type.split('.')[2]}/{tenant}", tenantid=tenant,
                      subject=subject, data=data, time=at)


def _profile(key: str, slug: str, name: str) -> CloudEvent:
    codes = {c.name: code for code, c in istat.official_list().items()}
    data = example("it.pdz.registry.profile.updated.v1")
    data.update(name=name, region=REGION[key], capofila_istat=codes[CAPOFILA[key]],
                total_population=sum(COMUNI[key].values()), version=1, updated_at="2025-01-15T09:00:00+00:00",
                comuni=[{"istat_code": codes[n], "name": n, "province": "PZ" if key != "D" else "BR",
                         "population": p, "population_date": "2025-01-01"} for n, p in COMUNI[key].items()])
    return _event("it.pdz.registry.profile.updated.v1", slug, slug, data, at=data["updated_at"])


def _organisation(slug: str, name: str, type_: str, section) -> CloudEvent:
    data = example("it.pdz.registry.stakeholder.registered.v1")
    data.update(stakeholder_id=str(uuid.uuid4()), name=name, type=type_, runts_section=section,
                registered_at="2025-02-01T09:00:00+00:00")
    return _event("it.pdz.registry.stakeholder.registered.v1", slug, data["stakeholder_id"], data,
                  at=data["registered_at"])


def _plan(slug: str, plan_id: str) -> list[CloudEvent]:
    created = example("it.pdz.budget.plan.created.v1") | {"plan_id": plan_id}
    events = [_event("it.pdz.budget.plan.created.v1", slug, plan_id, created, at=created["created_at"])]
    for version, (action, before, after) in enumerate(
            [("adopt", "draft", "adopted"), ("approve", "adopted", "approved"), ("send", "approved", "sent"),
             ("accept", "sent", "accepted"), ("sign", "accepted", "signed")], start=2):
        data = example("it.pdz.budget.plan.transitioned.v1") | {
            "plan_id": plan_id, "action": action, "from": before, "to": after, "version": version,
            "at": f"2024-{version + 6:02d}-10T10:00:00+00:00"}
        events.append(_event("it.pdz.budget.plan.transitioned.v1", slug, plan_id, data, at=data["at"]))
    return events


def _money(slug: str, plan_id: str, code: str, title: str, area: str, lines: list, *,
           proposals: list[str]) -> list[CloudEvent]:
    intervention = str(uuid.uuid4())
    planned = example("it.pdz.budget.intervention.planned.v1") | {
        "intervention_id": intervention, "plan_id": plan_id, "code": code, "title": title, "area": area,
        "comuni": [], "continues": None, "managing_body": None, "proposal_ids": proposals, "need_ids": []}
    events = [_event("it.pdz.budget.intervention.planned.v1", slug, intervention, planned, at=planned["updated_at"])]
    for fund, year, allocated, committed, paid in lines:
        allocation = str(uuid.uuid4())
        ids = {"allocation_id": allocation, "intervention_id": intervention, "plan_id": plan_id, "fund": fund,
               "year": year}
        made = example("it.pdz.budget.allocation.made.v1") | ids | {"amount": allocated, "version": 1}
        events.append(_event("it.pdz.budget.allocation.made.v1", slug, allocation, made, at="2024-10-01T10:00:00+00:00"))
        after = {"allocated": allocated, "committed": committed, "paid": "0.00"}
        if Decimal(committed):
            act = example("it.pdz.budget.commitment.recorded.v1") | ids | {
                "commitment_id": str(uuid.uuid4()), "amount": committed, "allocation": after, "supplier_id": None}
            events.append(_event("it.pdz.budget.commitment.recorded.v1", slug, allocation, act, at=act["recorded_at"]))
        if Decimal(paid):
            pay = example("it.pdz.budget.payment.recorded.v1") | ids | {
                "payment_id": str(uuid.uuid4()), "commitment_id": str(uuid.uuid4()), "amount": paid,
                "allocation": {**after, "paid": paid}, "commitment": {"committed": committed, "paid": paid}}
            events.append(_event("it.pdz.budget.payment.recorded.v1", slug, allocation, pay, at=pay["recorded_at"]))
    return events


def _consultation(slug: str) -> tuple[list[CloudEvent], str]:
    """One thematic table of C: 3 members, a session held with 2 organisations present, 3 needs,
    2 proposals of which 1 accepted (whose id is returned: an intervention answers it)."""
    c = "it.pdz.consultation."
    table = str(uuid.uuid4())
    organisations = [str(uuid.uuid4()) for _ in range(3)]
    found = [_event(c + "table.created.v1", slug, table, example(c + "table.created.v1") | {
        "table_id": table, "title": "Tavolo tematico povertà e inclusione", "areas": ["4"]}, at="2025-03-01T09:00:00+00:00")]
    for organisation in organisations:
        data = example(c + "table_member.added.v1") | {"table_id": table, "member_id": str(uuid.uuid4()),
                                                        "organisation_id": organisation}
        found.append(_event(c + "table_member.added.v1", slug, table, data, at="2025-03-02T09:00:00+00:00"))
    session = str(uuid.uuid4())
    for kind in ("session.scheduled.v1", "session.held.v1"):
        data = example(c + kind) | {"session_id": session, "table_id": table}
        found.append(_event(c + kind, slug, session, data, at="2025-03-10T18:00:00+00:00"))
    for organisation in organisations[:2]:
        data = example(c + "attendance.recorded.v1") | {"session_id": session, "table_id": table,
                                                         "attendance_id": str(uuid.uuid4()), "organisation_id": organisation}
        found.append(_event(c + "attendance.recorded.v1", slug, session, data, at="2025-03-10T19:00:00+00:00"))
    needs = [str(uuid.uuid4()) for _ in range(3)]
    for need, organisation in zip(needs, organisations):
        data = example(c + "need.recorded.v1") | {"need_id": need, "table_id": table, "organisation_id": organisation,
                                                   "area": "4", "session_id": None}
        found.append(_event(c + "need.recorded.v1", slug, need, data, at=data["recorded_at"]))
    proposals = [str(uuid.uuid4()) for _ in range(2)]
    for proposal, kind in zip(proposals, ("proposal.accepted.v1", "proposal.submitted.v1")):
        data = example(c + kind) | {"proposal_id": proposal, "table_id": table, "organisation_id": organisations[0],
                                    "need_ids": needs[:1], "deliverers": [organisations[0]], "areas": ["4"]}
        found.append(_event(c + kind, slug, proposal, data, at="2025-05-01T09:00:00+00:00"))
    return found, proposals[0]


def events(slugs: dict[str, str], names: dict[str, str]) -> list[CloudEvent]:
    """Every event of the world, `slugs` naming each territory's tenant (A, B, C, D)."""
    found = [_profile(k, slugs[k], names[k]) for k in slugs]
    found += [_organisation(slugs[k], *org) for k in slugs for org in ORGANISATIONS[k]]
    plans = {k: str(uuid.uuid4()) for k in slugs}
    found += _plan(slugs["C"], plans["C"])
    consultation, accepted = _consultation(slugs["C"])
    found += consultation
    for key, code, title, area, lines in MONEY:
        found += _money(slugs[key], plans[key], code, title, area, lines,
                        proposals=[accepted] if code == ANSWERS_PROPOSAL else [])
    return found


def load(url: str, slugs: dict[str, str], names: dict[str, str]) -> list[CloudEvent]:
    """Project the world's events as the reporting consumer does (its projectors with their freshness
    marks) and write their rows with the consumer's writer."""
    written = events(slugs, names)
    projectors = freshness.marked(PROJECTORS)
    with psycopg.connect(url) as conn:
        apply_rows(conn, [row for event in written for row in projectors[event.type](event)])
    return written
