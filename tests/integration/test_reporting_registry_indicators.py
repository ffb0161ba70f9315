"""The registry's indicators (services/reporting/indicators/registry.py) on a fresh reporting database.

Events are made here, projected with reporting's projectors and written with apply_rows, as the consumer
does; the expected figures are counted here from the events the test made (a plain list of what was
made, and when), independently of the providers' SQL. Each trace must list exactly those records."""
import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from shared.cli.provision import ensure_database, migrate
from shared.consumer.rows import apply_rows
from shared.events.envelope import CloudEvent, new_event
from shared.tenants import database_url

from services.reporting.indicators import REGISTRY, Period
from services.reporting.indicators.model import ROME
from services.reporting.projector import project
from tests.conftest import random_database, random_slug
from tests.contract.catalogue import assert_valid_event

Q1, Q2, YEAR = Period.parse("2026-Q1"), Period.parse("2026-Q2"), Period.parse("2026")
TYPES = ("ets", "comune", "school", "social_cooperative")


@pytest.fixture(scope="module")
def reporting_url(settings):
    """A reporting database of this module only, migrated as provisioning does."""
    url = database_url(settings.database_url, random_database("reporting"))
    ensure_database(url)
    migrate(url, "reporting")
    return url


def ev(tenant, kind, data, subject, at=None):
    type_ = f"it.pdz.registry.{kind}.v1"
    assert_valid_event(type_, data)
    made = new_event(type=type_, service="registry", tenant=tenant, aggregate_id=subject, data=data)
    return CloudEvent(**{**made.__dict__, "time": at.isoformat()}) if at else made


def write(url, events):
    with psycopg.connect(url) as conn:
        apply_rows(conn, [row for e in events for row in project(e)])


class Ambito:
    """What the test made for one Ambito, with the instants: the expectations are counted from it."""

    def __init__(self, rng: random.Random):
        self.slug, self.rng, self.events = random_slug("amb"), rng, []
        self.stakeholders = []   # (id, type, section, registered_at, withdrawn_at or None)
        self.calls = []          # (id, published_at or None)
        self.applications = []   # (id, submitted_at, status, reviewed_at)

    def at(self, start: datetime, days: int) -> datetime:
        return start + timedelta(days=self.rng.randrange(days), hours=self.rng.randrange(24))

    def stakeholder(self, type_, section, registered_at, withdrawn_at=None):
        sid = str(uuid.uuid4())
        data = {"stakeholder_id": sid, "name": "Organizzazione di prova", "type": type_, "runts_section": section,
                "status": "active", "version": 1, "areas": ["3"], "registered_at": registered_at.isoformat()}
        self.events.append(ev(self.slug, "stakeholder.registered", data, sid))
        if withdrawn_at:
            self.events.append(ev(self.slug, "stakeholder.updated", {
                **data, "status": "withdrawn", "version": 2, "changed": ["status"],
                "updated_at": withdrawn_at.isoformat()}, sid))
        self.stakeholders.append((sid, type_, section, registered_at, withdrawn_at))

    def call(self, published_at):
        cid = str(uuid.uuid4())
        data = {"call_id": cid, "title": "Avviso di prova", "areas": ["1"], "opens_at": "2026-01-10T08:00:00+01:00",
                "closes_at": "2026-12-15T12:00:00+01:00", "status": "draft", "version": 1}
        self.events.append(ev(self.slug, "call.drafted", data, cid, at=datetime(2026, 1, 2, tzinfo=ROME)))
        if published_at:
            self.events.append(ev(self.slug, "call.published", {**data, "status": "published", "version": 2},
                                  cid, at=published_at))
        self.calls.append((cid, published_at))
        return cid

    def application(self, call_id, submitted_at, status=None, reviewed_at=None):
        aid = str(uuid.uuid4())
        base = {"application_id": aid, "call_id": call_id, "protocol_number": f"2026/{self.rng.randrange(999999):06d}"}
        review = None
        if status == "admitted":
            review = ev(self.slug, "application.admitted", {**base, "stakeholder_id": str(uuid.uuid4()),
                                                             "reviewed_at": reviewed_at.isoformat()}, aid)
        elif status == "rejected":
            review = ev(self.slug, "application.rejected", {**base, "reason": "Requisiti non posseduti.",
                                                             "reviewed_at": reviewed_at.isoformat()}, aid)
        submission = ev(self.slug, "application.submitted", {
            **base, "organisation": {"name": "Org", "type": "ets", "runts_section": "b", "seat_istat": "076042"},
            "areas": ["3"], "submitted_at": submitted_at.isoformat()}, aid)
        # Half the reviews arrive before their submission (another partition's order, a replay).
        pair = [review, submission] if review and self.rng.random() < 0.5 else [submission, review]
        self.events.extend(e for e in pair if e is not None)
        self.applications.append((aid, submitted_at, status or "submitted", reviewed_at))


def build(rng: random.Random) -> Ambito:
    amb = Ambito(rng)
    start = datetime(2025, 10, 1, tzinfo=ROME)
    for _ in range(rng.randrange(8, 16)):
        type_ = rng.choice(TYPES)
        section = rng.choice("abg") if type_ == "ets" else None
        registered = amb.at(start, 240)
        withdrawn = amb.at(registered, 200) if rng.random() < 0.3 else None
        amb.stakeholder(type_, section, registered, withdrawn)
    for _ in range(rng.randrange(1, 4)):
        published = amb.at(datetime(2026, 1, 5, tzinfo=ROME), 150) if rng.random() < 0.8 else None
        cid = amb.call(published)
        for _ in range(rng.randrange(0, 6)):
            submitted = amb.at(datetime(2026, 2, 1, tzinfo=ROME), 100)
            status = rng.choice([None, "admitted", "rejected"])
            amb.application(cid, submitted, status, amb.at(submitted, 60) if status else None)
    return amb


# --- expectations, counted from what was made ----------------------------------------------------

def active_at(ambiti, at):
    return [(a.slug, sid, t, s) for a in ambiti for sid, t, s, reg, wd in a.stakeholders
            if reg < at and not (wd and wd < at)]


def published_in(ambiti, period):
    return [(a.slug, cid) for a in ambiti for cid, pub in a.calls if pub and period.start <= pub < period.end]


def applications_in(ambiti, period, status):
    if status == "submitted":
        return [(a.slug, aid) for a in ambiti for aid, sub, _, _ in a.applications if period.start <= sub < period.end]
    return [(a.slug, aid) for a in ambiti for aid, _, st, rev in a.applications
            if st == status and period.start <= rev < period.end]


def figures(conn, code, tenants, period):
    return {tuple(f.dimension.items()): f.value for f in REGISTRY[code].provider(conn, tenants=tenants, period=period)}


def traced(conn, code, tenants, period, dimension, limit=3):
    """Every record of a trace, a page of `limit` at a time (the cursor exercised)."""
    records, after = [], None
    while True:
        page, after = REGISTRY[code].tracer(conn, tenants=tenants, period=period, dimension=dimension,
                                            after=after, limit=limit)
        assert all(s.service == "registry" and s.value == 1 for s in page)
        records.extend((s.tenant, s.id) for s in page)
        if after is None:
            return records


@pytest.fixture(scope="module")
def ambiti(reporting_url):
    rng = random.Random(11)
    made = [build(rng) for _ in range(3)]
    events = [e for a in made for e in a.events]
    write(reporting_url, events)
    write(reporting_url, rng.sample(events, len(events) // 3))  # late duplicates change nothing
    return made


@pytest.mark.parametrize("period", [Q1, Q2, YEAR], ids=str)
def test_stakeholder_stocks_at_the_period_s_end_and_their_traces(reporting_url, ambiti, period):
    with psycopg.connect(reporting_url) as conn:
        for chosen in (ambiti[:1], ambiti):  # one Ambito, then several: the figures of the list are the sums
            tenants = [a.slug for a in chosen]
            active = active_at(chosen, period.end)
            by_type = figures(conn, "stakeholder_attivi", tenants, period)
            for type_ in TYPES:
                expected = sorted((t, sid) for t, sid, ty, _ in active if ty == type_)
                assert by_type[(("type", type_),)] == len(expected)
                assert sorted(traced(conn, "stakeholder_attivi", tenants, period, {"type": type_})) == expected
            assert sum(by_type.values()) == len(active)
            by_section = figures(conn, "stakeholder_per_sezione_runts", tenants, period)
            for section in "abcdefg":
                expected = sorted((t, sid) for t, sid, _, s in active if s == section)
                assert by_section[(("runts_section", section),)] == len(expected)
                assert traced(conn, "stakeholder_per_sezione_runts", tenants, period,
                              {"runts_section": section}) == expected
        each = [figures(conn, "stakeholder_attivi", [a.slug], period) for a in ambiti]
        assert figures(conn, "stakeholder_attivi", [a.slug for a in ambiti], period) == {
            k: sum(f[k] for f in each) for k in each[0]}


@pytest.mark.parametrize("period", [Q1, Q2, YEAR], ids=str)
def test_calls_and_applications_in_the_period_and_their_traces(reporting_url, ambiti, period):
    with psycopg.connect(reporting_url) as conn:
        for chosen in (ambiti[1:2], ambiti):
            tenants = [a.slug for a in chosen]
            expected = sorted(published_in(chosen, period))
            assert figures(conn, "avvisi_pubblicati", tenants, period) == {(): len(expected)}
            assert traced(conn, "avvisi_pubblicati", tenants, period, {}) == expected
            by_status = figures(conn, "candidature", tenants, period)
            assert set(by_status) == {(("status", s),) for s in ("submitted", "admitted", "rejected")}
            for status in ("submitted", "admitted", "rejected"):
                expected = sorted(applications_in(chosen, period, status))
                assert by_status[(("status", status),)] == len(expected)
                assert traced(conn, "candidature", tenants, period, {"status": status}) == expected
        assert sum(figures(conn, "candidature", [ambiti[0].slug], YEAR).values()) > 0  # the data is not empty


def test_abitanti_at_the_period_s_end_and_its_trace(reporting_url):
    a, b = random_slug("lag"), random_slug("pol")

    def profile(tenant, version, at, comuni):
        return ev(tenant, "profile.updated", {
            "name": "Ambito di prova", "region": "basilicata", "ente_gestore": None, "asl_district": None,
            "comuni": [{"istat_code": c, "name": c, "province": "PZ", "population": p,
                        "population_date": "2025-01-01"} for c, p in comuni.items()],
            "total_population": sum(comuni.values()), "capofila_istat": next(iter(comuni)), "version": version,
            "updated_at": at.isoformat()}, "profile")

    write(reporting_url, [profile(a, 1, datetime(2026, 1, 15, tzinfo=ROME), {"076042": 12500, "076040": 5200}),
                          profile(a, 2, datetime(2026, 5, 2, tzinfo=ROME), {"076042": 12400}),
                          profile(b, 1, datetime(2026, 2, 1, tzinfo=ROME), {"076097": 2900})])
    with psycopg.connect(reporting_url) as conn:
        assert figures(conn, "abitanti", [a], Q1) == {(): Decimal(12500 + 5200)}
        assert figures(conn, "abitanti", [a], Q2) == {(): Decimal(12400)}  # Lagonegro dropped in May
        assert figures(conn, "abitanti", [a, b], Q2) == {(): Decimal(12400 + 2900)}
        assert figures(conn, "abitanti", [random_slug("none")], Q2) == {}  # no profile: no figure
        page, after = REGISTRY["abitanti"].tracer(conn, tenants=[a, b], period=Q2, dimension={}, after=None, limit=1)
        rest, end = REGISTRY["abitanti"].tracer(conn, tenants=[a, b], period=Q2, dimension={}, after=after, limit=5)
        assert end is None
        assert [(s.record, s.id, s.tenant, s.value) for s in page + rest] == [
            ("comune", "076042", a, Decimal(12400)), ("comune", "076097", b, Decimal(2900))]
