"""What the allocation, co-financing and residui tests share (no tests here): a budget Ambito on the real
PostgreSQL, with plans, versions, interventions and fund-year ledger rows inserted with plain SQL (their own
APIs are other packages'), the budget app's test client, and the outbox read back and checked."""
from __future__ import annotations

import uuid
from decimal import Decimal

import psycopg
import pytest
from psycopg.rows import dict_row

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.budget.app import create_app
from tests.contract.catalogue import assert_valid_event

KEY = "budget-allocations-key-" + "b" * 32


class Budget:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    def url(self, tenant=None):
        return self.tenants.url_for(self.tenants.get(tenant or self.slug), "budget")

    def sql(self, query, params=(), tenant=None):
        with psycopg.connect(self.url(tenant)) as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def plan(self, first_year=2024, *, state="draft", tenant=None):
        plan_id = uuid.uuid4()
        self.sql("INSERT INTO plans (id, first_year, last_year, title, created_by) VALUES (%s, %s, %s, %s, 'op')",
                 (plan_id, first_year, first_year + 2, f"Piano Sociale di Zona {first_year}-{first_year + 2}"),
                 tenant)
        snapshot = None if state in ("draft", "returned") else '{}'
        self.sql("INSERT INTO plan_versions (plan_id, number, kind, reference_year, state, snapshot, signed_on)"
                 " VALUES (%s, 1, 'triennial', %s, %s, %s, %s)",
                 (plan_id, first_year, state, snapshot, "2024-10-30" if state == "signed" else None), tenant)
        return plan_id

    def set_state(self, plan_id, state):
        self.sql("UPDATE plan_versions SET state = %s, snapshot = coalesce(snapshot, '{}') WHERE plan_id = %s",
                 (state, plan_id))

    def intervention(self, plan_id, *, code=None, area="4", target_group="poverta_emarginazione", kind="service",
                     leps=(), nomenclature="1", comuni=(), status="planned", tenant=None):
        iid = uuid.uuid4()
        self.sql("INSERT INTO interventions (id, plan_id, code, title, nomenclature_code, area, target_group, leps,"
                 " kind, comuni, status, created_by, updated_by)"
                 " VALUES (%s, %s, %s, 'Servizio di pronto intervento sociale', %s, %s, %s, %s, %s, %s, %s, 'op', 'op')",
                 (iid, plan_id, code or f"L{iid.hex[:6]}", nomenclature, area, target_group, list(leps), kind,
                  list(comuni), status), tenant)
        return iid

    def fund_year(self, fund, year, assigned, *, residui_in="0", tenant=None):
        self.sql("INSERT INTO fund_years (fund_code, year, assigned, residui_in) VALUES (%s, %s, %s, %s)",
                 (fund, year, Decimal(assigned), Decimal(residui_in)), tenant)

    def ledger(self, fund, year):
        rows = self.sql("SELECT assigned, residui_in, allocated, closed_at FROM fund_years"
                        " WHERE fund_code = %s AND year = %s", (fund, year))
        return rows[0] if rows else None

    def commit(self, allocation_id, amount):
        """What the expenditure package does to an allocation when a commitment is recorded."""
        self.sql("UPDATE allocations SET committed = committed + %s WHERE id = %s", (Decimal(amount), allocation_id))

    def call(self, method, path, *roles, json=None, headers=None, tenant=None, subject="op-1"):
        roles = roles or ("operator",)
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles),
                               tenants=[tenant or self.slug] if set(roles) - {"regional-admin"} else [])
        return self.client.open(f"/v1/{tenant or self.slug}{path}", method=method, json=json,
                                headers={"Authorization": f"Bearer {token}", **(headers or {})})

    def allocate(self, intervention_id, fund, year, amount, *roles, **kwargs):
        return self.call("POST", f"/interventions/{intervention_id}/allocations", *roles,
                         json={"fund": fund, "year": year, "amount": amount}, **kwargs)

    def outbox(self, type_=None):
        """The events written so far (data), oldest first, each checked against its catalogue schema."""
        rows = self.sql("SELECT type, subject, data FROM outbox ORDER BY id")
        for row in rows:
            assert_valid_event(row["type"], row["data"])
        return [row for row in rows if type_ is None or row["type"] == type_]


def problem(response, status, slug):
    assert response.status_code == status, (response.status_code, response.get_json())
    body = response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert body["type"].endswith("/" + slug), body
    return body


@pytest.fixture
def budget(tenants, settings, tmp_path):
    return Budget(tenants, settings, tmp_path / "tenants.yaml")
