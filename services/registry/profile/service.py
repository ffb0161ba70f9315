"""Profile use cases: one transaction each, the connection passed in."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg

from shared.outbox.store import add_event

from services.registry.profile import domain, events, istat, store

ITALY = ZoneInfo("Europe/Rome")
CONTENT = ("name", "region", "comuni", "capofila_istat", "ente_gestore", "asl_district")


class VersionRequired(Exception):
    """The profile exists: a save must say which version it replaces (If-Match)."""


class StaleVersion(Exception):
    """The version the client named is not the current one (None: there is no profile)."""

    def __init__(self, current: int | None):
        super().__init__(f"current version {current}")
        self.current = current


def _with_total(profile: dict) -> dict:
    return {**profile, "total_population": domain.total_population(profile["comuni"])}


def get_profile(*, conn: psycopg.Connection) -> dict | None:
    """The Ambito's profile with its total population, or None."""
    profile = store.get_profile(conn)
    return _with_total(profile) if profile else None


def _check_version(current: dict | None, *, expected_version: int | None, create_only: bool) -> None:
    if current is None:
        if expected_version is not None:
            raise StaleVersion(None)
    elif create_only:
        raise StaleVersion(current["version"])
    elif expected_version is None:
        raise VersionRequired()
    elif expected_version != current["version"]:
        raise StaleVersion(current["version"])


def save_profile(*, conn: psycopg.Connection, tenant: str, tenant_region: str, region_name: str | None,
                 expected_version: int | None, create_only: bool, name: str, region: str | None,
                 comuni: list[dict], capofila_istat: str, ente_gestore: str | None,
                 asl_district: str | None, today: date | None = None) -> dict:
    """Create or replace the Ambito's profile and record its `profile.updated` event."""
    # Every rule is checked before the transaction opens: a refused save writes nothing.
    resolved = domain.check_profile(
        region=region or tenant_region, tenant_region=tenant_region, region_name=region_name,
        comuni=comuni, capofila_istat=capofila_istat, resolve=istat.lookup,
        today=today or datetime.now(ITALY).date())
    new = {"name": name, "region": region or tenant_region, "comuni": resolved,
           "capofila_istat": capofila_istat, "ente_gestore": ente_gestore, "asl_district": asl_district}
    # One transaction for the profile, its comuni and its event: none exists without the others.
    with conn.transaction():
        store.lock_for_save(conn)
        current = store.get_profile(conn)
        _check_version(current, expected_version=expected_version, create_only=create_only)
        if current is not None and all(current[key] == new[key] for key in CONTENT):
            return _with_total(current)  # saving the same content again is not a change: no event
        write = store.insert_profile if current is None else store.update_profile
        row = write(conn, **{key: new[key] for key in CONTENT if key != "comuni"})
        store.replace_comuni(conn, resolved)
        profile = _with_total({**row, "comuni": resolved})
        add_event(conn, events.profile_updated(tenant=tenant, profile=profile))
    return profile
