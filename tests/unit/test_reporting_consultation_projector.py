"""Reporting's consultation projectors, pure (services/reporting/consultation_projector*.py): events -> rows.

`applied` writes rows as the consumer's writer does (an Upsert inserts the key and its values, the other
columns taking the migration's defaults, or updates only when its `newer_than` column is lower than the
incoming value), on dictionaries: that a duplicate or an older event changes nothing is seen without a
database. Every event is the catalogue's example with fields changed, valid against its schema.
"""
from __future__ import annotations

import copy
import os
import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from shared.consumer.rows import Upsert

from services.reporting.projector import PROJECTORS, project
from tests.contract.catalogue import EVENTS_DIR
from tests.unit.test_reporting_consultation_fixtures import ev, example, uid

TENANT = "fasano"
# The migration's defaults (006_consultation_facts.sql) for the columns an Upsert may not name.
DEFAULTS = {
    "consultation_proposal_facts": {"status": None, "decided_at": None, "merged_into": None, "version": 0,
                                    "need_ids": [], "areas": [], "target_groups": [], "comuni": [],
                                    "estimated_cost": None, "submitted_at": None, "content_version": 0},
    "consultation_questionnaire_facts": {"status": None, "questions_count": None, "version": 0,
                                         "answer_sets_count": 0},
    "consultation_round_facts": {"status": None, "proposals_count": 0, "version": 0, "ballots_count": 0},
}


def applied(rows, tables=None):
    tables = copy.deepcopy(tables) if tables else {}
    for row in rows:
        assert isinstance(row, Upsert) and row.table.startswith("consultation_")
        table = tables.setdefault(row.table, {})
        key = tuple(sorted(row.key.items()))
        old = table.get(key)
        if old is None:
            table[key] = {**DEFAULTS.get(row.table, {}), **row.key, **row.values}
        elif row.newer_than is None or old[row.newer_than] < row.values[row.newer_than]:
            table[key] = {**old, **row.values}
    return tables


def applying(*events, tables=None):
    return applied([row for e in events for row in project(e)], tables)


T, S, ORG, ORG2, NEED, PROP, MS = (uid() for _ in range(7))
REG, ATT, MIN, Q, R, OFFER, MEMBER = (uid() for _ in range(7))
SESSION = dict(session_id=S, table_id=T)
PROPOSAL = dict(proposal_id=PROP, table_id=T, organisation_id=ORG)

# A plausible life of every consultation aggregate, in the order consultation sends it.
LIFE = [
    ev("table.created", TENANT, table_id=T), ev("table.updated", TENANT, table_id=T, version=2),
    ev("table_member.requested", TENANT, table_id=T, member_id=MEMBER, organisation_id=ORG),
    ev("table_member.admitted", TENANT, table_id=T, member_id=MEMBER, organisation_id=ORG),
    ev("session.scheduled", TENANT, **SESSION), ev("session.updated", TENANT, **SESSION),
    ev("session.invited", TENANT, **SESSION, organisation_ids=[ORG, ORG2]),
    ev("registration.waitlisted", TENANT, **SESSION, registration_id=REG, organisation_id=ORG),
    ev("registration.promoted", TENANT, **SESSION, registration_id=REG, organisation_id=ORG),
    ev("session.held", TENANT, **SESSION),
    ev("attendance.recorded", TENANT, **SESSION, attendance_id=ATT, organisation_id=ORG),
    ev("attendance.recorded", TENANT, **SESSION, attendance_id=ATT, organisation_id=ORG, mode="remote", version=2),
    ev("minutes.drafted", TENANT, **SESSION, minutes_id=MIN), ev("minutes.updated", TENANT, **SESSION, minutes_id=MIN),
    ev("minutes.approved", TENANT, **SESSION, minutes_id=MIN),
    ev("personal_data.erased", TENANT, session_ids=[S]),
    ev("need.recorded", TENANT, need_id=NEED, table_id=T, organisation_id=ORG),
    ev("need.updated", TENANT, need_id=NEED, table_id=T, organisation_id=ORG),
    ev("proposal.submitted", TENANT, **PROPOSAL, need_ids=[NEED]),
    ev("proposal.updated", TENANT, **PROPOSAL, need_ids=[NEED]),
    ev("proposal.evaluation_started", TENANT, **PROPOSAL),
    ev("proposal.assessed", TENANT, **PROPOSAL),
    ev("proposal.accepted", TENANT, **PROPOSAL, need_ids=[NEED]),
    ev("service_offer.added", TENANT, offer_id=OFFER, organisation_id=ORG),
    ev("service_offer.updated", TENANT, offer_id=OFFER, organisation_id=ORG),
    ev("questionnaire.created", TENANT, questionnaire_id=Q, table_id=T),
    ev("questionnaire.opened", TENANT, questionnaire_id=Q, table_id=T),
    ev("questionnaire.answered", TENANT, questionnaire_id=Q, table_id=T, answer_sets_count=1, replaced=False),
    ev("questionnaire.answered", TENANT, questionnaire_id=Q, table_id=T, answer_sets_count=2, replaced=False),
    ev("questionnaire.closed", TENANT, questionnaire_id=Q, table_id=T, answer_sets_count=2),
    ev("round.opened", TENANT, round_id=R, table_id=T), ev("round.ballot_cast", TENANT, round_id=R, table_id=T),
    ev("round.closed", TENANT, round_id=R, table_id=T, ballots_count=4),
    ev("milestone.planned", TENANT, milestone_id=MS), ev("milestone.updated", TENANT, milestone_id=MS),
]
FINAL = applying(*LIFE)


def one(tables, table):
    [row] = tables[table].values()
    return row


def test_the_life_ends_with_each_aggregate_as_it_stands():
    assert one(FINAL, "consultation_table_facts")["version"] == 2
    assert one(FINAL, "consultation_member_facts")["state"] == "member"
    assert one(FINAL, "consultation_session_facts")["status"] == "held"
    assert {dict(k)["organisation_id"] for k in FINAL["consultation_invitation_facts"]} == {uuid.UUID(ORG), uuid.UUID(ORG2)}
    registration = one(FINAL, "consultation_registration_facts")
    assert (registration["status"], registration["stage"]) == ("registered", 2)
    assert one(FINAL, "consultation_attendance_facts")["mode"] == "remote"
    assert one(FINAL, "consultation_minutes_facts")["status"] == "approved"
    assert one(FINAL, "consultation_erasure_facts")["entries_cleared"] == 2
    assert one(FINAL, "consultation_need_facts")["status"] == "closed"
    proposal = one(FINAL, "consultation_proposal_facts")
    assert (proposal["status"], proposal["version"], proposal["content_version"]) == ("accepted", 6, 6)
    assert proposal["need_ids"] == [uuid.UUID(NEED)] and proposal["estimated_cost"] == Decimal("18500.00")
    assert proposal["decided_at"].isoformat() == "2026-06-20T12:00:00+02:00"
    assert one(FINAL, "consultation_offer_facts")["capacity"] == 30
    questionnaire = one(FINAL, "consultation_questionnaire_facts")
    assert (questionnaire["status"], questionnaire["answer_sets_count"]) == ("closed", 2)
    round_ = one(FINAL, "consultation_round_facts")
    assert (round_["status"], round_["ballots_count"], round_["proposals_count"]) == ("closed", 4, 3)
    milestone = one(FINAL, "consultation_milestone_facts")
    assert (milestone["status"], milestone["actual_end"]) == ("done", date(2026, 6, 5))


def test_every_event_applied_twice_changes_nothing():
    assert applying(*LIFE, tables=FINAL) == FINAL
    assert applying(*[e for e in LIFE for _ in range(2)]) == FINAL


@settings(max_examples=200, deadline=None)
@given(st.permutations(range(len(LIFE))), st.lists(st.integers(0, len(LIFE) - 1), max_size=10))
def test_any_order_and_any_late_replay_end_with_the_same_rows(order, replays):
    # One aggregate's events share a partition and arrive in order; a replay or a retried batch may
    # still bring older ones after newer ones, and different aggregates interleave: any order holds.
    assert applying(*(LIFE[i] for i in order), *(LIFE[i] for i in replays)) == FINAL


def test_a_status_event_seen_before_an_older_whole_proposal_keeps_both():
    tables = applying(ev("proposal.rejected", TENANT, **PROPOSAL),
                      ev("proposal.submitted", TENANT, **PROPOSAL, need_ids=[NEED]))
    row = one(tables, "consultation_proposal_facts")
    assert (row["status"], row["version"]) == ("rejected", 5)
    assert row["need_ids"] == [uuid.UUID(NEED)] and row["submitted_at"] is not None


def test_a_cancelled_registration_is_not_reopened_by_its_late_registration():
    tables = applying(ev("registration.cancelled", TENANT, **SESSION, registration_id=REG, organisation_id=ORG),
                      ev("registration.registered", TENANT, **SESSION, registration_id=REG, organisation_id=ORG))
    assert one(tables, "consultation_registration_facts")["status"] == "cancelled"


def test_every_consultation_event_type_of_the_catalogue_has_a_projector():
    types = {p.name for p in EVENTS_DIR.iterdir() if p.name.startswith("it.pdz.consultation.")}
    assert types and types <= set(PROJECTORS)


FREE_TEXT = ("description", "expected_outcome", "evidence", "answer", "place", "agenda", "name")


@pytest.mark.parametrize("folder", sorted(p.name for p in EVENTS_DIR.iterdir()
                                          if p.name.startswith("it.pdz.consultation.")))
def test_no_free_text_of_an_example_reaches_a_row(folder):
    kind = folder.removeprefix("it.pdz.consultation.").removesuffix(".v1")
    for name in sorted(os.listdir(EVENTS_DIR / folder)):
        if not name.startswith("example"):
            continue
        data = example(kind, name)
        rows = project(ev(kind, TENANT, **data))
        assert rows, folder
        written = repr([(r.key, r.values) for r in rows])
        for field in FREE_TEXT:
            values = data.get(field)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and len(value) > 3:
                    assert value not in written, (folder, field)


def test_an_attendance_event_carrying_a_name_keeps_it_out():
    rows = project(ev("attendance.recorded", TENANT, **SESSION, attendance_id=ATT, organisation_id=ORG,
                      attendee_name="Maria Rossi", attendee_role="presidente"))
    assert "Maria Rossi" not in repr(rows) and "presidente" not in repr(rows)


@pytest.mark.parametrize("kind, field, value", [
    ("session.held", "starts_at", "10 marzo"), ("session.held", "version", "3"),
    ("session.invited", "organisation_ids", ["not-a-uuid"]), ("registration.registered", "status", "maybe"),
    ("attendance.recorded", "organisation_id", 7), ("need.recorded", "recorded_at", "2026-04-14T10:30:00"),
    ("proposal.submitted", "estimated_cost", 18500.0), ("proposal.rejected", "decided_at", "ieri"),
    ("milestone.updated", "planned_end", "31/05/2026"), ("questionnaire.answered", "answer_sets_count", -1),
    ("round.ballot_cast", "ballots_count", True), ("service_offer.added", "capacity", 25),
    ("personal_data.erased", "session_ids", "all"), ("table.created", "title", 7),
])
def test_a_malformed_field_is_a_value_error_naming_it(kind, field, value):
    data = {**example(kind), field: value}
    from shared.events.envelope import new_event
    event = new_event(type=f"it.pdz.consultation.{kind}.v1", service="consultation", tenant=TENANT,
                      aggregate_id="x", data=data)
    with pytest.raises(ValueError, match=field):
        project(event)


def test_a_missing_field_is_a_value_error_naming_it():
    data = example("milestone.planned")
    del data["planned_end"]
    from shared.events.envelope import new_event
    event = new_event(type="it.pdz.consultation.milestone.planned.v1", service="consultation", tenant=TENANT,
                      aggregate_id="x", data=data)
    with pytest.raises(ValueError, match="planned_end"):
        project(event)
