"""Consultation's territory replica, pure: the profile event -> rows."""
from datetime import date

import pytest

from shared.consumer.rows import Delete, Upsert
from shared.events.envelope import new_event

from services.consultation.projectors import project

LAURIA = {"istat_code": "076042", "name": "Lauria", "province": "PZ", "population": 12500,
          "population_date": "2025-01-01"}
VIGGIANELLO = {"istat_code": "076097", "name": "Viggianello", "province": "PZ", "population": 2900,
               "population_date": "2025-01-01"}


def profile(version=1, listed=(VIGGIANELLO, LAURIA), tenant="lagonegrese-pollino", **data):
    payload = {"name": "Ambito Socio Territoriale Lagonegrese-Pollino", "region": "basilicata",
               "comuni": [dict(c) for c in listed], "total_population": sum(c["population"] for c in listed),
               "capofila_istat": "076097", "ente_gestore": None, "asl_district": "ASP Potenza – Distretto di Lauria",
               "version": version, "updated_at": "2026-03-02T10:15:00+00:00", **data}
    return new_event(type="it.pdz.registry.profile.updated.v1", service="registry", tenant=tenant,
                     aggregate_id="profile", data=payload)


def test_a_profile_becomes_its_row_and_one_row_per_comune_in_the_given_order():
    event = profile()
    head, *comuni = project(event)
    assert head.table == "territory_profiles" and head.key == {"origin": "lagonegrese-pollino"}
    assert head.newer_than == "version"
    assert head.values["total_population"] == 15400 and head.values["capofila_istat"] == "076097"
    assert head.values["version"] == 1 and head.values["source_event_id"] == event.id
    assert [c.key["istat_code"] for c in comuni] == ["076097", "076042"]
    assert comuni[1] == Upsert("territory_comuni", key={"origin": "lagonegrese-pollino", "istat_code": "076042"},
                               newer_than="version",
                               values={"name": "Lauria", "province": "PZ", "population": 12500,
                                       "population_date": date(2025, 1, 1), "position": 1, "version": 1})


def test_every_comune_row_carries_the_profile_version_and_nothing_is_deleted():
    # A comune dropped by a newer profile keeps the older version and drops out of the view; no
    # delete a late, older snapshot could undo (the integration test applies them out of order).
    rows = project(profile(version=4, listed=(LAURIA,)))
    assert all(r.values["version"] == 4 and r.newer_than == "version" for r in rows)
    assert not any(isinstance(r, Delete) for r in rows)


def test_the_same_profile_twice_gives_the_same_rows():
    event = profile()
    assert project(event) == project(event)


def test_fields_it_does_not_read_are_ignored():
    head, *comuni = project(profile(listed=({**LAURIA, "future": 1},), future_field=[1]))
    assert "future_field" not in head.values and "future" not in comuni[0].values


@pytest.mark.parametrize("change, field", [({"version": "1"}, "version"), ({"comuni": "076042"}, "comuni"),
                                           ({"comuni": ["076042"]}, "comuni.0"),
                                           ({"comuni": [{**LAURIA, "population": 1.5}]}, "population"),
                                           ({"comuni": [{**LAURIA, "population_date": "ieri"}]}, "population_date"),
                                           ({"updated_at": "2026-03-02"}, "updated_at")])
def test_a_value_it_cannot_use_is_a_value_error_naming_the_field(change, field):
    with pytest.raises(ValueError, match=field):
        project(profile(**change))
