"""A budget app on two fresh Ambiti, and the rows other engineers' APIs will write (plans, replicas) put in by SQL.

No tests here: the fixtures and helpers the interventions' integration tests share.
"""
from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.budget.app import create_app

KEY = "budget-interventions-key-" + "b" * 32
LAURIA, VIGGIANELLO, ROTONDA = "076042", "076097", "076069"


class World:
    def __init__(self, tenants, settings, tmp_path):
        app_settings = Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                                database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    def url(self, tenant: str | None = None) -> str:
        return self.tenants.url_for(self.tenants.get(tenant or self.slug), "budget")

    def sql(self, query: str, params=(), tenant: str | None = None):
        with psycopg.connect(self.url(tenant)) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else None

    def call(self, method: str, path: str, *roles: str, subject: str = "op-1", tenant: str | None = None,
             headers: dict | None = None, client=None, **kwargs):
        roles = roles or ("operator",)
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles),
                               tenants=[tenant or self.slug] if set(roles) - {"regional-admin"} else [])
        return (client or self.client).open(f"/v1/{tenant or self.slug}{path}", method=method,
                                headers={"Authorization": f"Bearer {token}", **(headers or {})}, **kwargs)

    # --- rows of the plans and replicas, written by SQL (their APIs are other engineers') ---

    def plan(self, first_year: int = 2024, state: str = "draft", tenant: str | None = None) -> uuid.UUID:
        plan_id = uuid.uuid4()
        self.sql("INSERT INTO plans (id, first_year, last_year, title, created_by) VALUES (%s, %s, %s, %s, 'op-1')",
                 (plan_id, first_year, first_year + 2, f"Piano Sociale di Zona {first_year}-{first_year + 2}"),
                 tenant=tenant)
        self.sql("INSERT INTO plan_versions (plan_id, number, kind, reference_year) VALUES (%s, 1, 'triennial', %s)",
                 (plan_id, first_year), tenant=tenant)
        if state != "draft":
            self.set_state(plan_id, state)
        return plan_id

    def set_state(self, plan_id, state: str) -> None:
        self.sql("UPDATE plan_versions SET state = %s, snapshot = CASE WHEN %s IN ('draft', 'returned') THEN snapshot"
                 " ELSE '{}'::jsonb END WHERE plan_id = %s AND number = 1", (state, state, plan_id))

    def organisation(self, *, status: str = "active", origin: str | None = None, name: str = "Consorzio Sociale"):
        organisation_id = uuid.uuid4()
        self.sql("INSERT INTO organisations (origin, organisation_id, name, type, status, version, as_of,"
                 " source_event_id) VALUES (%s, %s, %s, 'ets', %s, 1, now(), %s)",
                 (origin or self.slug, organisation_id, name, status, str(uuid.uuid4())))
        return organisation_id

    def profile(self, comuni=(LAURIA, VIGGIANELLO), *, origin: str | None = None) -> None:
        origin = origin or self.slug
        self.sql("INSERT INTO territory_profiles (origin, name, region, capofila_istat, total_population, version,"
                 " as_of, source_event_id) VALUES (%s, 'Ambito', 'basilicata', %s, 20000, 1, now(), 'e')",
                 (origin, comuni[0]))
        for position, code in enumerate(comuni):
            self.sql("INSERT INTO territory_comuni (origin, istat_code, name, province, population, population_date,"
                     " position, version) VALUES (%s, %s, %s, 'PZ', 5000, '2024-01-01', %s, 1)",
                     (origin, code, f"Comune {code}", position))

    def proposal(self, *, status: str = "accepted", origin: str | None = None, needs=None, title="Navetta sociale",
                 need_ids=None):
        """An accepted proposal of the replica; `needs=[]` with `need_ids` is one a backfill snapshot brought."""
        proposal_id = uuid.uuid4()
        needs = needs if needs is not None else [{"need_id": str(uuid.uuid4()), "area": "3",
                                                  "target_group": "anziani", "comuni": [LAURIA]}]
        self.sql("INSERT INTO accepted_proposals (origin, proposal_id, table_id, title, status, need_ids, needs,"
                 " version, source_event_id) VALUES (%s, %s, %s, %s, %s, %s, %s, 1, 'e')",
                 (origin or self.slug, proposal_id, uuid.uuid4(), title, status,
                  need_ids if need_ids is not None else [uuid.UUID(n["need_id"]) for n in needs], json.dumps(needs)))
        return proposal_id

    def outbox(self, event_type: str) -> list[dict]:
        rows = self.sql("SELECT data FROM outbox WHERE type = %s ORDER BY id", (event_type,))
        return [row[0] for row in rows]


def body(**overrides) -> dict:
    """A valid intervention (Basilicata area 3, anziani, a LEPS and a nomenclature code of the reference data)."""
    return {"code": "A3.2", "title": "Trasporto sociale per gli anziani delle frazioni", "nomenclature_code": "2",
            "area": "3", "target_group": "anziani", "leps": ["dimissioni-protette"], "kind": "service",
            "planned_start": "2024-03-01", "planned_end": "2026-12-31", **overrides}


@pytest.fixture
def world(tenants, settings, tmp_path):
    return World(tenants, settings, tmp_path)
