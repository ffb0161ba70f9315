"""What the expenditure tests share (no tests here): a budget Ambito on the real PostgreSQL with a plan, its
history, interventions, fund-years and allocations inserted with plain SQL (their APIs are other packages'),
the register replica's organisations, the budget app's test client, and the outbox read back and checked."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import psycopg
from psycopg.rows import dict_row

from shared.config import Settings
from shared.http.auth import mint_dev_token

from shared.http.app import create_service_app

from services.budget import SERVICE
from services.budget.expenditure.api import blp
from tests.contract.catalogue import assert_valid_event

KEY = "budget-expenditure-key-" + "e" * 32
APPROVED_AT = datetime(2024, 10, 1, 10, 0, tzinfo=timezone.utc)


class World:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        # Only this package's blueprint: these tests do not depend on the other budget packages' state;
        # test_budget_expenditure_api checks that the service's own app serves it too.
        self.client = create_service_app(service=SERVICE, title="PdZ Budget", blueprints=[blp],
                                         settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    @property
    def url(self) -> str:
        return self.tenants.url_for(self.tenants.get(self.slug), "budget")

    def sql(self, query, params=()):
        with psycopg.connect(self.url) as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def plan(self, first_year=2024, *, approved_at=APPROVED_AT):
        """A triennial plan; with `approved_at`, approved by the Assemblea then (history), else a draft."""
        plan_id = uuid.uuid4()
        self.sql("INSERT INTO plans (id, first_year, last_year, title, created_by) VALUES (%s, %s, %s, %s, 'op')",
                 (plan_id, first_year, first_year + 2, f"Piano Sociale di Zona {first_year}-{first_year + 2}"))
        state = "approved" if approved_at else "draft"
        self.sql("INSERT INTO plan_versions (plan_id, number, kind, reference_year, state, snapshot)"
                 " VALUES (%s, 1, 'triennial', %s, %s, %s)",
                 (plan_id, first_year, state, "{}" if approved_at else None))
        if approved_at:
            self.history(plan_id, "draft", "adopted", approved_at - timedelta(days=20))
            self.history(plan_id, "adopted", "approved", approved_at)
        return plan_id

    def history(self, plan_id, from_state, to_state, at):
        self.sql("INSERT INTO plan_history (plan_id, number, from_state, to_state, by_subject, by_role, at)"
                 " VALUES (%s, 1, %s, %s, 'op', 'operator', %s)", (plan_id, from_state, to_state, at))

    def intervention(self, plan_id, *, cup=None, kind="service"):
        iid = uuid.uuid4()
        self.sql("INSERT INTO interventions (id, plan_id, code, title, nomenclature_code, area, target_group,"
                 " kind, cup, created_by, updated_by) VALUES (%s, %s, %s, 'Servizio di assistenza domiciliare',"
                 " '1', '3', 'anziani', %s, %s, 'op', 'op')", (iid, plan_id, f"L{iid.hex[:6]}", kind, cup))
        return iid

    def fund_year(self, fund, year, assigned):
        self.sql("INSERT INTO fund_years (fund_code, year, assigned) VALUES (%s, %s, %s)"
                 " ON CONFLICT (fund_code, year) DO UPDATE SET assigned = fund_years.assigned + EXCLUDED.assigned",
                 (fund, year, Decimal(assigned)))

    def allocation(self, intervention_id, fund, year, amount, *, created_at=APPROVED_AT - timedelta(days=30)):
        """An allocation of `amount` (the fund-year gets the same assigned and allocated); created before the
        approval unless said otherwise."""
        self.fund_year(fund, year, amount)
        self.sql("UPDATE fund_years SET allocated = allocated + %s WHERE fund_code = %s AND year = %s",
                 (Decimal(amount), fund, year))
        aid = uuid.uuid4()
        self.sql("INSERT INTO allocations (id, intervention_id, fund_code, year, amount, created_at, created_by)"
                 " VALUES (%s, %s, %s, %s, %s, %s, 'op')", (aid, intervention_id, fund, year, Decimal(amount),
                                                            created_at))
        return aid

    def organisation(self, name="Cooperativa Sociale Il Sentiero", status="active"):
        oid = uuid.uuid4()
        self.sql("INSERT INTO organisations (origin, organisation_id, name, type, status, version, as_of,"
                 " source_event_id) VALUES (%s, %s, %s, 'ets', %s, 1, now(), %s)",
                 (self.slug, oid, name, status, str(uuid.uuid4())))
        return oid

    def ledger(self, allocation_id) -> dict:
        return self.sql("SELECT amount, committed, paid FROM allocations WHERE id = %s", (allocation_id,))[0]

    def call(self, method, path, *roles, json=None, headers=None, subject="op-1"):
        roles = roles or ("operator",)
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles),
                               tenants=[self.slug] if set(roles) - {"regional-admin"} else [])
        return self.client.open(f"/v1/{self.slug}{path}", method=method, json=json,
                                headers={"Authorization": f"Bearer {token}", **(headers or {})})

    def events(self, type_suffix: str) -> list[dict]:
        """The outbox's events of that kind, oldest first, each checked against the catalogue."""
        rows = self.sql("SELECT type, subject, data FROM outbox WHERE type LIKE %s ORDER BY id",
                        (f"it.pdz.budget.{type_suffix}.%",))
        for row in rows:
            assert_valid_event(row["type"], row["data"])
        return rows

