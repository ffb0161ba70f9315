"""The territory replica's projector: the registry's profile event (a full snapshot) to rows, pure.

The profile row is guarded by the profile's `version`. Each comune listed is
upserted with the version that listed it (guarded too), so the Ambito's
comuni now (`territory_comuni_now`) are exactly those whose version is the
profile's: a comune dropped from a newer profile keeps an older version and
drops out, in whatever order the snapshots arrive, and without a delete an
older snapshot could undo. A comune's ISTAT code and population are checked
here, as the tables' CHECKs would, so the dead letter names the field.
"""
from __future__ import annotations

import re

from shared.consumer.rows import Upsert
from shared.events import readers
from shared.events.envelope import CloudEvent

PROFILE_UPDATED = "it.pdz.registry.profile.updated.v1"
ISTAT = re.compile(r"[0-9]{6}")


def _comune(origin: str, version: int, position: int, comune) -> Upsert:
    if not isinstance(comune, dict):
        raise ValueError(f"comuni.{position} must be an object")
    istat_code = readers.text(comune, "istat_code")
    if not ISTAT.fullmatch(istat_code):
        raise ValueError(f"comuni.{position}.istat_code is not an ISTAT comune code (six digits)")
    population = readers.integer(comune, "population")
    if population < 0:
        raise ValueError(f"comuni.{position}.population must not be negative")
    return Upsert("territory_comuni", key={"origin": origin, "istat_code": istat_code},
                  newer_than="version", values={
                      "name": readers.text(comune, "name"),
                      "province": readers.text(comune, "province"),
                      "population": population,
                      "population_date": readers.a_date(comune, "population_date"),
                      "position": position,
                      "version": version,
                  })


def profile_updated(event: CloudEvent) -> list:
    data = event.data  # tolerant reader: only the fields used here
    version = readers.integer(data, "version")
    comuni = data["comuni"]
    if not isinstance(comuni, list):
        raise ValueError("comuni must be a list")
    origin = event.tenantid
    profile = Upsert("territory_profiles", key={"origin": origin}, newer_than="version", values={
        "name": readers.text(data, "name"),
        "region": readers.text(data, "region"),
        "capofila_istat": readers.text(data, "capofila_istat"),
        "ente_gestore": readers.optional_text(data, "ente_gestore"),
        "asl_district": readers.optional_text(data, "asl_district"),
        "total_population": readers.integer(data, "total_population"),
        "version": version,
        "as_of": readers.timestamp(data, "updated_at"),
        "source_event_id": event.id,
    })
    return [profile] + [_comune(origin, version, i, c) for i, c in enumerate(comuni)]


PROJECTORS = {PROFILE_UPDATED: profile_updated}
