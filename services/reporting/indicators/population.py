"""Population of some Ambiti at an instant (abitanti), for per-inhabitant figures.

Read from ambito_comuni_history (migration 005), fed by it.pdz.registry.profile.updated.v1:

- each Ambito counts with the newest profile version saved before `at` (its `updated_at`); an Ambito
  whose first profile was saved after `at` counts with its oldest version (the earliest figure known:
  a profile is often saved long after the population date it reports); `at=None` takes the newest;
- the comuni of those versions are counted ONCE each (union by ISTAT code), because a merged
  Ambito's profile lists its former Ambiti's comuni again: [C, A, B] is the population of the union,
  never C + A + B. A comune listed by several Ambiti takes the figure with the latest population
  date (then the latest saved profile, then the first tenant in alphabetical order);
- a comune dropped from a newer profile version no longer counts for that Ambito.

No profile known for any of the tenants: 0. Callers dividing by it must check (a figure per
inhabitant of an Ambito without population is not computable, not zero).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import psycopg
from psycopg.rows import tuple_row

_COMUNI = """
WITH chosen AS (
    SELECT tenant, COALESCE(max(version) FILTER (WHERE %(at)s::timestamptz IS NULL OR as_of < %(at)s),
                            min(version)) AS version
    FROM ambito_comuni_history WHERE tenant = ANY(%(tenants)s) GROUP BY tenant)
SELECT DISTINCT ON (h.istat_code) h.istat_code, h.tenant, h.population
FROM ambito_comuni_history h JOIN chosen c ON c.tenant = h.tenant AND c.version = h.version
ORDER BY h.istat_code, h.population_date DESC, h.as_of DESC, h.tenant
"""


def comuni_at(conn: psycopg.Connection, *, tenants: list[str], at: datetime | None) -> list[tuple[str, str, int]]:
    """(istat_code, tenant whose figure counts, population) of every comune counted, by ISTAT code."""
    with conn.cursor(row_factory=tuple_row) as cur:  # whatever the connection's own row factory
        return [tuple(row) for row in cur.execute(_COMUNI, {"tenants": list(tenants), "at": at}).fetchall()]


def population_by_comune(conn: psycopg.Connection, *, tenants: list[str], at: datetime | None) -> dict[str, Decimal]:
    """ISTAT code -> inhabitants of each comune of the Ambiti at `at` (see the module's rules)."""
    return {code: Decimal(people) for code, _, people in comuni_at(conn, tenants=tenants, at=at)}


def population(conn: psycopg.Connection, *, tenants: list[str], at: datetime | None) -> Decimal:
    """Inhabitants of the Ambiti at `at` (union of their comuni); Decimal(0) if no profile is known."""
    return sum(population_by_comune(conn, tenants=tenants, at=at).values(), Decimal(0))
