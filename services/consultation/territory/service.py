"""Use cases on the territory replica: reads only (the consumer is its one writer)."""
from __future__ import annotations

import psycopg

from shared.territory import store


class NoTerritoryYet(LookupError):
    """The Ambito's profile has not reached consultation (no profile event replicated yet)."""


def get_territory(*, conn: psycopg.Connection, tenant: str) -> dict:
    """The Ambito's own territory: its profile's comuni with their population, and the total."""
    profile = store.profile(conn, tenant)
    if profile is None:
        raise NoTerritoryYet(tenant)
    return {**profile, "comuni": store.comuni(conn, tenant)}
