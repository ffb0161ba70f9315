"""Who manages a table and who acts for which organisation: pure rules."""
import uuid

import pytest

from services.consultation.tables.access import (Caller, NotAllowed, acting_for, ensure_acts_for,
                                                 ensure_manages, manages)

ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()
TABLE = {"coordinator": "coord-1"}
MEMBERS = [{"organisation_id": ORG_A, "accounts": ["rep-a"], "state": "member"},
           {"organisation_id": ORG_B, "accounts": ["rep-b", "rep-a"], "state": "left"}]


def caller(subject, *roles):
    return Caller(subject, frozenset(roles))


def test_the_office_and_the_named_coordinator_manage_a_table():
    assert manages(caller("anyone", "operator"), TABLE)
    assert manages(caller("coord-1", "coordinator"), TABLE)
    assert not manages(caller("coord-2", "coordinator"), TABLE)
    assert not manages(caller("coord-1", "stakeholder"), TABLE)  # the account, but not the role
    with pytest.raises(NotAllowed):
        ensure_manages(caller("coord-1", "auditor"), TABLE)


def test_a_representative_acts_only_for_memberships_in_force_listing_its_account():
    assert acting_for(caller("rep-a", "stakeholder"), MEMBERS) == [ORG_A]
    assert acting_for(caller("rep-b", "stakeholder"), MEMBERS) == []   # its membership ended
    assert acting_for(caller("rep-a", "auditor"), MEMBERS) == []       # the account, but not the role
    ensure_acts_for(caller("rep-a", "stakeholder"), MEMBERS, ORG_A)
    with pytest.raises(NotAllowed):
        ensure_acts_for(caller("rep-a", "stakeholder"), MEMBERS, ORG_B)


def test_the_office_records_on_behalf_of_members_only():
    ensure_acts_for(caller("op", "operator"), MEMBERS, ORG_A, on_behalf=True)
    with pytest.raises(NotAllowed, match="not a member"):
        ensure_acts_for(caller("op", "operator"), MEMBERS, ORG_B, on_behalf=True)
    with pytest.raises(NotAllowed):
        ensure_acts_for(caller("rep-a", "stakeholder"), MEMBERS, ORG_B, on_behalf=True)
