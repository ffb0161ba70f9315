"""Population at an instant (services/reporting/indicators/population.py) on a fresh reporting database.

Profiles enter as the consumer writes them (the projector's rows through apply_rows); the expected
figures are sums written out here from the comuni the test put in each profile."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import psycopg
import pytest

from shared.cli.provision import ensure_database, migrate
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.tenants import database_url

from services.reporting.indicators.population import comuni_at, population, population_by_comune
from services.reporting.registry_projector import PROJECTORS
from tests.conftest import random_database, random_slug

T0 = datetime(2025, 3, 1, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def reporting_url(settings):
    """A reporting database of this module only, migrated as provisioning does."""
    url = database_url(settings.database_url, random_database("reporting"))
    ensure_database(url)
    migrate(url, "reporting")
    return url


def profile(tenant, version, at, comuni, date="2025-01-01"):
    """A profile.updated.v1 listing `comuni` ({istat_code: population})."""
    return new_event(type="it.pdz.registry.profile.updated.v1", service="registry", tenant=tenant,
                     aggregate_id="profile", data={
                         "name": f"Ambito {tenant}", "region": "basilicata",
                         "comuni": [{"istat_code": code, "name": f"Comune {code}", "province": "PZ",
                                     "population": people, "population_date": date}
                                    for code, people in comuni.items()],
                         "total_population": sum(comuni.values()), "capofila_istat": next(iter(comuni)),
                         "ente_gestore": None, "asl_district": None, "version": version,
                         "updated_at": at.isoformat()})


def write(url, *events):
    with psycopg.connect(url) as conn:
        apply_rows(conn, [row for e in events for row in PROJECTORS[e.type](e)])


def test_the_version_in_force_counts_and_a_dropped_comune_no_longer_does(reporting_url):
    a = random_slug("lag")
    # Version 2 drops 076097 and changes 076042; it arrives before version 1 (late replay).
    write(reporting_url, profile(a, 2, T0 + timedelta(days=100), {"076042": 12000, "076040": 5200}),
          profile(a, 1, T0, {"076042": 12500, "076097": 2900}))
    with psycopg.connect(reporting_url) as conn:
        assert population(conn, tenants=[a], at=T0 + timedelta(days=50)) == Decimal(12500 + 2900)
        assert population(conn, tenants=[a], at=T0 + timedelta(days=200)) == Decimal(12000 + 5200)
        assert population(conn, tenants=[a], at=None) == Decimal(12000 + 5200)
        # Before any profile was saved: the oldest version known.
        assert population(conn, tenants=[a], at=T0 - timedelta(days=400)) == Decimal(12500 + 2900)
        assert population_by_comune(conn, tenants=[a], at=None) == {"076042": Decimal(12000),
                                                                    "076040": Decimal(5200)}
        now = conn.execute("SELECT istat_code FROM ambito_comuni_now WHERE tenant = %s ORDER BY 1",
                           (a,)).fetchall()
        assert [code for (code,) in now] == ["076040", "076042"]


def test_a_merged_ambito_counts_each_comune_once(reporting_url):
    a, b, c = random_slug("lag"), random_slug("pol"), random_slug("lagpol")
    write(reporting_url, profile(a, 1, T0, {"076042": 12500, "076040": 5200}),
          profile(b, 1, T0, {"076097": 2900}),
          # The merged Ambito lists the former Ambiti's comuni again, one with a newer population figure.
          profile(c, 1, T0 + timedelta(days=10), {"076042": 12400, "076040": 5200, "076097": 2900},
                  date="2026-01-01"))
    with psycopg.connect(reporting_url) as conn:
        at = T0 + timedelta(days=20)
        assert population(conn, tenants=[a, b], at=at) == Decimal(12500 + 5200 + 2900)  # disjoint: the sum
        assert population(conn, tenants=[c, a, b], at=at) == Decimal(12400 + 5200 + 2900)  # never C + A + B
        assert comuni_at(conn, tenants=[c, a, b], at=at)[1] == ("076042", c, 12400)
        assert population(conn, tenants=[random_slug("none")], at=at) == Decimal(0)
