"""Needs and proposals, pure: who records and edits, vocabularies, money (hypothesis), events against the catalogue."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from marshmallow import ValidationError

from shared import money

from services.consultation.contributions import domain, events
from services.consultation.contributions.schemas import AssessmentIn, ProposalIn, ProposalOut
from services.consultation.tables.access import Caller, NotAllowed
from tests.contract.catalogue import assert_valid_event

ORG, OTHER = uuid.uuid4(), uuid.uuid4()
TABLE = {"id": uuid.uuid4(), "coordinator": "coord-1", "status": "active"}
MEMBERS = [{"organisation_id": ORG, "state": "member", "accounts": ["rep-a"]},
           {"organisation_id": OTHER, "state": "member", "accounts": ["rep-b"]}]


def caller(subject, *roles):
    return Caller(subject, frozenset(roles))


# --- who records and who edits -------------------------------------------------------------------

def test_a_representative_records_for_its_own_organisation_only():
    assert domain.recorder(caller("rep-a", "stakeholder"), TABLE, MEMBERS, ORG, on_behalf=False) == "stakeholder"
    with pytest.raises(NotAllowed):
        domain.recorder(caller("rep-a", "stakeholder"), TABLE, MEMBERS, OTHER, on_behalf=False)
    # A representative cannot claim to be the office.
    with pytest.raises(NotAllowed):
        domain.recorder(caller("rep-a", "stakeholder"), TABLE, MEMBERS, ORG, on_behalf=True)


def test_the_office_records_on_behalf_of_members_only_and_says_so():
    assert domain.recorder(caller("op", "operator"), TABLE, MEMBERS, ORG, on_behalf=True) == "operator"
    assert domain.recorder(caller("coord-1", "coordinator"), TABLE, MEMBERS, ORG, on_behalf=True) == "coordinator"
    # Another table's coordinator is not this table's office.
    with pytest.raises(NotAllowed):
        domain.recorder(caller("coord-2", "coordinator"), TABLE, MEMBERS, ORG, on_behalf=True)
    with pytest.raises(NotAllowed, match="not a member"):
        domain.recorder(caller("op", "operator"), TABLE, MEMBERS, uuid.uuid4(), on_behalf=True)
    # Without on_behalf the operator is not a representative.
    with pytest.raises(NotAllowed):
        domain.recorder(caller("op", "operator"), TABLE, MEMBERS, ORG, on_behalf=False)


def test_editors_are_the_organisations_representatives_or_the_office():
    assert domain.editor(caller("rep-a", "stakeholder"), TABLE, MEMBERS, ORG) == "stakeholder"
    assert domain.editor(caller("op", "operator"), TABLE, MEMBERS, ORG) == "operator"
    assert domain.editor(caller("coord-1", "coordinator"), TABLE, MEMBERS, ORG) == "coordinator"
    for who in (caller("rep-b", "stakeholder"), caller("coord-2", "coordinator"), caller("aud", "auditor")):
        with pytest.raises(NotAllowed):
            domain.editor(who, TABLE, MEMBERS, ORG)
    left = [{**MEMBERS[0], "state": "left"}]
    with pytest.raises(NotAllowed):
        domain.editor(caller("rep-a", "stakeholder"), TABLE, left, ORG)


def test_decisions_are_the_operators():
    domain.ensure_may_decide(caller("op", "operator"))
    for roles in (("coordinator",), ("stakeholder",), ("auditor",), ("regional-admin",)):
        with pytest.raises(NotAllowed):
            domain.ensure_may_decide(caller("x", *roles))


def test_vocabularies_and_checks():
    assert set(domain.TARGET_GROUPS) >= {"minori", "anziani", "disabilita", "poverta_emarginazione"}
    assert domain.TARGET_GROUPS["disabilita"] == "Disabilità"
    with pytest.raises(domain.InvalidField, match="target_group"):
        domain.check_target_group("elderly")
    assert domain.check_area("3", ["1", "2", "3"]) == "3"
    with pytest.raises(domain.InvalidField, match="area"):
        domain.check_area("10", ["1", "2", "3"])
    assert domain.check_comuni(["076042", "076042", "076097"], None) == ["076042", "076097"]
    with pytest.raises(domain.InvalidField) as raised:
        domain.check_comuni(["076042", "074007"], {"076042"})
    assert raised.value.field == "comuni.1"
    with pytest.raises(domain.InvalidField) as raised:
        domain.check_valuators(["tecnico", "rep-a"], ["rep-a"])
    assert raised.value.field == "valuators.1"
    with pytest.raises(domain.TableClosed):
        domain.check_table_open({**TABLE, "status": "closed"})
    with pytest.raises(domain.ContributionError):
        domain.check_need_editable("closed")


# --- money: Decimal only, exact, never float -----------------------------------------------------

amounts = st.decimals(min_value=Decimal("0"), max_value=money.MAX, places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_an_amount_round_trips_exactly_through_its_string(value):
    text = money.format_amount(value)
    assert money.parse_amount(text) == value
    assert money.format_amount(money.parse_amount(text)) == text
    loaded = ProposalIn(partial=True).load({"estimated_cost": text})["estimated_cost"]
    assert isinstance(loaded, Decimal) and loaded == value
    assert ProposalOut().dump({"estimated_cost": loaded})["estimated_cost"] == text


@given(st.lists(amounts, min_size=1, max_size=20))
def test_sums_of_amounts_are_exact_to_the_cent(values):
    total = sum((money.parse_amount(money.format_amount(v)) for v in values), Decimal("0"))
    assert total == sum(values, Decimal("0")) and total == total.quantize(money.CENT)


def test_ten_cents_and_twenty_cents_are_thirty_cents():
    assert money.parse_amount("0.10") + money.parse_amount("0.20") == money.parse_amount("0.30")
    assert money.format_amount(money.parse_amount("0.1") + money.parse_amount("0.2")) == "0.30"


@pytest.mark.parametrize("value", [0.1, 12, 1e3, True, None, "-1.00", "1.001", "1,50", "01.00", "1e3", " 1.00",
                                   "NaN", "Infinity", "1234567890123.00", ""])
def test_what_is_not_an_amount_is_refused(value):
    with pytest.raises(money.NotAnAmount):
        money.parse_amount(value)
    with pytest.raises(ValidationError):
        AssessmentIn().load({"feasibility": "high", "assessed_cost": value})


def test_formatting_refuses_floats():
    with pytest.raises(TypeError):
        money.format_amount(0.3)
    assert money.format_amount(Decimal("5")) == "5.00" and money.format_amount(Decimal("0")) == "0.00"


# --- events: catalogued, no accounts, amounts as strings -----------------------------------------

NOW = datetime(2026, 4, 14, 8, 30, tzinfo=timezone.utc)


def need_row(**extra):
    return {"id": uuid.uuid4(), "table_id": TABLE["id"], "session_id": None, "organisation_id": ORG,
            "title": "Trasporto per anziani", "description": "Frazioni isolate", "area": "3",
            "target_group": "anziani", "comuni": ["076042"], "evidence": "", "status": "open", "on_behalf": True,
            "recorded_by": "mario.rossi", "recorded_by_role": "operator", "version": 1, "created_at": NOW,
            "updated_at": NOW, **extra}


def proposal_row(**extra):
    need = {"id": uuid.uuid4(), "area": "3", "target_group": "anziani", "comuni": ["076042"]}
    return {"id": uuid.uuid4(), "table_id": TABLE["id"], "organisation_id": ORG, "title": "Navetta sociale",
            "description": "d", "expected_outcome": "e", "needs": [need], "areas": ["3"], "target_groups": ["anziani"],
            "comuni": ["076042"], "deliverers": [OTHER], "estimated_cost": Decimal("0.30"), "status": "submitted",
            "valuators": ["mario.rossi"], "evaluation_started_at": NOW, "answer": None, "merged_into": None,
            "decided_at": None, "on_behalf": False, "recorded_by": "mario.rossi", "recorded_by_role": "stakeholder",
            "version": 1, "created_at": NOW, "assessments": [], "merged_from": [], **extra}


def test_need_events_match_the_catalogue_and_name_no_account():
    for event in (events.need_event(events.NEED_RECORDED, tenant="t", need=need_row()),
                  events.need_event(events.NEED_UPDATED, tenant="t", need=need_row(status="closed", version=2),
                                    changed=["status"], changed_by_role="operator")):
        assert_valid_event(event.type, event.data)
        assert "mario.rossi" not in str(event.data)
        assert event.data["on_behalf"] is True


def test_proposal_events_match_the_catalogue_and_carry_amounts_as_strings():
    assessment = {"valuator": "mario.rossi", "feasibility": "high", "assessed_cost": Decimal("1200.5"),
                  "assessed_at": NOW}
    row = proposal_row()
    built = [events.proposal_event(events.PROPOSAL_SUBMITTED, tenant="t", proposal=row),
             events.proposal_event(events.PROPOSAL_UPDATED, tenant="t", proposal=row, changed=["title"],
                                   changed_by_role="stakeholder"),
             events.evaluation_started(tenant="t", proposal=proposal_row(status="under_evaluation")),
             events.assessed(tenant="t", proposal=proposal_row(status="under_evaluation", assessments=[assessment]),
                             assessment=assessment)]
    for status, extra in (("accepted", {"assessments": [assessment], "merged_from": [uuid.uuid4()]}),
                          ("rejected", {}), ("merged", {"merged_into": uuid.uuid4()})):
        built.append(events.decided(tenant="t", proposal=proposal_row(status=status, answer="Motivazione",
                                                                      decided_at=NOW, **extra)))
    for event in built:
        assert_valid_event(event.type, event.data)
        assert "mario.rossi" not in str(event.data)
    accepted = built[4].data
    assert accepted["estimated_cost"] == "0.30" and accepted["assessments"][0]["assessed_cost"] == "1200.50"
    assert accepted["needs"][0]["area"] == "3" and accepted["deliverers"] == [str(OTHER)]
    assert built[3].data["assessed_cost"] == "1200.50"


def test_the_accepted_schema_refuses_a_float_cost():
    event = events.decided(tenant="t", proposal=proposal_row(
        status="accepted", answer="ok", decided_at=NOW,
        assessments=[{"feasibility": "low", "assessed_cost": Decimal("1"), "assessed_at": NOW}]))
    with pytest.raises(AssertionError, match="estimated_cost"):
        assert_valid_event(event.type, {**event.data, "estimated_cost": 0.3})


def test_the_use_cases_refuse_a_float_before_touching_the_database():
    from services.consultation.contributions import evaluation_service, proposals_service

    who = caller("rep-a", "stakeholder")
    with pytest.raises(TypeError, match="Decimal"):
        proposals_service.submit_proposal(conn=None, tenant="t", caller=who, table_id=TABLE["id"], organisation_id=ORG,
                                          on_behalf=False, title="t", description="d", expected_outcome="e",
                                          need_ids=[uuid.uuid4()], deliverers=[], estimated_cost=0.3)
    with pytest.raises(TypeError, match="Decimal"):
        evaluation_service.record_assessment(conn=None, tenant="t", caller=who, proposal_id=uuid.uuid4(),
                                             feasibility="high", feasibility_note="", assessed_cost=0.3, cost_note="")
