"""Budget's replicas, pure: registry and consultation events -> rows (services/budget/*/projector.py).

`applied` below applies rows as the consumer's writer does (an Upsert inserts, or updates only when its
`newer_than` column is higher), on dictionaries: what a duplicate or an older event changes is seen
without a database (the integration test does the same on the real PostgreSQL through Kafka).
The event builders are the integration test's too: each event they make is valid against the catalogue.
"""
import copy
import json
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from shared.consumer.placement import where
from shared.consumer.rows import Delete, Upsert
from shared.events.envelope import new_event
from shared.sharing import data_set_of

from services.budget.projectors import PROJECTORS, project
from shared.events.readers import JsonList
from tests.conftest import EVENTS_DIR
from tests.contract.catalogue import assert_valid_event

REGISTERED = "it.pdz.registry.stakeholder.registered.v1"
UPDATED = "it.pdz.registry.stakeholder.updated.v1"
PROFILE = "it.pdz.registry.profile.updated.v1"
ACCEPTED = "it.pdz.consultation.proposal.accepted.v1"
SNAPSHOT = "it.pdz.consultation.proposal.snapshot.v1"


def example(event_type):
    return json.loads((EVENTS_DIR / event_type / "example.json").read_text(encoding="utf-8"))


def event(event_type, tenant, subject, data, service):
    assert_valid_event(event_type, data)
    return new_event(type=event_type, service=service, tenant=tenant, aggregate_id=subject, data=data)


def stakeholder(tenant, sid=None, *, version=1, status="active", name="ODV Amici del Pollino", **extra):
    """The registry's snapshot of an organisation: registered at version 1, updated after."""
    sid = sid or str(uuid.uuid4())
    data = {"stakeholder_id": sid, "name": name, "type": "ets", "runts_section": "a", "runts_number": "12345",
            "seat_istat": "076042", "areas": ["3"], "status": status, "version": version, **extra}
    if version == 1:
        return event(REGISTERED, tenant, sid, {**data, "registered_at": "2026-03-02T10:15:00+00:00"}, "registry")
    return event(UPDATED, tenant, sid, {**data, "changed": ["status"],
                                        "updated_at": f"2026-03-{version:02d}T12:00:00+00:00"}, "registry")


def comune(code, name, population):
    return {"istat_code": code, "name": name, "province": "PZ", "population": population,
            "population_date": "2025-01-01"}


LAURIA, NEMOLI, RIVELLO = comune("076042", "Lauria", 12500), comune("076052", "Nemoli", 1500), \
    comune("076066", "Rivello", 2700)


def profile(tenant, version=1, comuni=(LAURIA, NEMOLI)):
    return event(PROFILE, tenant, "profile", {
        "name": f"Ambito {tenant}", "region": "basilicata", "comuni": [dict(c) for c in comuni],
        "total_population": sum(c["population"] for c in comuni), "capofila_istat": comuni[0]["istat_code"],
        "ente_gestore": None, "asl_district": None, "version": version,
        "updated_at": f"2026-02-{version:02d}T08:00:00+00:00"}, "registry")


def accepted(tenant, pid=None, *, version=6, title="Navetta sociale delle frazioni", area="3",
             target_group="anziani", cost="18500.00"):
    """Consultation's proposal.accepted, the catalogue's example with one need of `area`."""
    pid = pid or str(uuid.uuid4())
    need_id = str(uuid.uuid4())
    data = {**example(ACCEPTED), "proposal_id": pid, "title": title, "version": version, "need_ids": [need_id],
            "areas": [area], "target_groups": [target_group], "estimated_cost": cost,
            "needs": [{"need_id": need_id, "area": area, "target_group": target_group,
                       "comuni": ["076042", "076097"]}]}
    return event(ACCEPTED, tenant, pid, data, "consultation")


def snapshot(tenant, pid=None, *, version=6, status="accepted", title="Navetta sociale delle frazioni", area="3"):
    """Consultation's proposal.snapshot (a backfill's): need ids, no needs; decided ones with their answer."""
    pid = pid or str(uuid.uuid4())
    data = {**example(SNAPSHOT), "proposal_id": pid, "title": title, "version": version, "status": status,
            "areas": [area]}
    if status in ("accepted", "rejected", "merged"):
        data.update(answer="Accolta.", decided_at="2026-06-20T12:00:00+02:00")
    return event(SNAPSHOT, tenant, pid, data, "consultation")


def applied(rows, tables=None):
    """The tables after writing `rows` in order, as ON CONFLICT ... DO UPDATE ... WHERE newer does."""
    tables = copy.deepcopy(tables) if tables else {}
    for row in rows:
        assert isinstance(row, Upsert), "the replicas never delete"
        table = tables.setdefault(row.table, {})
        key = tuple(sorted(row.key.items()))
        old = table.get(key)
        if old is None:
            table[key] = {**row.key, **row.values}
        elif row.newer_than is None or old[row.newer_than] < row.values[row.newer_than]:
            table[key] = {**old, **row.values}
    return tables


def applying(*events):
    return applied([row for e in events for row in project(e)])


# --- the register --------------------------------------------------------------------------------

def test_a_registration_becomes_the_organisation_row_with_its_origin_and_version():
    e = stakeholder("lagonegrese-pollino")
    [row] = project(e)
    assert row.table == "organisations" and row.newer_than == "version"
    assert row.key == {"origin": "lagonegrese-pollino", "organisation_id": uuid.UUID(e.data["stakeholder_id"])}
    assert row.values == {"name": "ODV Amici del Pollino", "type": "ets", "tax_code": None, "runts_section": "a",
                          "status": "active", "version": 1,
                          "as_of": datetime(2026, 3, 2, 10, 15, tzinfo=timezone.utc), "source_event_id": e.id}


def test_the_registry_examples_project():
    for event_type in (REGISTERED, UPDATED):
        [row] = project(new_event(type=event_type, service="registry", tenant="a", aggregate_id="x",
                                  data=example(event_type)))
        assert row.values["name"] and row.values["version"] >= 1


def test_a_tax_code_is_kept_when_an_event_gives_one_and_an_old_registration_is_a_first_active_version():
    sid = str(uuid.uuid4())
    old = new_event(type=REGISTERED, service="registry", tenant="a", aggregate_id=sid, data={
        "stakeholder_id": sid, "name": "Comune di Nemoli", "type": "comune", "tax_code": "00112233445",
        "registered_at": "2026-02-01T09:00:00+00:00"})
    [row] = project(old)
    assert (row.values["tax_code"], row.values["status"], row.values["version"]) == ("00112233445", "active", 1)


def test_an_older_snapshot_or_a_duplicate_changes_nothing():
    sid = str(uuid.uuid4())
    first, suspended, withdrawn = (stakeholder("a", sid), stakeholder("a", sid, version=2, status="suspended"),
                                   stakeholder("a", sid, version=3, status="withdrawn", name="ODV Nuovo Nome"))
    newest = applying(first, suspended, withdrawn)
    [(_, row)] = newest["organisations"].items()
    assert (row["status"], row["version"], row["name"]) == ("withdrawn", 3, "ODV Nuovo Nome")
    # Whatever the order of arrival, and whatever arrives twice, the newest version stays.
    assert applying(withdrawn, first, suspended) == newest
    assert applying(first, suspended, withdrawn, withdrawn, first) == newest
    # A duplicate's rows are the same rows (the processed-event table drops it before, anyway).
    assert project(withdrawn) == project(withdrawn)


@pytest.mark.parametrize("change, field", [({"status": "deleted"}, "status"), ({"version": "2"}, "version"),
                                           ({"stakeholder_id": "x"}, "stakeholder_id"),
                                           ({"name": None}, "name"), ({"registered_at": "2026-03-02"},
                                                                      "registered_at")])
def test_a_value_the_register_cannot_use_is_a_value_error_naming_the_field(change, field):
    data = {**stakeholder("a").data, **change}
    with pytest.raises(ValueError, match=field):
        project(new_event(type=REGISTERED, service="registry", tenant="a", aggregate_id="x", data=data))


# --- the territory -------------------------------------------------------------------------------

def test_a_profile_becomes_its_row_and_one_row_per_comune_in_the_given_order():
    e = profile("lagonegrese-pollino", comuni=(NEMOLI, LAURIA))
    head, *comuni = project(e)
    assert head.table == "territory_profiles" and head.key == {"origin": "lagonegrese-pollino"}
    assert head.newer_than == "version" and head.values["total_population"] == 14000
    assert head.values["source_event_id"] == e.id and head.values["capofila_istat"] == "076052"
    assert comuni[1] == Upsert("territory_comuni", key={"origin": "lagonegrese-pollino", "istat_code": "076042"},
                               newer_than="version",
                               values={"name": "Lauria", "province": "PZ", "population": 12500,
                                       "population_date": date(2025, 1, 1), "position": 1, "version": 1})


def now(tables, origin):
    """What territory_comuni_now shows: the comuni of the profile's version."""
    [(_, head)] = [(k, v) for k, v in tables["territory_profiles"].items() if v["origin"] == origin]
    return sorted(c["istat_code"] for c in tables["territory_comuni"].values()
                  if c["origin"] == origin and c["version"] == head["version"])


def test_a_comune_dropped_by_a_newer_profile_drops_out_whatever_the_order():
    v1, v2 = profile("a", 1, (LAURIA, NEMOLI)), profile("a", 2, (LAURIA, RIVELLO))
    for order in ((v1, v2), (v2, v1), (v1, v2, v1, v2)):
        tables = applying(*order)
        assert now(tables, "a") == ["076042", "076066"], order
        assert [p["version"] for p in tables["territory_profiles"].values()] == [2]
    assert not any(isinstance(r, Delete) for r in project(v2))


@pytest.mark.parametrize("comuni, field", [("076042", "comuni"), (["076042"], "comuni.0"),
                                           ([{**LAURIA, "istat_code": "76042"}], "istat_code"),
                                           ([{**LAURIA, "population": -1}], "population"),
                                           ([{**LAURIA, "population": 1.5}], "population"),
                                           ([{**LAURIA, "population_date": "ieri"}], "population_date")])
def test_a_comune_it_cannot_use_is_a_value_error_naming_the_field(comuni, field):
    data = {**profile("a").data, "comuni": comuni}
    with pytest.raises(ValueError, match=field):
        project(new_event(type=PROFILE, service="registry", tenant="a", aggregate_id="profile", data=data))


# --- accepted proposals --------------------------------------------------------------------------

def test_an_accepted_proposal_becomes_its_row_with_needs_cost_and_origin():
    e = accepted("lagonegrese-pollino")
    [row] = project(e)
    data = e.data
    assert row.table == "accepted_proposals" and row.newer_than == "version"
    assert row.key == {"origin": "lagonegrese-pollino", "proposal_id": uuid.UUID(data["proposal_id"])}
    values = row.values
    assert values["status"] == "accepted" and values["version"] == 6 and values["source_event_id"] == e.id
    assert values["estimated_cost"] == Decimal("18500.00") and isinstance(values["estimated_cost"], Decimal)
    assert values["need_ids"] == [uuid.UUID(data["need_ids"][0])]
    assert values["needs"] == [{"need_id": data["need_ids"][0], "area": "3", "target_group": "anziani",
                                "comuni": ["076042", "076097"]}]
    # jsonb, whether the row is written alone (psycopg) or in a batch (one JSON document).
    assert isinstance(values["needs"], JsonList)
    assert values["decided_at"] == datetime.fromisoformat("2026-06-20T12:00:00+02:00")
    assert (values["table_id"], values["organisation_id"]) == (uuid.UUID(data["table_id"]),
                                                               uuid.UUID(data["organisation_id"]))
    assert "assessments" not in values and "answer" not in values  # only what planning reads


def test_the_consultation_examples_project():
    [row] = project(new_event(type=ACCEPTED, service="consultation", tenant="a", aggregate_id="x",
                              data=example(ACCEPTED)))
    assert row.values["title"] == "Navetta sociale delle frazioni"
    # The snapshot example is a submitted proposal: nothing for planning.
    assert project(new_event(type=SNAPSHOT, service="consultation", tenant="a", aggregate_id="x",
                             data=example(SNAPSHOT))) == []


@pytest.mark.parametrize("status", ["submitted", "under_evaluation", "rejected", "merged"])
def test_a_snapshot_of_a_proposal_not_accepted_gives_no_row(status):
    assert project(snapshot("a", status=status)) == []


def test_an_accepted_snapshot_becomes_the_row_without_needs_details():
    e = snapshot("a", version=7)
    [row] = project(e)
    assert row.values["status"] == "accepted" and row.values["version"] == 7
    assert row.values["need_ids"] == [uuid.UUID(i) for i in e.data["need_ids"]]
    assert "needs" not in row.values  # the column keeps what the accepted event wrote, or its default
    assert row.values["estimated_cost"] == Decimal("17250.50")


def test_a_snapshot_of_the_version_already_accepted_changes_nothing_and_keeps_the_needs():
    pid = str(uuid.uuid4())
    event = accepted("a", pid, version=6)
    after_accepted = applying(event)
    assert applying(event, snapshot("a", pid, version=6, title="Altro titolo")) == after_accepted
    assert applying(event, event) == after_accepted
    # An older accepted version arriving late changes nothing either.
    assert applying(event, accepted("a", pid, version=5, title="Vecchio")) == after_accepted
    # The backfill's snapshot first, then (if it still exists on the topic) the accepted event of the same
    # version: the first to arrive stays; a newer accepted version replaces it, needs included.
    first = applying(snapshot("a", pid, version=6))
    [(_, row)] = first["accepted_proposals"].items()
    assert "needs" not in row
    newer = applied(project(accepted("a", pid, version=7, title="Navetta, seconda versione")), first)
    [(_, row)] = newer["accepted_proposals"].items()
    assert row["title"] == "Navetta, seconda versione" and len(row["needs"]) == 1


@pytest.mark.parametrize("change, field", [({"estimated_cost": 18500.0}, "estimated_cost"),
                                           ({"estimated_cost": "18.500,00"}, "estimated_cost"),
                                           ({"need_ids": ["x"]}, "need_ids"), ({"needs": {}}, "needs"),
                                           ({"needs": [{"need_id": "x", "area": "3", "target_group": "anziani",
                                                        "comuni": []}]}, "needs.0.need_id"),
                                           ({"needs": ["x"]}, "needs.0"), ({"version": True}, "version"),
                                           ({"decided_at": "2026-06-20T12:00:00"}, "decided_at"),
                                           ({"table_id": None}, "table_id")])
def test_a_proposal_value_it_cannot_use_is_a_value_error_naming_the_field(change, field):
    data = {**accepted("a").data, **change}
    with pytest.raises(ValueError, match=field):
        project(new_event(type=ACCEPTED, service="consultation", tenant="a", aggregate_id="x", data=data))


# --- placement -----------------------------------------------------------------------------------

def test_the_budget_consumer_places_its_projectors():
    for event_type in (REGISTERED, UPDATED, PROFILE, ACCEPTED, SNAPSHOT):
        assert where(PROJECTORS[event_type]) == (True, True), event_type
    interventions = [t for t in PROJECTORS if t.startswith("it.pdz.budget.intervention.")]
    assert interventions and all(where(PROJECTORS[t]) == (False, True) for t in interventions)
    # Each type placed where received belongs to a data set, so a share can bring it.
    assert all(data_set_of(t) for t, p in PROJECTORS.items() if where(p)[1])
    assert {data_set_of(t) for t in PROJECTORS} == {"registry.stakeholders", "registry.profile",
                                                    "consultation.proposals", "budget.interventions",
                                                    "consultation.tables", "consultation.needs",
                                                    None}  # None: the milestones, own only
    assert not any("personal_data" in t for t in PROJECTORS)


def test_project_gives_nothing_for_a_type_budget_does_not_keep():
    opened = new_event(type="it.pdz.consultation.questionnaire.created.v1", service="consultation", tenant="a",
                       aggregate_id="x", data=example("it.pdz.consultation.questionnaire.created.v1"))
    assert project(opened) == []
