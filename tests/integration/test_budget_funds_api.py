"""Fund assignments through the HTTP API on the real PostgreSQL: the fund-year ledger follows every
assignment and correction in the same transaction, ETag/If-Match, idempotency, lists, roles, events, and
the refusal to lower an assignment below what is already allocated."""
from __future__ import annotations

from decimal import Decimal

from tests.integration.test_budget_funds_world import READERS, funds, problem  # noqa: F401

RECORDED = "it.pdz.budget.fund_assignment.recorded.v1"
CORRECTED = "it.pdz.budget.fund_assignment.corrected.v1"


def test_an_assignment_creates_the_fund_year_and_is_recorded_as_an_event(funds):
    made = funds.assign("FNPS", 2025, "184250.00", "DGR n. 512 del 14/06/2025")
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert made.headers["ETag"] == '"1"'
    assert (body["fund"], body["year"], body["amount"], body["decree_reference"], body["decree_date"],
            body["version"], body["created_by"]) == (
        "FNPS", 2025, "184250.00", "DGR n. 512 del 14/06/2025", "2025-06-14", 1, "ufficio-di-piano")
    assert funds.ledger("FNPS", 2025)["assigned"] == Decimal("184250.00")
    # A second decree of the same fund and year adds to the ledger; another year is another row.
    assert funds.assign("FNPS", 2025, "0.01", "DGR n. 700 del 01/09/2025").status_code == 201
    assert funds.assign("FNPS", 2026, "1000.00", "DGR n. 12 del 10/01/2026").status_code == 201
    assert funds.ledger("FNPS", 2025)["assigned"] == Decimal("184250.01")
    assert funds.ledger("FNPS", 2026)["assigned"] == Decimal("1000.00")
    events = funds.outbox(RECORDED)
    assert len(events) == 3 and events[0]["subject"] == body["id"]
    assert events[0]["data"] == {
        "assignment_id": body["id"], "fund": "FNPS", "year": 2025, "amount": "184250.00",
        "decree_reference": "DGR n. 512 del 14/06/2025", "decree_date": "2025-06-14", "version": 1,
        "fund_year": {"assigned": "184250.00", "residui_in": "0.00", "allocated": "0.00", "available": "184250.00"}}
    assert events[1]["data"]["fund_year"]["assigned"] == "184250.01"


def test_idempotency_key_gives_the_first_answer_and_one_ledger_increment(funds):
    first = funds.assign("FNA", 2025, "5000.00", headers={"Idempotency-Key": "fna-2025"})
    again = funds.assign("FNA", 2025, "5000.00", headers={"Idempotency-Key": "fna-2025"})
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    assert funds.ledger("FNA", 2025)["assigned"] == Decimal("5000.00")
    assert len(funds.outbox(RECORDED)) == 1
    problem(funds.assign("FNA", 2025, "6000.00", headers={"Idempotency-Key": "fna-2025"}), 422,
            "idempotency-key-reused")
    # The same decree again without a key is a duplicate, not a second assignment.
    body = problem(funds.assign("FNA", 2025, "5000.00"), 409, "decree-already-recorded")
    assert (body["fund"], body["year"]) == ("FNA", 2025)
    assert funds.ledger("FNA", 2025)["assigned"] == Decimal("5000.00")


def test_bad_input_is_refused_and_nothing_is_written(funds):
    body = problem(funds.assign("FONDO-INVENTATO"), 422, "validation-error")
    assert body["errors"][0]["field"] == "fund"
    # A regional fund of another region: this Ambito is in Basilicata.
    body = problem(funds.assign("FSR-LOMBARDIA"), 422, "validation-error")
    assert body["errors"][0]["field"] == "fund" and "region lombardia" in body["errors"][0]["message"]
    for bad in ({"amount": "0.00"}, {"amount": 1000}, {"amount": "10.001"}, {"year": 1999}, {"decree_reference": ""},
                {"decree_reference": "   "}, {"decree_date": "14/06/2025"}):
        json = {"fund": "FNPS", "year": 2025, "amount": "10.00", "decree_reference": "DGR 1",
                "decree_date": "2025-06-14", **bad}
        response = funds.call("POST", "/fund-assignments", json=json)
        assert response.status_code == 422, (bad, response.get_json())
    assert funds.sql("SELECT count(*) AS n FROM fund_assignments")[0]["n"] == 0
    assert funds.ledger("FNPS", 2025) is None and funds.outbox() == []
    # A fund-year's total must fit an amount too: the second decree is refused, the first stays.
    assert funds.assign("FNA", 2025, "999999999999.99", "DGR 1").status_code == 201
    body = problem(funds.assign("FNA", 2025, "0.01", "DGR 2"), 422, "validation-error")
    assert body["errors"][0]["field"] == "amount"
    assert str(funds.ledger("FNA", 2025)["assigned"]) == "999999999999.99" and len(funds.outbox()) == 1


def test_a_correction_needs_if_match_and_the_ledger_follows_it(funds):
    made = funds.assign("FNPS", 2025, "100000.00").get_json()
    path = f"/fund-assignments/{made['id']}"
    read = funds.call("GET", path, "auditor")
    assert read.status_code == 200 and read.headers["ETag"] == '"1"' and read.get_json() == made
    problem(funds.correct(made["id"], None, amount="90000.00"), 428, "if-match-required")
    problem(funds.correct(made["id"], '"7"', amount="90000.00"), 412, "stale-etag")
    corrected = funds.correct(made["id"], '"1"', amount="90000.00", decree_reference="DGR n. 512 bis")
    assert corrected.status_code == 200, corrected.get_json()
    body = corrected.get_json()
    assert (body["amount"], body["decree_reference"], body["version"], body["updated_by"]) == (
        "90000.00", "DGR n. 512 bis", 2, "ufficio-di-piano")
    assert corrected.headers["ETag"] == '"2"' and funds.ledger("FNPS", 2025)["assigned"] == Decimal("90000.00")
    assert funds.correct(made["id"], '"2"', amount="120000.50").status_code == 200
    assert funds.ledger("FNPS", 2025)["assigned"] == Decimal("120000.50")
    events = funds.outbox(CORRECTED)
    assert [(e["data"]["previous_amount"], e["data"]["amount"], e["data"]["changed"]) for e in events] == [
        ("100000.00", "90000.00", ["amount", "decree_reference"]), ("90000.00", "120000.50", ["amount"])]
    assert events[-1]["data"]["fund_year"]["assigned"] == "120000.50"
    problem(funds.correct(made["id"], '"3"'), 422, "validation-error")   # nothing to correct
    problem(funds.call("GET", "/fund-assignments/00000000-0000-4000-8000-000000000000"), 404, "not-found")


def test_lowering_below_what_is_allocated_is_refused_naming_the_figures(funds):
    made = funds.assign("FNPS", 2025, "100000.00").get_json()
    funds.sql("UPDATE fund_years SET residui_in = 500.00 WHERE fund_code = 'FNPS' AND year = 2025")
    funds.allocate_by_sql("FNPS", 2025, "80000.00")
    body = problem(funds.correct(made["id"], '"1"', amount="79499.99"), 409, "below-allocated")
    assert (body["fund"], body["year"], body["assigned_after"], body["residui_in"], body["allocated"]) == (
        "FNPS", 2025, "79499.99", "500.00", "80000.00")
    assert "80000.00" in body["detail"] and "79499.99" in body["detail"]
    # Nothing moved: the assignment, the ledger, the outbox.
    assert funds.call("GET", f"/fund-assignments/{made['id']}").get_json()["version"] == 1
    assert funds.ledger("FNPS", 2025)["assigned"] == Decimal("100000.00")
    assert funds.outbox(CORRECTED) == []
    # Down to exactly what is allocated (with the residui) is fine: nothing is left available.
    assert funds.correct(made["id"], '"1"', amount="79500.00").status_code == 200
    year = funds.call("GET", "/fund-years?year=2025", "auditor").get_json()["items"]
    assert [(r["fund"], r["assigned"], r["residui_in"], r["allocated"], r["available"]) for r in year] == [
        ("FNPS", "79500.00", "500.00", "80000.00", "0.00")]


def test_a_closed_fund_year_takes_no_assignment_and_no_correction(funds):
    made = funds.assign("FNPS", 2024, "1000.00").get_json()
    funds.sql("UPDATE fund_years SET closed_at = now() WHERE fund_code = 'FNPS' AND year = 2024")
    problem(funds.assign("FNPS", 2024, "10.00", "DGR integrativa"), 409, "fund-year-closed")
    problem(funds.correct(made["id"], '"1"', decree_date="2024-05-01"), 409, "fund-year-closed")
    assert funds.ledger("FNPS", 2024)["assigned"] == Decimal("1000.00")
    assert funds.sql("SELECT count(*) AS n FROM fund_assignments")[0]["n"] == 1


def test_lists_filter_by_fund_and_year_with_a_cursor(funds):
    for fund, year, decree in [("FNPS", 2024, "A"), ("FNA", 2024, "B"), ("FNPS", 2025, "C"), ("FNPS", 2025, "D"),
                               ("PNRR-M5C2-1.2", 2025, "E")]:
        assert funds.assign(fund, year, "10.00", decree).status_code == 201

    def decrees(query, role="stakeholder"):
        response = funds.call("GET", f"/fund-assignments{query}", role)
        assert response.status_code == 200, response.get_json()
        return [i["decree_reference"] for i in response.get_json()["items"]], response.get_json()["next_cursor"]

    assert decrees("?fund=FNPS")[0] == ["A", "C", "D"]
    assert decrees("?year=2025")[0] == ["C", "D", "E"]
    assert decrees("?fund=FNPS&year=2025")[0] == ["C", "D"]
    first, cursor = decrees("?limit=2")
    assert first == ["A", "B"] and cursor
    assert decrees(f"?limit=2&after={cursor}")[0] == ["C", "D"]
    problem(funds.call("GET", "/fund-assignments?after=bad!"), 422, "validation-error")
    rows = funds.call("GET", "/fund-years?year=2025", "coordinator").get_json()["items"]
    assert [(r["fund"], r["assigned"], r["available"], r["source"]) for r in rows] == [
        ("FNPS", "20.00", "20.00", "national"), ("PNRR-M5C2-1.2", "10.00", "10.00", "PNRR")]
    assert rows[1]["fund_name"].startswith("PNRR M5C2 1.2")
    assert len(funds.call("GET", "/fund-years").get_json()["items"]) == 4
    assert len(funds.call("GET", "/fund-years?fund=FNPS").get_json()["items"]) == 2


def test_every_reader_reads_only_the_operator_writes_and_each_ambito_has_its_own(funds):
    made = funds.assign().get_json()
    for role in READERS:
        assert funds.call("GET", "/fund-assignments", role).status_code == 200, role
        assert funds.call("GET", f"/fund-assignments/{made['id']}", role).status_code == 200, role
        assert funds.call("GET", "/fund-years", role).status_code == 200, role
        if role != "operator":
            problem(funds.assign("FNA", 2025, "1.00", f"DGR {role}", role), 403, "forbidden")
            problem(funds.call("PATCH", f"/fund-assignments/{made['id']}", role, json={"amount": "1.00"},
                               headers={"If-Match": '"1"'}), 403, "forbidden")
    other = funds.call("GET", "/fund-assignments", "operator", tenant=funds.other)
    assert other.status_code == 200 and other.get_json()["items"] == []
    problem(funds.call("GET", f"/fund-assignments/{made['id']}", tenant=funds.other), 404, "not-found")
    assert funds.client.get(f"/v1/{funds.slug}/fund-assignments").status_code == 401
