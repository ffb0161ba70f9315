"""Use cases on the territory replica: reads only (the consumer is its one writer)."""
from __future__ import annotations

import psycopg

from shared.territory import store


class NoTerritoryYet(LookupError):
    """The Ambito's profile has not reached budget (no profile event replicated yet)."""


def get_territory(*, conn: psycopg.Connection, tenant: str, origin: str | None = None) -> dict:
    """A territory (the Ambito's own unless `origin` names a former one): comuni, population, total."""
    origin = origin or tenant
    profile = store.profile(conn, origin)
    if profile is None:
        raise NoTerritoryYet(origin)
    others = [o for o in store.origins(conn) if o != origin]
    return {**profile, "comuni": store.comuni(conn, origin), "other_origins": others}
