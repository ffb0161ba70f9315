"""The figure cache (issue 11 item 4): evaluated figures per (indicator, territory, period), never stale.

A tenant's data is named by its version (migration 011, figure_versions), raised by the statistics
publisher in the transaction that drains the tenant's figure_marks; while marks are pending (events
applied, not drained yet) the tenant is "moving" and nothing that counts its records is cached or read
from the cache. A territory's stamp is a digest of the database (its oid: a replayed database is
another one), this package's source code, the day in Italy (some indicators count "late today") and
the versions of the territory's tenants: a cached figure is used only under the stamp it was computed
under, so it equals what the providers would answer now.

Why it holds: the stamps are read before any figure is computed, in the same transaction. A figure
computed from newer data than its stamp (an event applied between the two reads) is stored under the
older stamp, which never comes back: the event's mark makes its tenant moving until the publisher
drains it and raises its version.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping

from psycopg.rows import tuple_row

from services.reporting.indicators.evaluate import Labelled, indicators, per_territory
from services.reporting.indicators.model import ROME, Figure, Indicator, Period
from services.reporting.indicators.territories import Territory


def _code_digest() -> str:
    """The indicators' own source: a release that changes a formula does not read the figures of the last one."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


CODE = _code_digest()

# The database's oid names the database: a replay builds a fresh one (versions start again) and renames it
# over the live one, so what a process keeps in memory (memo.py) must tell them apart.
_STATE = ("SELECT (SELECT oid::text FROM pg_database WHERE datname = current_database()), t.tenant,"
          " COALESCE(v.version, 0),"
          " EXISTS (SELECT 1 FROM figure_marks m WHERE m.tenant = t.tenant)"
          " FROM unnest(%s::text[]) AS t(tenant) LEFT JOIN figure_versions v ON v.tenant = t.tenant")
_DATABASE = "SELECT oid::text FROM pg_database WHERE datname = current_database()"
_CACHED = ("SELECT indicator, scope, stamp, figures FROM figure_cache"
           " WHERE period = %s AND scope = ANY(%s) AND indicator = ANY(%s)")
_STORE = ("INSERT INTO figure_cache (indicator, scope, period, stamp, figures)"
          " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[])"
          " ON CONFLICT (period, scope, indicator) DO UPDATE SET stamp = EXCLUDED.stamp,"
          " figures = EXCLUDED.figures, computed_at = now()")
_BUMP = ("INSERT INTO figure_versions (tenant, version) SELECT DISTINCT t, 1 FROM unnest(%s::text[]) AS t"
         " ON CONFLICT (tenant) DO UPDATE SET version = figure_versions.version + 1, changed_at = now()")


def _rows(conn, query: str, params) -> list[tuple]:
    with conn.cursor(row_factory=tuple_row) as cur:  # whatever the connection's own row factory
        return cur.execute(query, params).fetchall()


@dataclass(frozen=True)
class DataState:
    """What the data of some tenants is now: the database (its oid), each tenant's version, the moving ones."""
    database: str
    versions: Mapping[str, int]
    moving: frozenset = frozenset()
    day: date = field(default_factory=lambda: datetime.now(ROME).date())


def read_state(conn, tenants: Iterable[str]) -> DataState:
    """The versions of `tenants` and which of them have events applied and not drained (one query)."""
    rows = _rows(conn, _STATE, (sorted(set(tenants)),))
    database = rows[0][0] if rows else _rows(conn, _DATABASE, ())[0][0]
    return DataState(database, {tenant: version for _g, tenant, version, _m in rows},
                     frozenset(tenant for _g, tenant, _v, moving in rows if moving))


def stamp(state: DataState, tenants: Iterable[str]) -> str | None:
    """The name of the data of `tenants` now; None while one of them is moving (or unknown to `state`)."""
    tenants = sorted(set(tenants))
    if any(t in state.moving or t not in state.versions for t in tenants):
        return None
    text = "|".join([state.database, CODE, state.day.isoformat(), *(f"{t}={state.versions[t]}" for t in tenants)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def scope(territory: Territory) -> str:
    """A territory as the cache names it: level, code and (a digest of) the tenants its figures count."""
    tenants = hashlib.sha256(",".join(territory.tenants).encode()).hexdigest()[:16]
    return f"{territory.level}:{territory.code}:{tenants}"


def _plain(value):
    """A dimension's value as JSON keeps it: what str() makes of it is what every answer shows."""
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


def encode(figures: list[Figure]) -> str:
    """Figures as the cache's text: [[value, [[dimension, value], ...]], ...] (order kept)."""
    return json.dumps([[str(f.value), [[str(k), _plain(v)] for k, v in f.dimension.items()]] for f in figures],
                      separators=(",", ":"), ensure_ascii=False)


def decode(text: str, *, code: str, period: Period) -> list[Figure]:
    """The figures of `encode`'s text back."""
    return [Figure(code, period, Decimal(value), {k: v for k, v in dimension})
            for value, dimension in json.loads(text)]


def bump(conn, tenants: Iterable[str]) -> None:
    """Raise the versions of `tenants` (the publisher, in the transaction that drains their marks)."""
    tenants = sorted(set(tenants))
    if tenants:
        conn.execute(_BUMP, (tenants,))


def tenants_of(territories: Iterable[Territory]) -> list[str]:
    return sorted({tenant for t in territories for tenant in t.tenants})


def evaluate(conn, *, territories: list[Territory], period: Period, items: Iterable[Indicator] | None = None,
             state: DataState | None = None) -> dict[str, list[Labelled]]:
    """What evaluate.evaluate answers, from the cache where its stamp is current; computes and stores the rest."""
    items = indicators() if items is None else list(items)
    territories = list(territories)
    state = state or read_state(conn, tenants_of(territories))
    stamps = {t: stamp(state, t.tenants) for t in territories}
    scopes = {t: scope(t) for t in territories}
    codes = [i.definition.code for i in items]
    wanted = sorted({scopes[t] for t in territories if stamps[t] is not None})
    cached = {}
    if wanted:
        for code, where, text_stamp, text in _rows(conn, _CACHED, (str(period), wanted, codes)):
            cached[(code, where)] = (text_stamp, text)
    result, store = {}, []
    for item in items:
        code = item.definition.code
        found: dict[Territory, list[Figure]] = {}
        missing = []
        for territory in territories:
            hit = cached.get((code, scopes[territory]))
            if stamps[territory] is not None and hit is not None and hit[0] == stamps[territory]:
                found[territory] = decode(hit[1], code=code, period=period)
            elif territory not in found:
                missing.append(territory)
        missing = list(dict.fromkeys(missing))
        if missing:
            for territory, answer in zip(missing, per_territory(conn, item=item, territories=missing,
                                                                 period=period)):
                found[territory] = answer
                if stamps[territory] is not None:
                    store.append((code, scopes[territory], str(period), stamps[territory], encode(answer)))
        result[code] = [Labelled(territory, figure) for territory in territories for figure in found[territory]]
    store = list({row[:3]: row for row in store}.values())  # one row per key: ON CONFLICT touches a row once
    if store:
        conn.execute(_STORE, [list(column) for column in zip(*store)])
    return result
