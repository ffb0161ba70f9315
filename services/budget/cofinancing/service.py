"""Co-financing use cases: set (create or replace) and read an intervention's year; one transaction each."""
from __future__ import annotations

import uuid
from decimal import Decimal

import psycopg
from psycopg import errors

from shared.outbox.store import add_event

from services.budget.allocations import domain as allocation_domain, store as allocation_store
from services.budget.allocations.service import InterventionNotFound
from services.budget.cofinancing import domain, events, store
from services.budget.plans.editable import ensure_editable


class CofinancingNotFound(LookupError):
    """The intervention has no co-financing for that year."""


class VersionRequired(Exception):
    """The co-financing exists: a replacement must say which version it replaces (If-Match)."""


class StaleCofinancing(Exception):
    def __init__(self, current_version: int | None):
        super().__init__(f"the co-financing is at version {current_version}")
        self.current_version = current_version


class TerritoryMissing(Exception):
    """The split needs populations the territory replica does not have; `code` is the problem slug."""

    def __init__(self, code: str, message: str, **extra):
        super().__init__(message)
        self.code, self.extra = code, extra


def _populations(conn, *, tenant: str, served: list[str]) -> tuple[list[dict], object]:
    """The comuni the split is among (those served, or every comune of the Ambito) and the profile's time."""
    profile = store.profile(conn, tenant)
    if profile is None:
        raise TerritoryMissing("no-territory-profile", "the Ambito's profile (comuni and population) has not "
                                                       "reached this service yet")
    known = {c["istat_code"]: c for c in store.comuni(conn, tenant)}
    wanted = list(dict.fromkeys(served)) or list(known)
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise TerritoryMissing("comune-not-in-profile", f"comuni {', '.join(unknown)} are not in the Ambito's "
                                                        f"profile: their population is unknown", comuni=unknown)
    return [known[code] for code in wanted], profile["as_of"]


def set_cofinancing(*, conn: psycopg.Connection, tenant: str, intervention_id: uuid.UUID, year: int,
                    total: Decimal, expected_version: int | None, by: str) -> tuple[dict, bool]:
    """Split `total` among the comuni by population and store it; (the co-financing, whether it replaced one)."""
    with conn.transaction():
        found = allocation_store.intervention(conn, intervention_id)
        if found is None:
            raise InterventionNotFound(intervention_id)
        ensure_editable(conn, plan_id=found["plan_id"])
        intervention = allocation_store.intervention(conn, intervention_id, lock=True)
        allocation_domain.check_year(year, first_year=intervention["first_year"], last_year=intervention["last_year"])
        current = store.get(conn, intervention_id, year, lock=True)
        if current is not None and expected_version is None:
            raise VersionRequired()
        if (current["version"] if current else None) != expected_version:
            raise StaleCofinancing(current["version"] if current else None)
        comuni, as_of = _populations(conn, tenant=tenant, served=list(intervention["comuni"]))
        try:
            split = domain.split_by_population(total, {c["istat_code"]: c["population"] for c in comuni})
        except domain.SplitImpossible as exc:
            raise TerritoryMissing("no-population", str(exc)) from None
        rows = [{"istat_code": c["istat_code"], "population": c["population"],
                 "population_date": c["population_date"], "amount": split[c["istat_code"]]} for c in comuni]
        try:
            with conn.transaction():
                store.save(conn, intervention_id=intervention_id, year=year, total=total, population_as_of=as_of,
                           by=by, shares_rows=rows, replace=current is not None)
        except errors.UniqueViolation:   # a concurrent first setting won
            raise StaleCofinancing(None) from None
        saved = store.get(conn, intervention_id, year)
        add_event(conn, events.cofinancing_event(tenant=tenant, plan_id=intervention["plan_id"], cofinancing=saved))
    return saved, current is not None


def get_cofinancing(*, conn: psycopg.Connection, intervention_id: uuid.UUID, year: int) -> dict:
    """The co-financing of one year with its shares."""
    row = store.get(conn, intervention_id, year)
    if row is None:
        if allocation_store.intervention(conn, intervention_id) is None:
            raise InterventionNotFound(intervention_id)
        raise CofinancingNotFound(intervention_id, year)
    return row


def list_cofinancing(*, conn: psycopg.Connection, intervention_id: uuid.UUID) -> list[dict]:
    """Every year's co-financing of the intervention, with shares."""
    if allocation_store.intervention(conn, intervention_id) is None:
        raise InterventionNotFound(intervention_id)
    return store.of_intervention(conn, intervention_id)
