"""Commitments, payments and the summary over HTTP on the real PostgreSQL: the happy path with its events,
lists and the figures to the cent, and every refusal naming what it refuses (nothing written)."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.config import Settings
from tests.conftest import write_catalogue
from tests.integration.test_budget_expenditure_world import APPROVED_AT, World

REAL_CIG = "8527277397"
CUP = "J51B21005120006"


@pytest.fixture
def world(tenants, settings, tmp_path):
    return World(tenants, settings, tmp_path / "tenants.yaml")


def commitment(amount="4000.00", **extra):
    return {"amount": amount, "act_date": "2025-03-10", "act_reference": "Determina n. 123 del 10/03/2025", **extra}


def payment(amount="1500.00", **extra):
    return {"amount": amount, "act_date": "2025-05-20", "act_reference": "Determina di liquidazione n. 310",
            **extra}


def test_commit_pay_list_and_summarise_to_the_cent(world):
    plan = world.plan()
    home_care = world.intervention(plan, cup=CUP, kind="project")
    fnps = world.allocation(home_care, "FNPS", 2025, "10000.00")
    fna = world.allocation(home_care, "FNA", 2025, "2500.50")
    supplier = world.organisation()

    first = world.call("POST", f"/allocations/{fnps}/commitments",
                       json=commitment("4000.00", cig=REAL_CIG, supplier_id=str(supplier)),
                       headers={"Idempotency-Key": "impegno-123"})
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["amount"], body["paid"], body["to_pay"]) == ("4000.00", "0.00", "4000.00")
    assert (body["fund_code"], body["year"], body["intervention_id"], body["plan_id"]) == ("FNPS", 2025,
                                                                                            str(home_care), str(plan))
    assert body["cup"] == CUP   # the intervention's, as the act named none
    assert body["cig"] == REAL_CIG and body["supplier_id"] == str(supplier)
    # The same key and body: the first answer again, nothing recorded twice.
    again = world.call("POST", f"/allocations/{fnps}/commitments",
                       json=commitment("4000.00", cig=REAL_CIG, supplier_id=str(supplier)),
                       headers={"Idempotency-Key": "impegno-123"})
    assert again.status_code == 201 and again.get_json()["id"] == body["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"

    second = world.call("POST", f"/allocations/{fnps}/commitments", json=commitment("6000.00", cig="z1e31eb332"))
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["cig"] == "Z1E31EB332" and second.get_json()["supplier_id"] is None
    other = world.call("POST", f"/allocations/{fna}/commitments", json=commitment("2500.50", cup="F85B18005350003"))
    assert other.status_code == 201 and other.get_json()["cup"] == "F85B18005350003"

    paid = world.call("POST", f"/commitments/{body['id']}/payments", json=payment("1500.00"))
    assert paid.status_code == 201, paid.get_json()
    assert paid.get_json()["allocation_id"] == str(fnps) and paid.get_json()["amount"] == "1500.00"
    assert world.call("POST", f"/commitments/{body['id']}/payments", json=payment("2500.00")).status_code == 201
    assert world.call("POST", f"/commitments/{other.get_json()['id']}/payments",
                      json=payment("0.50")).status_code == 201

    assert world.ledger(fnps) == {"amount": Decimal("10000.00"), "committed": Decimal("10000.00"),
                                  "paid": Decimal("4000.00")}
    one = world.call("GET", f"/commitments/{body['id']}", "auditor").get_json()
    assert (one["paid"], one["to_pay"]) == ("4000.00", "0.00")

    # Lists: per allocation (cursor), per intervention, per fund-year; payments per commitment.
    page = world.call("GET", f"/allocations/{fnps}/commitments?limit=1", "auditor").get_json()
    assert [c["id"] for c in page["items"]] == [body["id"]] and page["next_cursor"]
    rest = world.call("GET", f"/allocations/{fnps}/commitments?limit=1&after={page['next_cursor']}",
                      "regional-admin").get_json()
    assert [c["id"] for c in rest["items"]] == [second.get_json()["id"]] and rest["next_cursor"] is None
    by_intervention = world.call("GET", f"/commitments?intervention_id={home_care}", "coordinator").get_json()
    assert len(by_intervention["items"]) == 3
    by_fund_year = world.call("GET", "/commitments?fund=FNA&year=2025", "stakeholder").get_json()
    assert [c["id"] for c in by_fund_year["items"]] == [other.get_json()["id"]]
    assert world.call("GET", "/commitments?fund=FNA&year=2026").get_json()["items"] == []
    by_supplier = world.call("GET", f"/commitments?supplier_id={supplier}").get_json()
    assert [c["id"] for c in by_supplier["items"]] == [body["id"]]
    payments = world.call("GET", f"/commitments/{body['id']}/payments", "auditor").get_json()
    assert [p["amount"] for p in payments["items"]] == ["1500.00", "2500.00"]

    summary = world.call("GET", "/expenditure/summary?year=2025", "auditor").get_json()
    lines = {line["fund_code"]: line for line in summary["lines"]}
    assert {k: lines["FNPS"][k] for k in ("available", "allocated", "committed", "uncommitted", "paid", "to_pay")} \
        == {"available": "10000.00", "allocated": "10000.00", "committed": "10000.00", "uncommitted": "0.00",
            "paid": "4000.00", "to_pay": "6000.00"}
    assert (lines["FNA"]["committed"], lines["FNA"]["paid"], lines["FNA"]["to_pay"]) == ("2500.50", "0.50", "2500.00")
    assert (summary["totals"]["allocated"], summary["totals"]["committed"], summary["totals"]["paid"],
            summary["totals"]["to_pay"]) == ("12500.50", "12500.50", "4000.50", "8500.00")
    # The ledger reconciles with the acts recorded, to the cent.
    sums = world.sql("SELECT (SELECT sum(amount) FROM commitments) AS committed,"
                     " (SELECT sum(amount) FROM payments) AS paid")[0]
    assert (str(sums["committed"]), str(sums["paid"])) == (summary["totals"]["committed"], summary["totals"]["paid"])
    only_fna = world.call("GET", "/expenditure/summary?fund=FNA", "auditor").get_json()
    assert [line["fund_code"] for line in only_fna["lines"]] == ["FNA"]

    # Events: one per act, keyed by the allocation, amounts as strings, organisations only.
    commitments = world.events("commitment")
    assert len(commitments) == 3
    data = commitments[0]["data"]
    assert commitments[0]["subject"] == str(fnps)
    assert data["commitment_id"] == body["id"] and data["amount"] == "4000.00" and data["fund"] == "FNPS"
    assert data["supplier_id"] == str(supplier) and data["cup"] == CUP and data["cig"] == REAL_CIG
    assert data["allocation"] == {"allocated": "10000.00", "committed": "4000.00", "paid": "0.00"}
    payments = world.events("payment")
    assert [p["data"]["allocation"]["paid"] for p in payments] == ["1500.00", "4000.00", "0.50"]
    assert payments[1]["data"]["commitment"] == {"committed": "4000.00", "paid": "4000.00"}
    assert all("op-1" not in str(row["data"]) for row in commitments + payments)   # no account named


def test_over_commitment_and_over_payment_are_refused_naming_the_figures(world):
    allocation = world.allocation(world.intervention(world.plan()), "FNPS", 2025, "1000.00")
    assert world.call("POST", f"/allocations/{allocation}/commitments", json=commitment("900.00")).status_code == 201
    refused = world.call("POST", f"/allocations/{allocation}/commitments", json=commitment("100.01"))
    assert refused.status_code == 409
    problem = refused.get_json()
    assert problem["type"].endswith("/over-committed")
    assert (problem["allocated"], problem["committed"], problem["requested"]) == ("1000.00", "900.00", "100.01")
    assert "0.01" in problem["detail"]
    exact = world.call("POST", f"/allocations/{allocation}/commitments", json=commitment("100.00"))
    assert exact.status_code == 201

    cid = exact.get_json()["id"]
    assert world.call("POST", f"/commitments/{cid}/payments", json=payment("60.00")).status_code == 201
    over = world.call("POST", f"/commitments/{cid}/payments", json=payment("40.01"))
    assert over.status_code == 409
    problem = over.get_json()
    assert problem["type"].endswith("/over-paid")
    assert (problem["committed"], problem["paid"], problem["requested"]) == ("100.00", "60.00", "40.01")
    assert world.ledger(allocation) == {"amount": Decimal("1000.00"), "committed": Decimal("1000.00"),
                                        "paid": Decimal("60.00")}
    assert len(world.events("commitment")) == 2 and len(world.events("payment")) == 1


def test_commitments_wait_for_the_plans_approval(world):
    draft = world.allocation(world.intervention(world.plan(2024, approved_at=None)), "FNPS", 2025, "500.00")
    refused = world.call("POST", f"/allocations/{draft}/commitments", json=commitment("10.00"))
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("/plan-not-approved")
    # An allocation added after the approval (a yearly update, or after the Region returned the plan) waits
    # for the next approval; the allocation that was approved is committable.
    plan = world.plan(2027)
    line = world.intervention(plan)
    approved = world.allocation(line, "FNA", 2027, "500.00")
    later = world.allocation(line, "FNPS", 2027, "500.00", created_at=APPROVED_AT + timedelta(days=60))
    late = world.call("POST", f"/allocations/{later}/commitments", json=commitment("10.00"))
    assert late.status_code == 409 and late.get_json()["type"].endswith("/plan-not-approved")
    assert world.call("POST", f"/allocations/{approved}/commitments", json=commitment("10.00")).status_code == 201
    world.history(plan, "returned", "adopted", APPROVED_AT + timedelta(days=90))
    world.history(plan, "adopted", "approved", APPROVED_AT + timedelta(days=91))
    assert world.call("POST", f"/allocations/{later}/commitments", json=commitment("10.00")).status_code == 201
    assert world.ledger(draft)["committed"] == Decimal("0.00")


def test_closed_years_suspended_suppliers_and_bad_input_are_refused_and_nothing_is_written(world):
    allocation = world.allocation(world.intervention(world.plan()), "FNPS", 2025, "1000.00")
    suspended, withdrawn = world.organisation(status="suspended"), world.organisation(status="withdrawn")
    path = f"/allocations/{allocation}/commitments"

    answer = world.call("POST", path, json=commitment(supplier_id=str(suspended)))
    assert answer.status_code == 409 and answer.get_json()["type"].endswith("/supplier-suspended")
    for body, field in [(commitment(supplier_id=str(uuid.uuid4())), "supplier_id"),
                        (commitment(cig="8527277398"), "cig"),
                        (commitment(cup="J51B2100512000"), "cup"),
                        (commitment(amount="0.00"), "amount"),
                        (commitment(amount=10.5), "amount"),
                        (commitment(act_date=(date.today() + timedelta(days=2)).isoformat()), "act_date"),
                        (commitment(act_reference="   "), "act_reference")]:
        answer = world.call("POST", path, json=body)
        assert answer.status_code == 422, (body, answer.get_json())
        assert field in [e["field"] for e in answer.get_json()["errors"]], answer.get_json()
    assert world.call("POST", path, "auditor", json=commitment("1.00")).status_code == 403
    assert world.call("POST", path, "regional-admin", json=commitment("1.00")).status_code == 403
    assert world.call("POST", f"/allocations/{uuid.uuid4()}/commitments", json=commitment()).status_code == 404
    # Nothing of the refused was written: no commitment, no ledger move, no event.
    assert world.ledger(allocation)["committed"] == Decimal("0.00") and world.events("commitment") == []

    assert world.call("POST", path, json=commitment("100.00")).status_code == 201
    # A withdrawn supplier: the act exists and is recorded (docs/budget.md).
    assert world.call("POST", path, json=commitment("1.00", supplier_id=str(withdrawn))).status_code == 201
    assert world.ledger(allocation)["committed"] == Decimal("101.00") and len(world.events("commitment")) == 2

    cid = world.call("GET", path).get_json()["items"][0]["id"]
    early = world.call("POST", f"/commitments/{cid}/payments", json=payment(act_date="2025-03-09"))
    assert early.status_code == 422 and early.get_json()["errors"][0]["field"] == "act_date"
    assert world.call("POST", f"/commitments/{uuid.uuid4()}/payments", json=payment()).status_code == 404
    assert world.call("GET", f"/commitments/{uuid.uuid4()}/payments").status_code == 404

    world.sql("UPDATE fund_years SET closed_at = now() WHERE fund_code = 'FNPS' AND year = 2025")
    closed = world.call("POST", path, json=commitment("1.00"))
    assert closed.status_code == 409 and closed.get_json()["type"].endswith("/fund-year-closed")
    # Paying what was committed in a closed year (residui passivi) goes on.
    assert world.call("POST", f"/commitments/{cid}/payments", json=payment("1.00")).status_code == 201


def test_the_operations_document_who_may_call_them_and_their_conflicts(world):
    spec = world.client.get("/openapi.json").get_json()["paths"]
    commit = spec["/v1/{tenant}/allocations/{allocation_id}/commitments"]["post"]
    pay = spec["/v1/{tenant}/commitments/{commitment_id}/payments"]["post"]
    assert commit["x-pdz-roles"] == pay["x-pdz-roles"] == ["operator"]
    for slug in ("over-committed", "plan-not-approved", "fund-year-closed", "supplier-suspended"):
        assert slug in commit["responses"]["409"]["description"]
    assert "over-paid" in pay["responses"]["409"]["description"]
    for operation in (commit, pay):
        assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"]
    summary = spec["/v1/{tenant}/expenditure/summary"]["get"]
    assert "operator" in summary["x-pdz-roles"] and "auditor" in summary["x-pdz-roles"]


def test_the_budget_service_serves_these_operations(tmp_path):
    from services.budget.app import create_app
    app_settings = Settings(tenants_file=write_catalogue(tmp_path, ["alpha"]), jwt_dev_key="k" * 40,
                            database_url="postgresql://nobody@127.0.0.1:1/none")
    rules = {rule.rule for rule in create_app(settings=app_settings).url_map.iter_rules()}
    assert {"/v1/<tenant>/allocations/<uuid:allocation_id>/commitments", "/v1/<tenant>/commitments",
            "/v1/<tenant>/commitments/<uuid:commitment_id>", "/v1/<tenant>/commitments/<uuid:commitment_id>/payments",
            "/v1/<tenant>/expenditure/summary"} <= rules
