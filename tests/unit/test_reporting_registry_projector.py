"""Reporting's registry projector, pure (services/reporting/registry_projector.py): profile, calls, applications.

`applied` writes rows as the consumer's writer does (an Upsert inserts the key and its values, the other
columns taking the migration's defaults, 005_registry_facts.sql, or updates only when its `newer_than`
column is lower than the incoming value; without `newer_than` it always updates), on dictionaries: that a
duplicate or an older event changes nothing is seen without a database. Every event built here is valid
against its catalogue schema.
"""
import copy
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from shared.consumer.rows import Upsert
from shared.events.envelope import CloudEvent, new_event

from services.reporting.projector import project
from services.reporting.registry_projector import PROJECTORS
from tests.contract.catalogue import EVENTS_DIR, assert_valid_event

TENANT = "lagonegrese-pollino"
CALL, APPLICATION, STAKEHOLDER = (str(uuid.uuid4()) for _ in range(3))
DEFAULTS = {"ambito_profiles": {}, "ambito_comuni": {}, "ambito_comuni_history": {},
            "call_facts": {"title": None, "areas": None, "opens_at": None, "closes_at": None, "status": None,
                           "version": 0, "published_at": None, "closed_at": None},
            "application_facts": {"protocol_number": None, "organisation_type": None, "runts_section": None,
                                  "seat_istat": None, "areas": None, "submitted_at": None, "submission_seen": 0,
                                  "status": "submitted", "status_rank": 0, "reviewed_at": None,
                                  "stakeholder_id": None}}
T0 = datetime(2026, 2, 1, 9, 0, tzinfo=timezone.utc)


def applied(rows, tables=None):
    tables = copy.deepcopy(tables) if tables else {}
    for row in rows:
        assert isinstance(row, Upsert)
        table = tables.setdefault(row.table, {})
        key = tuple(sorted(row.key.items()))
        old = table.get(key)
        if old is None:
            table[key] = {**DEFAULTS[row.table], **row.key, **row.values}
        elif row.newer_than is None or old[row.newer_than] < row.values[row.newer_than]:
            table[key] = {**old, **row.values}
    return tables


def applying(*events, tables=None):
    return applied([row for e in events for row in project(e)], tables)


def event(kind, data, subject, at=None):
    type_ = f"it.pdz.registry.{kind}.v1"
    assert_valid_event(type_, data)
    made = new_event(type=type_, service="registry", tenant=TENANT, aggregate_id=subject, data=data)
    # A fixed ce_time per event, as the outbox gives: the same event always projects the same rows.
    return CloudEvent(**{**made.__dict__, "time": (at or T0).isoformat()})


# --- profile -------------------------------------------------------------------------------------

def profile(version, comuni, at):
    return event("profile.updated", {
        "name": "Ambito Socio Territoriale Lagonegrese-Pollino", "region": "basilicata",
        "comuni": [{"istat_code": code, "name": f"Comune {code}", "province": "PZ", "population": people,
                    "population_date": "2025-01-01"} for code, people in comuni.items()],
        "total_population": sum(comuni.values()), "capofila_istat": next(iter(comuni)), "ente_gestore": None,
        "asl_district": "ASP Potenza", "version": version, "updated_at": at.isoformat()}, "profile")


PROFILES = [profile(1, {"076097": 2900, "076042": 12500}, T0),
            profile(2, {"076097": 2900, "076042": 12500, "076040": 5200}, T0 + timedelta(days=30)),
            profile(3, {"076097": 2950, "076040": 5200}, T0 + timedelta(days=60))]  # drops Lauria


def comuni_now(tables):
    """The view ambito_comuni_now: the comuni whose version is the profile's."""
    [profile_row] = tables["ambito_profiles"].values()
    return {r["istat_code"]: r["population"] for r in tables["ambito_comuni"].values()
            if r["version"] == profile_row["version"]}


def test_the_profile_s_newest_version_counts_and_a_dropped_comune_does_not():
    tables = applying(*PROFILES)
    [row] = tables["ambito_profiles"].values()
    assert (row["tenant"], row["version"], row["total_population"], row["capofila_istat"]) == (
        TENANT, 3, 8150, "076097")
    assert comuni_now(tables) == {"076097": 2950, "076040": 5200}
    # Every version's comuni stay in the history, with the instant the version was saved.
    history = {(r["version"], r["istat_code"]): (r["population"], r["as_of"])
               for r in tables["ambito_comuni_history"].values()}
    assert len(history) == 2 + 3 + 2
    assert history[(1, "076042")] == (12500, T0)
    assert history[(3, "076097")] == (2950, T0 + timedelta(days=60))


@settings(max_examples=60, deadline=None)
@given(st.permutations(range(3)), st.lists(st.integers(0, 2), max_size=4))
def test_profiles_in_any_order_and_late_replays_end_the_same(order, replays):
    once = applying(*PROFILES)
    assert applying(*(PROFILES[i] for i in order), *(PROFILES[i] for i in replays)) == once


# --- calls ---------------------------------------------------------------------------------------

def call(kind, status, version, at, title="Avviso pubblico 2026-2028"):
    return event(f"call.{kind}", {
        "call_id": CALL, "title": title, "areas": ["1", "3"], "opens_at": "2026-02-01T08:00:00+01:00",
        "closes_at": "2026-03-15T12:00:00+01:00", "status": status, "version": version}, CALL, at)


PUBLISHED_AT, CLOSED_AT = T0 + timedelta(days=1), T0 + timedelta(days=45)
CALL_LIFE = [call("drafted", "draft", 1, T0), call("updated", "draft", 2, T0, title="Avviso pubblico (rettificato)"),
             call("published", "published", 3, PUBLISHED_AT, title="Avviso pubblico (rettificato)"),
             call("closed", "closed", 4, CLOSED_AT, title="Avviso pubblico (rettificato)")]


def the_call(tables):
    [row] = tables["call_facts"].values()
    return row


def test_a_call_s_life_ends_closed_with_its_publication_and_closing_times():
    row = the_call(applying(*CALL_LIFE))
    assert (row["status"], row["version"], row["title"], row["areas"]) == (
        "closed", 4, "Avviso pubblico (rettificato)", ["1", "3"])
    assert (row["published_at"], row["closed_at"]) == (PUBLISHED_AT, CLOSED_AT)
    assert row["opens_at"] == datetime(2026, 2, 1, 7, 0, tzinfo=timezone.utc)


@settings(max_examples=60, deadline=None)
@given(st.permutations(range(4)), st.lists(st.integers(0, 3), max_size=6))
def test_call_events_in_any_order_and_late_replays_end_the_same(order, replays):
    once = applying(*CALL_LIFE)
    assert applying(*(CALL_LIFE[i] for i in order), *(CALL_LIFE[i] for i in replays)) == once


def test_a_publication_seen_only_after_the_closing_keeps_its_time():
    row = the_call(applying(CALL_LIFE[3], CALL_LIFE[2]))
    assert (row["status"], row["published_at"], row["closed_at"]) == ("closed", PUBLISHED_AT, CLOSED_AT)


# --- applications --------------------------------------------------------------------------------

SUBMITTED_AT = "2026-02-20T10:30:00+01:00"
REVIEWED_AT = "2026-03-20T09:00:00+01:00"


def submitted():
    return event("application.submitted", {
        "application_id": APPLICATION, "call_id": CALL, "protocol_number": "2026/000123",
        "organisation": {"name": "Cooperativa Sociale Il Sentiero", "type": "social_cooperative",
                         "runts_section": None, "seat_istat": "076042"},
        "areas": ["3", "6"], "submitted_at": SUBMITTED_AT}, APPLICATION)


def admitted():
    return event("application.admitted", {
        "application_id": APPLICATION, "call_id": CALL, "protocol_number": "2026/000123",
        "stakeholder_id": STAKEHOLDER, "reviewed_at": REVIEWED_AT}, APPLICATION)


def rejected():
    return event("application.rejected", {
        "application_id": APPLICATION, "call_id": CALL, "protocol_number": "2026/000123",
        "reason": "Requisiti non posseduti.", "reviewed_at": REVIEWED_AT}, APPLICATION)


def the_application(tables):
    [row] = tables["application_facts"].values()
    return row


def test_an_admitted_application_keeps_its_submission_and_its_review():
    row = the_application(applying(submitted(), admitted()))
    assert row == {**DEFAULTS["application_facts"], "tenant": TENANT, "application_id": uuid.UUID(APPLICATION),
                   "call_id": uuid.UUID(CALL), "protocol_number": "2026/000123",
                   "organisation_type": "social_cooperative", "seat_istat": "076042", "areas": ["3", "6"],
                   "submitted_at": datetime.fromisoformat(SUBMITTED_AT), "submission_seen": 1,
                   "status": "admitted", "status_rank": 1, "reviewed_at": datetime.fromisoformat(REVIEWED_AT),
                   "stakeholder_id": uuid.UUID(STAKEHOLDER)}


def test_no_person_and_no_organisation_name_reaches_the_rows():
    rows = [r for e in (submitted(), admitted(), rejected()) for r in project(e)]
    text = json.dumps([{**r.key, **r.values} for r in rows], default=str)
    assert "Sentiero" not in text and "Requisiti" not in text


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([admitted, rejected]), st.permutations(range(2)), st.lists(st.integers(0, 1), max_size=4))
def test_submission_and_review_in_any_order_end_the_same(review, order, replays):
    life = [submitted(), review()]
    once = applying(*life)
    assert the_application(once)["status"] == ("admitted" if review is admitted else "rejected")
    assert applying(*(life[i] for i in order), *(life[i] for i in replays)) == once


def test_a_submission_alone_is_submitted():
    row = the_application(applying(submitted(), submitted()))
    assert (row["status"], row["reviewed_at"], row["organisation_type"]) == ("submitted", None, "social_cooperative")


# --- erasure, catalogue, malformed fields --------------------------------------------------------

def test_an_erasure_is_read_without_error_and_deliberately_gives_no_rows():
    # Reporting holds no person: nothing to erase; an erased application's facts are not personal and stay.
    data = json.loads((EVENTS_DIR / "it.pdz.registry.personal_data.erased.v1" / "example.json").read_text())
    erased = event("personal_data.erased", data, data["erasure_id"])
    assert erased.type in PROJECTORS
    tables = applying(submitted(), admitted())
    assert applying(erased, tables=tables) == tables
    assert project(erased) == []


@pytest.mark.parametrize("type_", sorted(PROJECTORS))
def test_every_catalogue_example_projects(type_):
    data = json.loads((EVENTS_DIR / type_ / "example.json").read_text())
    rows = project(new_event(type=type_, service="registry", tenant=TENANT, aggregate_id="x", data=data))
    assert all(isinstance(r, Upsert) and r.key["tenant"] == TENANT for r in rows)
    assert bool(rows) == (type_ != "it.pdz.registry.personal_data.erased.v1")


def test_every_registry_type_of_the_catalogue_is_projected():
    registry_types = {p.name for p in EVENTS_DIR.iterdir() if p.name.startswith("it.pdz.registry.")}
    stakeholder = {"it.pdz.registry.stakeholder.registered.v1", "it.pdz.registry.stakeholder.updated.v1"}
    assert registry_types - stakeholder == set(PROJECTORS)


def _malformed(good, where, value):
    data = copy.deepcopy(good.data)
    target = data
    *path, last = where
    for step in path:
        target = target[step]
    target[last] = value
    return CloudEvent(**{**good.__dict__, "data": data})


@pytest.mark.parametrize("good, where, value, named", [
    (PROFILES[0], ("version",), "2", "version"),
    (PROFILES[0], ("comuni",), {}, "comuni"),
    (PROFILES[0], ("comuni", 1, "istat_code"), "76042", "comuni.1.istat_code"),
    (PROFILES[0], ("comuni", 0, "population"), -1, "comuni.0.population"),
    (PROFILES[0], ("updated_at",), "ieri", "updated_at"),
    (CALL_LIFE[0], ("call_id",), "x", "call_id"),
    (CALL_LIFE[0], ("areas",), "1,3", "areas"),
    (CALL_LIFE[0], ("opens_at",), "2026-02-01T08:00:00", "opens_at"),
    (submitted(), ("organisation",), None, "organisation"),
    (submitted(), ("organisation", "runts_section"), "z", "organisation.runts_section"),
    (submitted(), ("organisation", "type"), "", "organisation.type"),
    (admitted(), ("stakeholder_id",), 7, "stakeholder_id"),
    (rejected(), ("reviewed_at",), None, "reviewed_at"),
])
def test_a_malformed_field_is_a_value_error_naming_it(good, where, value, named):
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        project(_malformed(good, where, value))


def test_the_registry_s_own_event_builders_project():
    # The producer's payloads, not only the catalogue's examples: what the registry really sends projects.
    from datetime import date

    from services.registry.applications import events as application_events
    from services.registry.calls import events as call_events
    from services.registry.profile import events as profile_events

    call = {"id": uuid.UUID(CALL), "title": "Avviso", "areas": ["1"], "opens_at": T0,
            "closes_at": T0 + timedelta(days=30), "status": "published", "version": 3}
    application = {"id": uuid.UUID(APPLICATION), "call_id": uuid.UUID(CALL), "protocol_number": "2026/000001",
                   "organisation_name": "APS Borghi Solidali", "organisation_type": "ets", "runts_section": "b",
                   "seat_istat": "076097", "areas": ["3"], "submitted_at": T0, "stakeholder_id": uuid.UUID(STAKEHOLDER),
                   "reviewed_at": T0 + timedelta(days=2), "rejection_reason": None}
    profile_ = {"name": "Ambito", "region": "basilicata", "total_population": 2900, "capofila_istat": "076097",
                "ente_gestore": None, "asl_district": None, "version": 1, "updated_at": T0,
                "comuni": [{"istat_code": "076097", "name": "Viggianello", "province": "PZ", "population": 2900,
                            "population_date": date(2025, 1, 1)}]}
    made = [call_events.call_event(call_events.CALL_PUBLISHED, tenant=TENANT, call=call),
            application_events.submitted(tenant=TENANT, application=application),
            application_events.admitted(tenant=TENANT, application=application),
            profile_events.profile_updated(tenant=TENANT, profile=profile_)]
    for e in made:
        assert_valid_event(e.type, e.data)
    tables = applying(*made)
    assert the_call(tables)["published_at"] == datetime.fromisoformat(made[0].time)
    row = the_application(tables)
    assert (row["status"], row["organisation_type"], row["runts_section"]) == ("admitted", "ets", "b")
    assert [r["population"] for r in tables["ambito_comuni_history"].values()] == [2900]
