"""Consultation's register replica, pure: the projector (event -> rows) and who may take part."""
import uuid
from datetime import datetime, timezone

import pytest

from shared.consumer.rows import Delete, Upsert
from shared.events.envelope import new_event

from services.consultation.members import domain
from services.consultation.members.projector import STAKEHOLDER_REGISTERED, STAKEHOLDER_UPDATED
from services.consultation.projectors import PROJECTORS, project

SID = str(uuid.uuid4())


def registered(tenant="pollino", **data):
    payload = {"stakeholder_id": SID, "name": "APS Pollino Solidale", "type": "ets", "runts_section": "b",
               "runts_number": "12345", "seat_istat": "076097", "areas": ["3", "5"], "status": "active",
               "version": 1, "registered_at": "2026-03-02T10:15:00+00:00", **data}
    return new_event(type=STAKEHOLDER_REGISTERED, service="registry", tenant=tenant, aggregate_id=SID, data=payload)


def updated(version, status="active", tenant="pollino", **data):
    payload = {"stakeholder_id": SID, "name": "APS Pollino Solidale", "type": "ets", "runts_section": "b",
               "areas": ["3"], "status": status, "version": version, "changed": ["status"],
               "updated_at": f"2026-03-{version + 1:02d}T10:15:00+00:00", **data}
    return new_event(type=STAKEHOLDER_UPDATED, service="registry", tenant=tenant, aggregate_id=SID, data=payload)


def test_a_registration_becomes_the_organisation_row_and_its_first_status():
    event = registered()
    row, status = project(event)
    assert isinstance(row, Upsert) and row.table == "organisations" and row.newer_than == "version"
    assert row.key == {"origin": "pollino", "organisation_id": uuid.UUID(SID)}
    assert row.values == {"name": "APS Pollino Solidale", "type": "ets", "runts_section": "b", "seat_istat": "076097",
                          "areas": ["3", "5"], "status": "active", "version": 1,
                          "as_of": datetime(2026, 3, 2, 10, 15, tzinfo=timezone.utc), "source_event_id": event.id}
    assert status == Upsert("organisation_statuses", key={**row.key, "version": 1},
                            values={"status": "active", "as_of": row.values["as_of"]})


def test_the_origin_is_the_ambito_the_event_comes_from():
    [row, _] = project(registered(tenant="lagonegrese"))
    assert row.key["origin"] == "lagonegrese"


def test_an_update_carries_status_version_and_its_time():
    row, status = project(updated(3, "suspended"))
    assert row.values["status"] == "suspended" and row.values["version"] == 3
    assert row.values["as_of"] == datetime(2026, 3, 4, 10, 15, tzinfo=timezone.utc)
    assert status.key["version"] == 3 and status.values["status"] == "suspended"


def test_an_old_registration_without_later_fields_is_a_first_active_version():
    event = registered()
    for field in ("status", "version", "areas", "runts_section", "runts_number", "seat_istat"):
        del event.data[field]
    row, _ = project(event)
    assert row.values["status"] == "active" and row.values["version"] == 1
    assert row.values["areas"] == [] and row.values["runts_section"] is None and row.values["seat_istat"] is None


def test_fields_it_does_not_read_are_ignored_and_no_tax_code_or_person_is_kept():
    row, _ = project(registered(future_field={"x": 1}, application_id=str(uuid.uuid4()),
                                protocol_number="2026/000001"))
    assert set(row.values) == {"name", "type", "runts_section", "seat_istat", "areas", "status", "version", "as_of",
                               "source_event_id"}


def test_the_same_event_twice_gives_the_same_rows():
    event = registered()
    assert project(event) == project(event)


def test_every_row_is_guarded_or_keyed_by_version_and_nothing_is_ever_deleted():
    # What makes duplicates and late, older snapshots harmless when the rows are applied: the
    # organisation row only moves to a higher version, the status history is keyed by version.
    for event in (registered(), updated(2, "suspended"), updated(3, "withdrawn")):
        rows = project(event)
        assert not any(isinstance(r, Delete) for r in rows)
        assert rows[0].newer_than == "version"
        assert "version" in rows[1].key


@pytest.mark.parametrize("field, value", [("stakeholder_id", "x"), ("stakeholder_id", 5), ("version", "2"),
                                          ("version", True), ("status", "expelled"), ("registered_at", "ieri"),
                                          ("registered_at", "2026-03-02T10:15:00"), ("areas", "3"),
                                          ("name", None)])
def test_a_value_it_cannot_use_is_a_value_error_naming_the_field(field, value):
    # The consumer dead-letters the event with this reason and goes on.
    with pytest.raises(ValueError, match=field):
        project(registered(**{field: value}))


def test_a_missing_required_field_is_an_error():
    event = updated(2)
    del event.data["updated_at"]
    with pytest.raises(KeyError):
        project(event)


def test_of_the_registry_it_reads_the_stakeholder_and_profile_events_only():
    registry = {t for t in PROJECTORS if t.startswith("it.pdz.registry.")}
    assert registry == {STAKEHOLDER_REGISTERED, STAKEHOLDER_UPDATED, "it.pdz.registry.profile.updated.v1"}
    other = new_event(type="it.pdz.registry.call.published.v1", service="registry", tenant="x", aggregate_id="1",
                      data={})
    assert project(other) == []


# -- who may take part -------------------------------------------------------------------------------

def organisation(status="active", origin="pollino"):
    return {"id": uuid.UUID(SID), "origin": origin, "status": status}


def test_an_active_organisation_of_the_ambito_may_be_invited_and_contribute():
    assert domain.may_take_part(organisation(), tenant="pollino")
    domain.ensure_may_be_invited(organisation(), tenant="pollino")
    domain.ensure_may_contribute(organisation(), tenant="pollino")


@pytest.mark.parametrize("org, refused", [
    (organisation("suspended"), domain.SuspendedOrganisation),
    (organisation("withdrawn"), domain.WithdrawnOrganisation),
    (None, domain.UnknownOrganisation),
    (organisation(origin="lagonegrese"), domain.SharedOrganisation),
])
def test_suspended_withdrawn_unknown_and_shared_organisations_may_not(org, refused):
    assert not domain.may_take_part(org, tenant="pollino")
    for ensure in (domain.ensure_may_be_invited, domain.ensure_may_contribute):
        with pytest.raises(refused) as raised:
            ensure(org, tenant="pollino")
        assert isinstance(raised.value, domain.NotAllowed) and raised.value.code


def test_each_refusal_is_a_fresh_exception():
    org = organisation("withdrawn")
    assert domain.refusal(org, tenant="pollino") is not domain.refusal(org, tenant="pollino")


def test_a_status_it_does_not_know_is_refused_loudly():
    with pytest.raises(ValueError):
        domain.refusal(organisation("expelled"), tenant="pollino")


def test_suspension_pauses_memberships_and_withdrawal_ends_them():
    assert domain.membership_effect("active") == domain.IN_EFFECT
    assert domain.membership_effect("suspended") == domain.PAUSED
    assert domain.membership_effect("withdrawn") == domain.ENDED


def test_a_membership_resumes_after_a_suspension():
    history = [(1, "active"), (2, "suspended"), (3, "active")]
    assert domain.membership_state(joined_version=1, history=history, status="active") == domain.IN_EFFECT
    assert domain.membership_state(joined_version=1, history=history[:2], status="suspended") == domain.PAUSED


def test_a_withdrawal_ends_a_membership_for_good_even_after_a_new_admission():
    # Withdrawn at version 2, admitted again at version 3 (the registry can): the table membership
    # taken at version 1 stays ended; the organisation must be invited again.
    history = [(3, "active"), (1, "active"), (2, "withdrawn")]   # any order
    assert domain.membership_state(joined_version=1, history=history, status="active") == domain.ENDED
    # A membership taken after the new admission is in effect.
    assert domain.membership_state(joined_version=3, history=history, status="active") == domain.IN_EFFECT
    # And may be taken: the organisation is active again.
    assert domain.may_take_part(organisation("active"), tenant="pollino")
