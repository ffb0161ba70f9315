"""Schemathesis on the exports' operations only (every check of the services' run, on a fresh Ambito that has
figures to export): no server error, every answer as documented. The whole budget document is fuzzed by
test_services_openapi; this run goes deeper into the exports' parameters (fund, year, as_of)."""
from __future__ import annotations

from datetime import date

import pytest
import schemathesis

from tests.integration.test_budget_exports_world import World
from tests.integration.test_services_openapi import KEY, call_and_check, conformance, token


@pytest.fixture
def exports_schema(tenants, settings, tmp_path):
    world = World(tenants, settings, tmp_path / "tenants.yaml")
    plan = world.plan(2024)
    line = world.intervention(plan, "A1", kind="project", cup="J51B21005120006", investment=True)
    world.assignment("PNRR-M5C2-1.2", 2025, "1000.00")
    world.assignment("FNA", 2025, "500.00", decree_date=date(2025, 1, 2))
    world.payment(world.commitment(world.allocation(line, "PNRR-M5C2-1.2", 2025, "1000.00"), "10.00"), "5.00")
    world.commitment(world.allocation(line, "FNA", 2025, "500.00"), "1.00")
    world.progress(line, 2025, 1, percentage="12.5", outputs={"utenti serviti": "3"})
    app = world.client.application
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app).include(path_regex="/exports/")
    conformance(schema, token=token(KEY, world.slug), tenant=world.slug)
    return schema


schema = schemathesis.pytest.from_fixture("exports_schema")


@schema.parametrize()
def test_every_check_passes_on_the_exports(case):
    call_and_check(case)
