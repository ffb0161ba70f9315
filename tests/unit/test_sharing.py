"""The sharing model: data sets of event types, receivers by origin and data set."""
from shared.sharing import DATA_SETS, Share, Sharing, data_set_of


def test_event_types_belong_to_their_data_set():
    assert data_set_of("it.pdz.registry.stakeholder.updated.v1") == "registry.stakeholders"
    assert data_set_of("it.pdz.consultation.table_member.added.v1") == "consultation.tables"
    assert data_set_of("it.pdz.consultation.proposal.accepted.v1") == "consultation.proposals"
    # Personal data and what only its owner needs are never shared.
    assert data_set_of("it.pdz.registry.personal_data.erased.v1") is None
    assert data_set_of("it.pdz.consultation.attendance.recorded.v1") is None
    assert data_set_of("it.pdz.registry.application.submitted.v1") is None


def test_receivers_by_origin_and_data_set():
    sharing = Sharing([Share("a", "c", ("registry.stakeholders", "consultation.needs")),
                       Share("b", "c", tuple(DATA_SETS)), Share("a", "d", ("consultation.needs",))])
    assert sharing.receivers("a", "consultation.needs") == ("c", "d")
    assert sharing.receivers("a", "consultation.tables") == ()
    assert sharing.receivers_of_event("b", "it.pdz.consultation.table.created.v1") == ("c",)
    assert sharing.receivers_of_event("a", "it.pdz.registry.personal_data.erased.v1") == ()
    assert [s.origin for s in sharing.into("c")] == ["a", "b"]
    assert [s.to for s in sharing.out_of("a")] == ["c", "d"]
