"""The intervention events as built, against the catalogue, and the replica projector that reads them, pure."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from shared.consumer.rows import Upsert
from shared.events.envelope import new_event

from services.budget.interventions import events
from services.budget.interventions.projector import PROJECTORS, TYPES
from tests.contract.catalogue import EVENTS_DIR, assert_valid_event

AT = datetime(2025, 7, 8, 10, 0, tzinfo=timezone.utc)


def intervention(**overrides) -> dict:
    return {"id": uuid.uuid4(), "plan_id": uuid.uuid4(), "code": "A3.2", "title": "Trasporto sociale",
            "nomenclature_code": "2", "area": "3", "target_group": "anziani", "leps": ["dimissioni-protette"],
            "kind": "project", "investment": True, "comuni": ["076042"], "managing_body": uuid.uuid4(),
            "cup": "J31B21004620006", "continues": {"origin": "lagonegrese", "intervention_id": uuid.uuid4()},
            "proposal_ids": [uuid.uuid4()], "need_ids": [str(uuid.uuid4())], "status": "active",
            "planned_start": date(2025, 1, 1), "planned_end": None, "actual_start": date(2025, 2, 3),
            "actual_end": None, "progress": {"percentage": Decimal("37.50")}, "version": 3, "updated_at": AT,
            "created_by": "mario.rossi", "updated_by": "mario.rossi", **overrides}


PROGRESS = {"year": 2025, "quarter": 2, "status": "active", "percentage": Decimal("37.50"),
            "outputs": {"utenti serviti": "42"}, "actual_start": None, "source": "api", "revision": 1,
            "recorded_at": AT, "note": "telefonato a Mario Rossi", "recorded_by": "mario.rossi"}


@pytest.mark.parametrize("type_,extra", [(events.PLANNED, {}), (events.UPDATED, {"changed": ["status"]}),
                                         (events.PROGRESS_RECORDED, {"progress": PROGRESS})])
def test_each_event_is_valid_and_names_no_account_nor_note(type_, extra):
    event = events.intervention_event(type_, tenant="lagonegrese-pollino", intervention=intervention(), **extra)
    assert_valid_event(type_, event.data)
    text = json.dumps(event.data)
    assert "mario" not in text.lower() and "telefonato" not in text
    assert event.subject == event.data["intervention_id"] and event.data["percentage"] == "37.50"


def test_a_fresh_intervention_has_no_percentage_and_no_link():
    event = events.intervention_event(events.PLANNED, tenant="t", intervention=intervention(
        progress=None, continues=None, managing_body=None, cup=None, investment=False, kind="service"))
    assert_valid_event(events.PLANNED, event.data)
    assert (event.data["percentage"], event.data["continues"], event.data["managing_body"]) == (None, None, None)


@pytest.mark.parametrize("type_", TYPES)
def test_the_projector_reads_each_catalogue_example_into_one_guarded_upsert(type_):
    data = json.loads((EVENTS_DIR / type_ / "example.json").read_text())
    event = new_event(type=type_, service="budget", tenant="lagonegrese", aggregate_id=data["intervention_id"],
                      data=data)
    [row] = PROJECTORS[type_](event)
    assert isinstance(row, Upsert) and row.table == "replica_interventions" and row.newer_than == "version"
    assert row.key == {"origin": "lagonegrese", "id": uuid.UUID(data["intervention_id"])}
    assert row.values["version"] == data["version"] and row.values["source_event_id"] == event.id


@pytest.mark.parametrize("change", [{"version": "2"}, {"version": True}, {"intervention_id": "x"},
                                    {"leps": "dimissioni-protette"}, {"actual_start": "03/02/2025"},
                                    {"percentage": "molto"}, {"code": 7}])
def test_the_projector_refuses_what_it_cannot_read(change):
    data = {**json.loads((EVENTS_DIR / events.PLANNED / "example.json").read_text()), **change}
    event = new_event(type=events.PLANNED, service="budget", tenant="lagonegrese", aggregate_id="x", data=data)
    with pytest.raises(ValueError):
        PROJECTORS[events.PLANNED](event)
