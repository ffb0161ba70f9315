"""The registry against its own OpenAPI document (schemathesis, every check: see test_services_openapi.py).

The registry runs in-process (WSGI, Flask test client transport) against the real PostgreSQL, on a
freshly provisioned random Ambito that already holds a published open call, a submitted application
and a stakeholder. Every generated request carries an operator+stakeholder token for that Ambito and
its `{tenant}` is always that Ambito, so requests reach the handlers instead of stopping at 401/404.

Random data rarely passes the domain checks (tax codes, ISTAT codes, the region's thematic areas,
existing ids, ETags), so a hook plants valid values at random places in the generated requests:
then the requests also get past validation to the database, where most server errors hide. Values
are planted only where the case is positive (valid by the schema): a negative case keeps the
invalid value schemathesis chose, which the service must refuse.

What must hold for every request, valid or not: every check schemathesis has (no 5xx, statuses,
content types, bodies and headers as documented, invalid data refused, valid data accepted or
refused with a status the schema cannot rule out), every error RFC 9457 problem+json.

Bounded and reproducible: a fixed seed, no example database, MAX_EXAMPLES per operation in the
fuzzing phase (plus schemathesis' examples and coverage phases). A deeper local run with other data:
PDZ_FUZZ_EXAMPLES=300 PDZ_FUZZ_SEED=7 (see docs/testing.md).
"""
from __future__ import annotations

import os

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error

from shared.cli.demo import demo_tax_code
from shared.http.pagination import encode_cursor
from tests.integration.conftest import refusing_connections
from tests.integration.registry_client import Registry
from tests.integration.test_services_openapi import (call_and_check, conformance, errors_are_problem_json,
                                                     sent_headers_are_documented)

MAX_EXAMPLES = int(os.environ.get("PDZ_FUZZ_EXAMPLES", "40"))
# Sequences of calls following the links schemathesis infers (POST /calls -> GET/PATCH /calls/{id}, ...).
STATEFUL_EXAMPLES = int(os.environ.get("PDZ_FUZZ_STATEFUL_EXAMPLES", "20"))

LAURIA, VIGGIANELLO = "076042", "076097"   # Basilicata comuni (the test Ambiti's region)
# Valid values for body fields the generator would almost never hit by chance.
PLANTS = {
    "tax_code": ["01114601006"] + [demo_tax_code(f"Organizzazione {n}", "076") for n in range(5)],
    "areas": [["3"], ["3", "5"], ["6", "6"]],
    "seat_istat": [LAURIA],
    "istat_code": [LAURIA, VIGGIANELLO],
    "capofila_istat": [LAURIA],
    "comuni": [[{"istat_code": LAURIA, "population": 12500, "population_date": "2025-01-01"}],
               [{"istat_code": LAURIA, "population": 12500, "population_date": "2025-01-01"},
                {"istat_code": VIGGIANELLO, "population": 2900, "population_date": "2025-01-01"}]],
    "population_date": ["2025-01-01"],
    "opens_at": ["2025-01-01T00:00:00+00:00"],
    "closes_at": ["2099-01-01T00:00:00+01:00"],
    "declarations": [{"possesso_requisiti": True, "assenza_cause_esclusione": True,
                      "presa_visione_informativa_privacy": True}],
    "region": ["basilicata"],
    "type": ["comune", "ets", "social_cooperative"],
    "runts_section": ["b"],
    "status": ["active", "suspended", "withdrawn"],
}
# People's codes (legal representative, contact, erasure requests) are personal codici fiscali.
PERSONAL = {"tax_code": ["RSSMRA85T10A562S", "BNCNNA90A41G942J"]}
PEOPLE = ("legal_representative", "contact_person")
# ETags for If-Match (most updates need one; 428 without it): current ones, stale ones, too large ones.
IF_MATCH = ['"1"', '"2"', 'W/"1"', '"0"', '"99999999999999999999"']


@pytest.fixture
def registry_schema(tenants, settings, tmp_path):
    reg = Registry(tenants, settings, tmp_path / "tenants.yaml")
    # Ids that exist, so generated requests also reach rows (not only "no such call").
    call = reg.open_call()
    application = reg.call("POST", "/applications", "stakeholder", json=reg.application(call["id"]))
    assert application.status_code == 201, application.get_json()
    stakeholder = reg.call("POST", "/stakeholders", json={"name": "Comune di Lauria", "type": "comune",
                                                          "tax_code": "01114601006", "areas": ["3"]})
    assert stakeholder.status_code == 201, stakeholder.get_json()
    existing = {"call_id": call["id"], "application_id": application.get_json()["id"],
                "stakeholder_id": stakeholder.get_json()["id"]}
    # Applications go to a call of their own: the generated requests may close the first one.
    plants = {**PLANTS, "call_id": [reg.open_call()["id"]]}

    schema = schemathesis.openapi.from_wsgi("/openapi.json", reg.client.application)
    conformance(schema, token=reg.headers("operator", "stakeholder")["Authorization"].split()[1], tenant=reg.slug,
                max_examples=MAX_EXAMPLES)

    @st.composite
    def planted(draw, value, how, personal=False):
        """`value` with known keys set to a valid value: all of them, some (how=None) or none."""
        if isinstance(value, dict):
            known = {**plants, **PERSONAL} if personal else plants
            return {key: draw(st.sampled_from(known[key]))
                    if key in known and (how or (how is None and draw(st.booleans())))
                    else draw(planted(item, how, personal or key in PEOPLE)) for key, item in value.items()}
        if isinstance(value, list):
            return [draw(planted(item, how, personal)) for item in value]
        return value

    def positive(case, location: str) -> bool:
        """Whether the case's `location` (body, path, query, header) holds valid data: only there we plant."""
        component = case.meta.components.get(location) if case.meta is not None else None
        return component is None or not component.mode.is_negative

    @st.composite
    def realistic(draw, case):
        # all / some / none of the planted values: all gets past validation, some and none test it.
        how = draw(st.sampled_from([True, True, None, False]))
        if positive(case, "path"):
            for name in existing:
                if name in (case.path_parameters or {}) and (how or (how is None and draw(st.booleans()))):
                    case.path_parameters[name] = existing[name]
        if positive(case, "header") and case.headers and "If-Match" in case.headers and how is not False:
            case.headers["If-Match"] = draw(st.sampled_from(IF_MATCH))
        if positive(case, "query") and case.query and "after" in case.query and how is not False:
            case.query["after"] = encode_cursor(draw(st.integers(min_value=0, max_value=3)))
        if positive(case, "body") and isinstance(case.body, (dict, list)) and how is not False:
            case.body = draw(planted(case.body, how, personal=case.path.endswith("/erasures")))
        return case

    @schema.hook
    def flatmap_case(ctx, case):
        return realistic(case)

    return schema


schema = schemathesis.pytest.from_fixture("registry_schema")


@schema.parametrize()
def test_every_check_passes(case):
    call_and_check(case)


def test_sequences_of_calls_keep_every_check(registry_schema):
    """The stateful phase: what one call creates, the next reads and changes (every check, and the
    stateful ones: a resource a 201 announced is there, a deleted one is gone)."""
    tenant = registry_schema.config.parameters["path.tenant"]

    class Sequences(registry_schema.as_state_machine()):
        def call(self, case, **kwargs):
            # The stateful phase draws {tenant} like any string: the test's Ambito, as in the other phases.
            case.path_parameters["tenant"] = tenant
            return super().call(case, **kwargs)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            checks = [errors_are_problem_json, sent_headers_are_documented, *(additional_checks or [])]
            super().validate_response(response, case, additional_checks=checks, **kwargs)
            if os.environ.get("PDZ_FUZZ_LOG"):
                with open(os.environ["PDZ_FUZZ_LOG"], "a") as log:
                    log.write(f"stateful {case.operation.label}\t{response.status_code}\n")

    Sequences.run(settings=hypothesis.settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=6,
                                               deadline=None, derandomize=True, database=None,
                                               suppress_health_check=list(hypothesis.HealthCheck)))


def test_answers_fuzzing_cannot_provoke_are_documented_too(tenants, settings, tmp_path):
    """A body over the limit (413), a body nested too deeply (400) and a database that refuses
    connections (503, Retry-After): every check on the answers, as for the generated requests."""
    reg = Registry(tenants, settings, tmp_path / "tenants.yaml")
    schema = schemathesis.openapi.from_wsgi("/openapi.json", reg.client.application)
    register = schema["/v1/{tenant}/stakeholders"]

    too_large = reg.client.post(reg.url("/stakeholders"), data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                                headers={**reg.headers(), "Content-Type": "application/json"})
    assert too_large.status_code == 413
    register["POST"].Case(path_parameters={"tenant": reg.slug}).validate_response(
        too_large, additional_checks=[errors_are_problem_json, sent_headers_are_documented])

    # Any JSON body is read for text the database cannot store, also where the operation takes none.
    call = reg.open_call()
    nested = reg.client.post(reg.url(f"/calls/{call['id']}/close"), data=b"[" * 100_000 + b"]" * 100_000,
                             headers={**reg.headers(), "Content-Type": "application/json", "If-Match": '"2"'})
    assert nested.status_code == 400
    schema["/v1/{tenant}/calls/{call_id}/close"]["POST"].Case(
        path_parameters={"tenant": reg.slug, "call_id": call["id"]}, headers={"If-Match": '"2"'}).validate_response(
        nested, additional_checks=[errors_are_problem_json, sent_headers_are_documented])

    with refusing_connections(tenants.url_for(tenants.get(reg.slug), "registry")):
        unavailable = reg.call("GET", "/stakeholders", "operator")
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"]
    register["GET"].Case(path_parameters={"tenant": reg.slug}).validate_response(   # a 5xx by design here
        unavailable, additional_checks=[errors_are_problem_json, sent_headers_are_documented],
        excluded_checks=[not_a_server_error])
