"""What the contributions' integration tests share (no tests here): an Ambito's consultation on the real
PostgreSQL, with replica rows written by the consumer's own row writer and tables, members and sessions
inserted with plain SQL (their own API is another package's)."""
from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg.rows import dict_row

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token

from services.consultation.app import create_app
from services.consultation.projectors import project
from tests.contract.catalogue import assert_valid_event

KEY = "consultation-contributions-key-" + "k" * 32


class World:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    def url(self, tenant=None):
        return self.tenants.url_for(self.tenants.get(tenant or self.slug), "consultation")

    def sql(self, query, params=(), tenant=None):
        with psycopg.connect(self.url(tenant)) as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def organisation(self, name, *, status="active", version=1, organisation_id=None, tenant=None):
        """A register organisation, through the replica's projector (as the consumer writes it)."""
        sid = str(organisation_id or uuid.uuid4())
        kind, stamp = (("registered", "registered_at") if version == 1 else ("updated", "updated_at"))
        data = {"stakeholder_id": sid, "name": name, "type": "ets", "runts_section": "b", "areas": ["3"],
                "status": status, "version": version, stamp: f"2026-03-0{version}T09:00:00+00:00"}
        if kind == "updated":
            data["changed"] = ["status"]
        event = new_event(type=f"it.pdz.registry.stakeholder.{kind}.v1", service="registry",
                          tenant=tenant or self.slug, aggregate_id=sid, data=data)
        with psycopg.connect(self.url(tenant)) as conn:
            apply_rows(conn, project(event))
        return uuid.UUID(sid)

    def table(self, title="Tavolo socio-assistenziale", *, coordinator="coord-1", status="active", tenant=None):
        table_id = uuid.uuid4()
        self.sql("INSERT INTO consultation_tables (id, kind, title, areas, coordinator, status, created_by)"
                 " VALUES (%s, 'thematic', %s, '{3}', %s, %s, 'op')", (table_id, title, coordinator, status), tenant)
        return table_id

    def member(self, table_id, organisation_id, *accounts, joined_version=1, tenant=None):
        self.sql("INSERT INTO table_members (id, table_id, organisation_id, accounts, joined_version, added_by)"
                 " VALUES (%s, %s, %s, %s, %s, 'op')",
                 (uuid.uuid4(), table_id, organisation_id, list(accounts), joined_version), tenant)

    def session(self, table_id):
        session_id = uuid.uuid4()
        self.sql("INSERT INTO sessions (id, table_id, title, starts_at, place, created_by)"
                 " VALUES (%s, %s, 'Prima sessione', '2026-04-14T10:00:00+02:00', 'Sala consiliare', 'op')",
                 (session_id, table_id))
        return session_id

    def territory(self, *codes):
        self.sql("INSERT INTO territory_profiles (origin, name, region, capofila_istat, total_population, version,"
                 " as_of, source_event_id) VALUES (%s, 'Ambito', 'basilicata', %s, 20000, 1, now(), 'e')",
                 (self.slug, codes[0]))
        for i, code in enumerate(codes):
            self.sql("INSERT INTO territory_comuni (origin, istat_code, name, province, population, population_date,"
                     " position, version) VALUES (%s, %s, %s, 'PZ', 1000, '2025-01-01', %s, 1)",
                     (self.slug, code, f"Comune {code}", i))

    def call(self, method, path, subject, *roles, json=None, headers=None, tenant=None):
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles),
                               tenants=[tenant or self.slug] if set(roles) - {"regional-admin"} else [])
        return self.client.open(f"/v1/{tenant or self.slug}{path}", method=method, json=json,
                                headers={"Authorization": f"Bearer {token}", **(headers or {})})

    def outbox(self, type_=None):
        """The events written so far (data), oldest first, each checked against its catalogue schema."""
        rows = self.sql("SELECT type, subject, data FROM outbox ORDER BY id")
        for row in rows:
            assert_valid_event(row["type"], row["data"])
        return [row for row in rows if type_ is None or row["type"] == type_]


def need_body(table_id, organisation_id, /, **extra):
    return {"table_id": str(table_id), "organisation_id": str(organisation_id), "title": "Trasporto sociale",
            "description": "Gli anziani delle frazioni non raggiungono i servizi.", "area": "3",
            "target_group": "anziani", "comuni": [], "evidence": "Sportello sociale 2025", **extra}


def proposal_body(table_id, organisation_id, need_ids, /, **extra):
    return {"table_id": str(table_id), "organisation_id": str(organisation_id),
            "need_ids": [str(n) for n in need_ids], "title": "Navetta sociale",
            "description": "Trasporto a chiamata due giorni a settimana.",
            "expected_outcome": "60 anziani raggiungono i servizi.", "estimated_cost": "18500.00", **extra}


@pytest.fixture
def world(tenants, settings, tmp_path):
    return World(tenants, settings, tmp_path / "tenants.yaml")


@pytest.fixture
def table(world):
    """A table with two member organisations: ODV (rep-a) and APS (rep-b); coordinator coord-1."""
    table_id = world.table()
    odv, aps = world.organisation("ODV Amici del Pollino"), world.organisation("APS Borghi Solidali")
    world.member(table_id, odv, "rep-a")
    world.member(table_id, aps, "rep-b")
    return {"id": table_id, "odv": odv, "aps": aps}
