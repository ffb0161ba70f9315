"""The comuni's co-financing through the HTTP API on the real PostgreSQL: split by the territory replica's
populations among the comuni served (or all the Ambito's), stored with the population date, replaced with
If-Match, read back per year, refused when the populations are missing, and announced as an event."""
from __future__ import annotations

from decimal import Decimal

from tests.integration.test_budget_alloc_world import budget, problem  # noqa: F401

# Populations approximate (DOMAIN.md), as the registry's profile event would carry them.
COMUNI = [("076042", "Lauria", 12500), ("076039", "Lagonegro", 5200), ("076044", "Maratea", 5000),
          ("076097", "Viggianello", 3000)]


def territory(budget, comuni=COMUNI, *, version=1, population_date="2025-01-01"):
    """The Ambito's profile in the replica, as the budget consumer writes it (version `version` is current)."""
    budget.sql("INSERT INTO territory_profiles (origin, name, region, capofila_istat, total_population, version, as_of,"
               " source_event_id) VALUES (%s, 'Ambito', 'basilicata', '076097', %s, %s, '2026-03-01T09:00:00Z', 'e')"
               " ON CONFLICT (origin) DO UPDATE SET version = EXCLUDED.version, as_of = now()",
               (budget.slug, sum(c[2] for c in comuni), version))
    budget.sql("DELETE FROM territory_comuni WHERE origin = %s", (budget.slug,))
    for position, (code, name, population) in enumerate(comuni):
        budget.sql("INSERT INTO territory_comuni (origin, istat_code, name, province, population, population_date,"
                   " position, version) VALUES (%s, %s, %s, 'PZ', %s, %s, %s, %s)",
                   (budget.slug, code, name, population, population_date, position, version))


def put(budget, intervention, year, total, *roles, etag=None):
    return budget.call("PUT", f"/interventions/{intervention}/cofinancing/{year}", *roles, json={"total": total},
                       headers={"If-Match": etag} if etag else None)


def test_the_total_is_split_among_the_comuni_served_by_population_to_the_cent(budget):
    territory(budget)
    plan = budget.plan(2024)
    intervention = budget.intervention(plan, comuni=["076042", "076039", "076044"])
    created = put(budget, intervention, 2025, "10000.00")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["ETag"] == '"1"' and body["rule"] == "largest-remainder" and body["total"] == "10000.00"
    assert [(s["istat_code"], s["population"], s["population_date"], s["amount"]) for s in body["shares"]] == [
        ("076039", 5200, "2025-01-01", "2290.75"), ("076042", 12500, "2025-01-01", "5506.61"),
        ("076044", 5000, "2025-01-01", "2202.64")]
    assert sum(Decimal(s["amount"]) for s in body["shares"]) == Decimal("10000.00")
    stored = budget.sql("SELECT sum(amount) AS s, count(*) AS n FROM cofinancing_shares")[0]
    assert (stored["s"], stored["n"]) == (Decimal("10000.00"), 3)
    read = budget.call("GET", f"/interventions/{intervention}/cofinancing/2025", "auditor")
    assert read.status_code == 200 and read.get_json() == body and read.headers["ETag"] == '"1"'
    event = budget.outbox("it.pdz.budget.cofinancing.set.v1")
    assert len(event) == 1 and event[0]["subject"] == str(intervention)
    assert (event[0]["data"]["total"], event[0]["data"]["shares"][1]["amount"], event[0]["data"]["plan_id"]) == (
        "10000.00", "5506.61", str(plan))


def test_an_intervention_naming_no_comune_is_split_among_every_comune_of_the_ambito(budget):
    territory(budget)
    plan = budget.plan(2024)
    intervention = budget.intervention(plan, comuni=[])
    body = put(budget, intervention, 2024, "0.07").get_json()
    # 25,700 inhabitants: exact 3.40, 1.42, 1.36, 0.82 cents -> floors 3 + 1 + 1 + 0; the two missing cents go
    # to the largest remainders, Viggianello (.82) and Lagonegro (.42), not to Lauria (.40), the largest comune.
    assert {s["istat_code"]: s["amount"] for s in body["shares"]} == {
        "076039": "0.02", "076042": "0.03", "076044": "0.01", "076097": "0.01"}


def test_replacing_needs_if_match_and_uses_the_current_populations(budget):
    territory(budget)
    plan = budget.plan(2024)
    intervention = budget.intervention(plan, comuni=["076042", "076097"])
    assert put(budget, intervention, 2026, "1000.00").status_code == 201
    problem(put(budget, intervention, 2026, "2000.00"), 428, "if-match-required")
    problem(put(budget, intervention, 2026, "2000.00", etag='"7"'), 412, "stale-etag")
    territory(budget, [("076042", "Lauria", 1000), ("076097", "Viggianello", 3000)], version=2,
              population_date="2026-01-01")
    replaced = put(budget, intervention, 2026, "2000.00", etag='"1"')
    assert replaced.status_code == 200 and replaced.headers["ETag"] == '"2"'
    assert [(s["istat_code"], s["amount"], s["population_date"]) for s in replaced.get_json()["shares"]] == [
        ("076042", "500.00", "2026-01-01"), ("076097", "1500.00", "2026-01-01")]
    assert budget.sql("SELECT count(*) AS n FROM cofinancing_shares")[0]["n"] == 2
    listed = budget.call("GET", f"/interventions/{intervention}/cofinancing").get_json()["items"]
    assert [(c["year"], c["total"], c["version"]) for c in listed] == [(2026, "2000.00", 2)]
    assert [e["data"]["version"] for e in budget.outbox("it.pdz.budget.cofinancing.set.v1")] == [1, 2]


def test_refusals_change_nothing(budget):
    plan = budget.plan(2024)
    intervention = budget.intervention(plan, comuni=["076042", "076001"])
    problem(put(budget, intervention, 2024, "10.00"), 409, "no-territory-profile")
    territory(budget)
    body = problem(put(budget, intervention, 2024, "10.00"), 409, "comune-not-in-profile")
    assert body["comuni"] == ["076001"]
    empty = budget.intervention(plan, comuni=["076042"])
    territory(budget, [("076042", "Lauria", 0)], version=2)
    problem(put(budget, empty, 2024, "10.00"), 409, "no-population")
    territory(budget, version=3)
    assert problem(put(budget, empty, 2027, "10.00"), 422, "validation-error")["errors"][0]["field"] == "year"
    problem(put(budget, empty, 2024, "10.00", "auditor"), 403, "forbidden")
    problem(put(budget, empty, 2024, 10), 422, "validation-error")
    budget.set_state(plan, "approved")
    problem(put(budget, empty, 2024, "10.00"), 409, "plan-not-editable")
    problem(budget.call("GET", f"/interventions/{empty}/cofinancing/2024"), 404, "not-found")
    assert budget.sql("SELECT count(*) AS n FROM cofinancing")[0]["n"] == 0
    assert budget.outbox("it.pdz.budget.cofinancing.set.v1") == []
