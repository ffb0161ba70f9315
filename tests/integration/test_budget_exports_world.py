"""What the exports' integration tests share (no tests here): a fresh budget Ambito on the real PostgreSQL whose
plan, interventions, assignments, allocations, commitments, payments and progress are written with plain SQL
that keeps every ledger invariant, the closure is the allocations package's own service function, the whole
budget app's test client, and the recorded acts summed back independently of the ledger."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date
from decimal import Decimal

import psycopg
from openpyxl import load_workbook
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.budget.allocations.residui import close_fund_year
from services.budget.app import create_app

KEY = "budget-exports-key-" + "x" * 32
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class World:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    @property
    def url(self) -> str:
        return self.tenants.url_for(self.tenants.get(self.slug), "budget")

    def sql(self, query, params=()):
        with psycopg.connect(self.url) as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def plan(self, first_year=2024):
        plan_id = uuid.uuid4()
        self.sql("INSERT INTO plans (id, first_year, last_year, title, created_by) VALUES (%s, %s, %s, %s, 'op')",
                 (plan_id, first_year, first_year + 2, f"Piano Sociale di Zona {first_year}-{first_year + 2}"))
        self.sql("INSERT INTO plan_versions (plan_id, number, kind, reference_year, state)"
                 " VALUES (%s, 1, 'triennial', %s, 'draft')", (plan_id, first_year))
        return plan_id

    def organisation(self, name):
        oid = uuid.uuid4()
        self.sql("INSERT INTO organisations (origin, organisation_id, name, type, status, version, as_of,"
                 " source_event_id) VALUES (%s, %s, %s, 'ets', 'active', 1, now(), %s)",
                 (self.slug, oid, name, str(uuid.uuid4())))
        return oid

    def intervention(self, plan_id, code, *, title="Assistenza domiciliare anziani", nomenclature="2", area="3",
                     target="anziani", kind="service", leps=(), cup=None, investment=False, managing_body=None,
                     planned=(None, None), actual=(None, None), status="planned"):
        iid = uuid.uuid4()
        self.sql("INSERT INTO interventions (id, plan_id, code, title, nomenclature_code, area, target_group, leps,"
                 " kind, cup, investment, managing_body, planned_start, planned_end, actual_start, actual_end,"
                 " status, created_by, updated_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                 " %s, %s, %s, %s, 'op', 'op')",
                 (iid, plan_id, code, title, nomenclature, area, target, list(leps), kind, cup, investment,
                  managing_body, *planned, *actual, status))
        return iid

    def assignment(self, fund, year, amount, *, decree="Decreto di riparto", decree_date=date(2024, 3, 1)):
        self.sql("INSERT INTO fund_assignments (id, fund_code, year, amount, decree_reference, decree_date,"
                 " created_by) VALUES (%s, %s, %s, %s, %s, %s, 'op')",
                 (uuid.uuid4(), fund, year, Decimal(amount), decree, decree_date))
        self.sql("INSERT INTO fund_years (fund_code, year, assigned) VALUES (%s, %s, %s) ON CONFLICT (fund_code,"
                 " year) DO UPDATE SET assigned = fund_years.assigned + EXCLUDED.assigned",
                 (fund, year, Decimal(amount)))

    def allocation(self, intervention_id, fund, year, amount):
        """An allocation within the fund-year's assignment (the ledger's CHECK refuses it otherwise)."""
        self.sql("UPDATE fund_years SET allocated = allocated + %s WHERE fund_code = %s AND year = %s",
                 (Decimal(amount), fund, year))
        aid = uuid.uuid4()
        self.sql("INSERT INTO allocations (id, intervention_id, fund_code, year, amount, created_by)"
                 " VALUES (%s, %s, %s, %s, %s, 'op')", (aid, intervention_id, fund, year, Decimal(amount)))
        return aid

    def commitment(self, allocation_id, amount, *, act="Determina n. 1", act_date=date(2025, 3, 10), cig=None):
        self.sql("UPDATE allocations SET committed = committed + %s WHERE id = %s", (Decimal(amount), allocation_id))
        cid = uuid.uuid4()
        self.sql("INSERT INTO commitments (id, allocation_id, amount, act_date, act_reference, cig, created_by)"
                 " VALUES (%s, %s, %s, %s, %s, %s, 'op')", (cid, allocation_id, Decimal(amount), act_date, act, cig))
        return cid

    def payment(self, commitment_id, amount, *, act_date=date(2025, 5, 20)):
        self.sql("UPDATE commitments SET paid = paid + %s WHERE id = %s", (Decimal(amount), commitment_id))
        self.sql("UPDATE allocations SET paid = paid + %s WHERE id = (SELECT allocation_id FROM commitments"
                 " WHERE id = %s)", (Decimal(amount), commitment_id))
        self.sql("INSERT INTO payments (id, commitment_id, amount, act_date, act_reference, created_by)"
                 " VALUES (%s, %s, %s, %s, 'Liquidazione', 'op')", (uuid.uuid4(), commitment_id, Decimal(amount),
                                                                    act_date))

    def progress(self, intervention_id, year, quarter, *, status="active", percentage="0", outputs=None):
        self.sql("INSERT INTO intervention_progress (intervention_id, year, quarter, status, percentage, outputs,"
                 " source, recorded_by) VALUES (%s, %s, %s, %s, %s, %s, 'api', 'op')",
                 (intervention_id, year, quarter, status, Decimal(percentage), Jsonb(outputs or {})))

    def close(self, fund, year):
        """The real closure of the allocations package: what is not committed goes to year + 1 as residui."""
        with psycopg.connect(self.url) as conn:
            return close_fund_year(conn=conn, tenant=self.slug, fund=fund, year=year, by="op")["carried"]

    def acts(self, query: str, params=()) -> Decimal:
        """A sum over the recorded acts (commitments c, payments p, allocations a), not over the ledger."""
        return self.sql(query, params)[0]["s"] or Decimal("0.00")

    def get(self, path, *roles):
        roles = roles or ("operator",)
        token = mint_dev_token(key=KEY, subject="op-1", roles=list(roles),
                               tenants=[self.slug] if set(roles) - {"regional-admin"} else [])
        return self.client.get(f"/v1/{self.slug}/exports{path}", headers={"Authorization": f"Bearer {token}"})

    def json(self, path, *roles) -> dict:
        response = self.get(path, *roles)
        assert response.status_code == 200, response.get_data(as_text=True)
        return json.loads(response.get_data())

    def csv(self, path) -> list[list[str]]:
        response = self.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_data()
        assert body.startswith(b"\xef\xbb\xbf") and response.content_type == "text/csv; charset=utf-8"
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))

    def xlsx(self, path):
        response = self.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        return load_workbook(io.BytesIO(response.get_data())).active


def euro(cell: str) -> Decimal:
    """A CSV amount ("18500,50") as a Decimal."""
    return Decimal(cell.replace(",", "."))


def no_formula(cells) -> None:
    for value in cells:
        assert not (isinstance(value, str) and value.startswith(FORMULA_STARTS)), value
