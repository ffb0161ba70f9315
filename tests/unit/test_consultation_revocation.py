"""What a revoked or narrowed share leaves to remove in the receiver's consultation database (pure)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from shared.sharing import DATA_SETS, Share, Sharing
from services.consultation.shared_replicas.revocation import REPLICA_TABLES, Revocation, restored, revocations

C = "ambito-c"
ALL = tuple(REPLICA_TABLES)


def present(*origins, data=ALL):
    return [(d, o) for o in origins for d in data]


def test_every_data_set_kept_in_consultation_has_replica_tables():
    assert set(REPLICA_TABLES) <= set(DATA_SETS)
    assert set(DATA_SETS) - set(REPLICA_TABLES) == {"budget.interventions"}  # not in this database


def test_a_share_removed_revokes_everything_of_its_origin_and_keeps_the_others_and_own():
    sharing = Sharing([Share("ambito-b", C, ALL)])
    found = revocations(tenant=C, sharing=sharing, present=present("ambito-a", "ambito-b", C))
    assert {(r.origin, r.data) for r in found} == {("ambito-a", d) for d in ALL}
    register = [r for r in found if r.data == "registry.stakeholders"]
    assert register == [Revocation("ambito-a", "registry.stakeholders", ("organisations",))] and register[0].marks
    assert not any(r.marks for r in found if r.data != "registry.stakeholders")


def test_narrowing_keeps_what_is_still_shared():
    sharing = Sharing([Share("ambito-a", C, ("consultation.needs",))])
    found = revocations(tenant=C, sharing=sharing, present=present("ambito-a"))
    assert {r.data for r in found} == set(ALL) - {"consultation.needs"}
    tables = next(r for r in found if r.data == "consultation.tables")
    assert tables.tables == ("replica_table_members", "replica_tables")  # children first


def test_no_sharing_declared_revokes_nothing_and_own_data_is_never_revoked():
    assert revocations(tenant=C, sharing=None, present=present("ambito-a")) == ()
    assert revocations(tenant=C, sharing=Sharing([]), present=present(C)) == ()


def test_a_data_set_without_replica_tables_is_a_programming_error():
    with pytest.raises(ValueError):
        revocations(tenant=C, sharing=Sharing([]), present=[("budget.interventions", "ambito-a")])


def test_marked_organisations_are_restored_when_the_register_is_shared_again():
    sharing = Sharing([Share("ambito-a", C, ("registry.stakeholders",)), Share("ambito-b", C, ("consultation.needs",))])
    assert restored(tenant=C, sharing=sharing, marked=["ambito-a", "ambito-b", C]) == ("ambito-a",)
    assert restored(tenant=C, sharing=None, marked=["ambito-a"]) == ()


origins = st.sampled_from(["ambito-a", "ambito-b", "ambito-d", C])
shares = st.lists(st.builds(lambda o, d: Share(o, C, tuple(d)), st.sampled_from(["ambito-a", "ambito-b", "ambito-d"]),
                            st.sets(st.sampled_from(ALL), min_size=1)), max_size=3)


@given(shares, st.lists(st.tuples(st.sampled_from(ALL), origins)))
def test_exactly_what_is_present_and_not_shared_is_revoked(shares, held):
    sharing = Sharing(shares)
    found = revocations(tenant=C, sharing=sharing, present=held)
    assert {(r.data, r.origin) for r in found} == {
        (d, o) for d, o in held if o != C and o not in {s.origin for s in shares if d in s.data}}
    # what remains after the revocation is all in force: a second run finds nothing
    left = [(d, o) for d, o in held if (d, o) not in {(r.data, r.origin) for r in found}]
    assert revocations(tenant=C, sharing=sharing, present=left) == ()


def test_the_flow_stops_once_the_consumer_runs_with_the_narrowed_or_revoked_share():
    """The consultation consumer routes by the shares it was started with: after the rollout, A's events
    reach C only for what A still shares, and A's own database keeps its own replicas."""
    from shared.consumer.placement import where
    from shared.consumer.routes import target_tenants
    from services.consultation.projectors import PROJECTORS

    def targets(event_type, sharing):
        own, received = where(PROJECTORS[event_type])
        return target_tenants("ambito-a", event_type, own=own, received=received, sharing=sharing)

    register, need = "it.pdz.registry.stakeholder.registered.v1", "it.pdz.consultation.need.recorded.v1"
    table = "it.pdz.consultation.table.created.v1"
    before = Sharing([Share("ambito-a", C, ALL)])
    narrowed = Sharing([Share("ambito-a", C, ("consultation.needs",))])
    assert C in targets(register, before) and targets(need, before) == (C,) and targets(table, before) == (C,)
    assert targets(register, narrowed) == ("ambito-a",) and targets(need, narrowed) == (C,)
    assert targets(table, narrowed) == ()
    assert targets(register, Sharing([])) == ("ambito-a",) and targets(need, Sharing([])) == ()


def test_the_command_says_per_tenant_what_it_deleted_marked_and_unmarked():
    """The line `python -m services.consultation.revoke` prints after the tenant's slug (shared runner)."""
    from services.consultation.revoke import Outcome, summary

    assert summary(Outcome()) == summary(Outcome(deleted={"replica_needs": 0})) == "nothing to revoke"
    assert summary(Outcome(deleted={"replica_needs": 2, "organisations": 0, "organisation_statuses": 1}, marked=3)) \
        == "replica_needs -2, organisation_statuses -1; 3 organisations marked revoked, 0 unmarked"
    assert summary(Outcome(unmarked=4)) == "nothing deleted; 0 organisations marked revoked, 4 unmarked"
