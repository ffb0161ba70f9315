"""What the fund assignment and reference API tests share (no tests here): a budget Ambito on the real
PostgreSQL, the budget app's test client, plain SQL for what other packages' APIs create (plans,
interventions, allocations), and the outbox read back and checked against the catalogue."""
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

KEY = "budget-funds-key-" + "f" * 32
READERS = ("operator", "coordinator", "stakeholder", "auditor", "regional-admin")


class Funds:
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

    def call(self, method, path, *roles, json=None, headers=None, tenant=None, subject="ufficio-di-piano"):
        roles = roles or ("operator",)
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles),
                               tenants=[tenant or self.slug] if set(roles) - {"regional-admin"} else [])
        return self.client.open(f"/v1/{tenant or self.slug}{path}", method=method, json=json,
                                headers={"Authorization": f"Bearer {token}", **(headers or {})})

    def assign(self, fund="FNPS", year=2025, amount="184250.00", decree="DGR n. 512 del 14/06/2025", *roles,
               decree_date="2025-06-14", headers=None, tenant=None):
        return self.call("POST", "/fund-assignments", *roles, tenant=tenant, headers=headers, json={
            "fund": fund, "year": year, "amount": amount, "decree_reference": decree, "decree_date": decree_date})

    def correct(self, assignment_id, etag, **changes):
        headers = {"If-Match": etag} if etag else {}
        return self.call("PATCH", f"/fund-assignments/{assignment_id}", json=changes, headers=headers)

    def ledger(self, fund, year):
        rows = self.sql("SELECT assigned, residui_in, allocated, closed_at FROM fund_years"
                        " WHERE fund_code = %s AND year = %s", (fund, year))
        return rows[0] if rows else None

    def allocate_by_sql(self, fund, year, amount):
        """An allocation as the allocations package makes it: plan, version, intervention, row, ledger."""
        plan_id, intervention_id = uuid.uuid4(), uuid.uuid4()
        self.sql("INSERT INTO plans (id, first_year, last_year, title, created_by) VALUES (%s, %s, %s, %s, 'op')",
                 (plan_id, year, year + 2, f"Piano Sociale di Zona {year}-{year + 2}"))
        self.sql("INSERT INTO plan_versions (plan_id, number, kind, reference_year) VALUES (%s, 1, 'triennial', %s)",
                 (plan_id, year))
        self.sql("INSERT INTO interventions (id, plan_id, code, title, nomenclature_code, area, target_group, kind,"
                 " created_by, updated_by) VALUES (%s, %s, 'A1', 'Segretariato sociale', '1', '1',"
                 " 'popolazione_generale', 'service', 'op', 'op')", (intervention_id, plan_id))
        self.sql("UPDATE fund_years SET allocated = allocated + %s WHERE fund_code = %s AND year = %s",
                 (Decimal(amount), fund, year))
        self.sql("INSERT INTO allocations (id, intervention_id, fund_code, year, amount, created_by)"
                 " VALUES (%s, %s, %s, %s, %s, 'op')", (uuid.uuid4(), intervention_id, fund, year, Decimal(amount)))

    def outbox(self, type_=None):
        """The events written so far, oldest first, each checked against its catalogue schema."""
        rows = self.sql("SELECT type, subject, data FROM outbox ORDER BY id")
        for row in rows:
            assert_valid_event(row["type"], row["data"])
        return [row for row in rows if type_ is None or row["type"] == type_]


def problem(response, status, slug):
    assert response.status_code == status, (response.status_code, response.get_json())
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.get_json()
    assert body["type"].endswith("/" + slug), body
    return body


@pytest.fixture
def funds(tenants, settings, tmp_path):
    return Funds(tenants, settings, tmp_path / "tenants.yaml")
