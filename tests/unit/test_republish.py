"""Re-publication without I/O: the replay mark through the outbox row and the Kafka headers, the data
set names a service accepts, and the registry's snapshots against the event catalogue."""
import uuid
from datetime import datetime, timezone

import pytest

from shared.events.envelope import from_kafka, new_event, to_kafka
from shared.outbox import store
from shared.outbox.republish import UnknownDataSet, as_replay, check_data_sets, parser

from services.registry.profile import events as profile_events
from services.registry.republish import BUILDERS
from services.registry.stakeholders import events as stakeholder_events
from tests.contract.catalogue import assert_valid_event

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
ROW = {"id": uuid.uuid4(), "seq": 7, "name": "ODV Amici del Pollino", "type": "ets", "runts_section": "b",
       "runts_number": "RUNTS-1", "seat_istat": "076042", "areas": ["3", "5"], "status": "withdrawn",
       "version": 4, "created_at": NOW, "updated_at": NOW}


def event(**data):
    return new_event(type="it.pdz.registry.stakeholder.updated.v1", service="registry", tenant="pollino",
                     aggregate_id="x", data=data)


def test_a_replay_carries_the_extension_and_an_ordinary_event_does_not():
    ordinary = event(n=1)
    replay = as_replay(ordinary)
    assert (replay.id, replay.data, replay.key) == (ordinary.id, ordinary.data, ordinary.key)
    assert ("ce_pdzreplay", b"true") in to_kafka(replay)[2]
    assert all(name != "ce_pdzreplay" for name, _ in to_kafka(ordinary)[2])
    assert from_kafka(*to_kafka(replay)[1:]).replay is True
    assert from_kafka(*to_kafka(ordinary)[1:]).replay is False


def test_the_outbox_row_keeps_the_mark_and_the_relay_publishes_the_plain_source():
    for original in (event(n=1), as_replay(event(n=2))):
        source = store._source(original)
        assert source.endswith(store.REPLAY_MARK) is original.replay
        read = store._event(original.id, original.type, source, original.tenantid, original.subject,
                            original.time, original.data)
        assert read == original and read.source == "/pdz/registry/pollino"


def test_a_service_republishes_only_the_data_sets_it_owns():
    assert check_data_sets("registry", BUILDERS, ["registry.profile", "registry.stakeholders", "registry.profile"]) \
        == ["registry.profile", "registry.stakeholders"]
    with pytest.raises(UnknownDataSet, match="does not own"):
        check_data_sets("registry", BUILDERS, ["consultation.needs"])
    with pytest.raises(UnknownDataSet, match="unknown data set"):
        check_data_sets("registry", BUILDERS, ["registry.contacts"])  # personal: never a data set
    with pytest.raises(SystemExit):
        parser("registry", BUILDERS).parse_args(["--tenant", "pollino", "--data", "consultation.needs"])


def test_a_stakeholder_snapshot_is_a_full_valid_updated_event_with_nothing_changed():
    snapshot = stakeholder_events.stakeholder_updated(tenant="pollino", stakeholder=ROW, changed=[])
    assert_valid_event(snapshot.type, snapshot.data)
    assert snapshot.data["changed"] == []
    assert {k: snapshot.data[k] for k in ("name", "type", "areas", "status", "version")} == \
        {"name": ROW["name"], "type": "ets", "areas": ["3", "5"], "status": "withdrawn", "version": 4}
    assert "tax_code" not in snapshot.data   # never in an event


def test_the_profile_snapshot_is_a_valid_profile_event():
    profile = {"name": "Ambito di prova", "region": "basilicata", "capofila_istat": "076042", "ente_gestore": None,
               "asl_district": None, "version": 2, "updated_at": NOW, "total_population": 12500,
               "comuni": [{"istat_code": "076042", "name": "Lauria", "province": "PZ", "population": 12500,
                           "population_date": NOW.date()}]}
    snapshot = profile_events.profile_updated(tenant="pollino", profile=profile)
    assert_valid_event(snapshot.type, snapshot.data)


def test_consultation_snapshots_are_valid_and_carry_no_account():
    from services.consultation.republish import BUILDERS as CONSULTATION, NEED_SNAPSHOT
    from services.consultation.contributions.events import need_event
    from services.consultation.offer.events import OFFER_UPDATED, offer_event

    assert set(CONSULTATION) == {"consultation.needs", "consultation.services", "consultation.tables",
                                 "consultation.proposals"}
    need = {"id": uuid.uuid4(), "table_id": uuid.uuid4(), "session_id": None, "organisation_id": uuid.uuid4(),
            "title": "Trasporto sociale", "description": "Gli anziani delle frazioni", "area": "3",
            "target_group": "anziani", "comuni": ["076042"], "evidence": "", "status": "closed", "on_behalf": True,
            "recorded_by": "mario.rossi", "recorded_by_role": "operator", "version": 3, "created_at": NOW,
            "updated_at": NOW}
    snapshot = need_event(NEED_SNAPSHOT, tenant="pollino", need=need)
    assert_valid_event(snapshot.type, snapshot.data)
    assert "changed" not in snapshot.data and "mario.rossi" not in str(snapshot.data)
    offer = {"id": uuid.uuid4(), "organisation_id": uuid.uuid4(), "name": "Centro diurno", "area": "3",
             "target_group": "anziani", "comuni": ["076042"], "capacity_amount": None, "capacity_unit": None,
             "accredited": False, "status": "retired", "recorded_by_office": True, "version": 2, "updated_at": NOW,
             "contact_phone": "0973 000000"}
    offered = offer_event(OFFER_UPDATED, tenant="pollino", offer=offer, changed=[])
    assert_valid_event(offered.type, offered.data)
    assert offered.data["changed"] == [] and "0973" not in str(offered.data)


def test_budget_republishes_its_interventions_and_nothing_it_does_not_own():
    from services.budget.republish import BUILDERS as BUDGET
    assert check_data_sets("budget", BUDGET, ["budget.interventions"]) == ["budget.interventions"]
    with pytest.raises(UnknownDataSet, match="does not own"):
        check_data_sets("budget", BUDGET, ["consultation.needs"])
