"""The plan tests' world: a budget app on two fresh Ambiti, tokens per role, content written by SQL.

Interventions, allocations and co-financing are inserted here with plain SQL (their own APIs are
other modules'), as the content a plan's snapshot freezes.
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from psycopg.rows import dict_row

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.budget.app import create_app

KEY = "budget-plan-key-" + "p" * 32
OPERATOR = "ufficio-di-piano"
REVIEWER = "regione-basilicata-istruttore"


class PlanWorld:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    # --- HTTP -------------------------------------------------------------------------------------------
    def token(self, *roles, subject=OPERATOR, tenant=None):
        regional = [r for r in roles if r in ("regional-admin", "regional-reviewer")]
        local = [r for r in roles if r not in regional]
        return mint_dev_token(key=KEY, subject=subject, roles=[*regional, *local],
                              tenants=[tenant or self.slug] if local else [])

    def call(self, method, path, *roles, json=None, headers=None, subject=OPERATOR, tenant=None):
        roles = roles or ("operator",)
        if "regional-reviewer" in roles and subject == OPERATOR:
            subject = REVIEWER
        all_headers = {"Authorization": f"Bearer {self.token(*roles, subject=subject, tenant=tenant)}",
                       **(headers or {})}
        return self.client.open(f"/v1/{tenant or self.slug}{path}", method=method, json=json, headers=all_headers)

    def get(self, path, *roles, **kwargs):
        return self.call("GET", path, *(roles or ("operator",)), **kwargs)

    def create_plan(self, first_year=2024, *roles, **kwargs):
        return self.call("POST", "/plans", *(roles or ("operator",)), json={"first_year": first_year}, **kwargs)

    def move(self, plan_id, number, action, *roles, json=None, etag=None):
        """A transition with the plan's current ETag (read first), or the one given."""
        if etag is None:
            etag = self.get(f"/plans/{plan_id}").headers["ETag"]
        return self.call("POST", f"/plans/{plan_id}/versions/{number}/{action}", *roles, json=json or {},
                         headers={"If-Match": etag})

    def approve(self, plan_id, number):
        return self.move(plan_id, number, "approve", json={"approval_act": "Delibera n. 4 del 12/10/2024"})

    # --- the database -----------------------------------------------------------------------------------
    def db(self, tenant=None):
        return psycopg.connect(self.tenants.url_for(self.tenants.get(tenant or self.slug), "budget"),
                               row_factory=dict_row)

    def organisation(self, name, status="active"):
        oid = uuid.uuid4()
        with self.db() as conn:
            conn.execute("INSERT INTO organisations (origin, organisation_id, name, type, status, version, as_of,"
                         " source_event_id) VALUES (%s, %s, %s, 'comune', %s, 1, now(), %s)",
                         (self.slug, oid, name, status, str(uuid.uuid4())))
        return oid

    def intervention(self, plan_id, code, *, area="3", title=None):
        iid = uuid.uuid4()
        with self.db() as conn:
            conn.execute("INSERT INTO interventions (id, plan_id, code, title, nomenclature_code, area, target_group,"
                         " kind, planned_start, created_by, updated_by)"
                         " VALUES (%s, %s, %s, %s, 'B1', %s, 'anziani', 'service', %s, 'sql', 'sql')",
                         (iid, plan_id, code, title or f"Intervento {code}", area, date(2024, 1, 1)))
        return iid

    def allocate(self, intervention_id, fund, year, amount):
        with self.db() as conn:
            conn.execute("INSERT INTO fund_years (fund_code, year, assigned) VALUES (%s, %s, 10000000)"
                         " ON CONFLICT DO NOTHING", (fund, year))
            conn.execute("INSERT INTO allocations (id, intervention_id, fund_code, year, amount, created_by)"
                         " VALUES (%s, %s, %s, %s, %s, 'sql') ON CONFLICT (intervention_id, fund_code, year)"
                         " DO UPDATE SET amount = EXCLUDED.amount",
                         (uuid.uuid4(), intervention_id, fund, year, amount))

    def cofinance(self, intervention_id, year, shares):
        with self.db() as conn:
            conn.execute("INSERT INTO cofinancing (intervention_id, year, total, population_as_of, created_by)"
                         " VALUES (%s, %s, %s, now(), 'sql')",
                         (intervention_id, year, sum(Decimal(amount) for _code, _pop, amount in shares)))
            # The allocations module adds the population's date to each share (its migration).
            dated = conn.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'cofinancing_shares'"
                                 " AND column_name = 'population_date'").fetchone()
            for code, population, amount in shares:
                conn.execute("INSERT INTO cofinancing_shares (intervention_id, year, istat_code, population, amount"
                             + (", population_date) VALUES (%s, %s, %s, %s, %s, '2024-01-01')" if dated
                                else ") VALUES (%s, %s, %s, %s, %s)"), (intervention_id, year, code, population, amount))

    def outbox(self, type_prefix="it.pdz.budget.plan."):
        with self.db() as conn:
            return conn.execute("SELECT type, subject, data FROM outbox WHERE type LIKE %s ORDER BY id",
                                (type_prefix + "%",)).fetchall()


@pytest.fixture
def world(tenants, settings, tmp_path):
    return PlanWorld(tenants, settings, tmp_path / "tenants.yaml")


def problem(response, status, slug):
    body = response.get_json()
    assert response.status_code == status, body
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert body["type"].endswith("/" + slug), body
    return body
