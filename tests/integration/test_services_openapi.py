"""Every service against its own OpenAPI document (schemathesis, every check): reporting, consultation, budget.

The registry, whose inputs need planted valid values to get anywhere, has its own module
(test_registry_openapi.py); both use `conformance` below. Each service runs in-process (WSGI)
against the real PostgreSQL, on freshly provisioned random Ambiti, with a token holding every
role of the first one, so that generated requests reach the handlers.

Every check schemathesis has runs on every response (status code, content type, response schema
and headers conformance, negative data rejection, positive data acceptance, missing required
header, ignored auth, unsupported method, ...), plus ours: every error is problem+json and every
ETag / Idempotent-Replayed / Retry-After / WWW-Authenticate the service sends is documented for that
status. Only the response-time check stays off (timings are measured by bench/, not asserted).
Where the schema cannot say a value is refused (a check digit, an ISTAT code missing from the list,
an ETag that is no longer current, an id that does not exist), the check that would call that a
wrong answer is told which status is right: see EXPECTED.

Bounded and reproducible: a fixed seed, no example database, MAX_EXAMPLES per operation in the
fuzzing phase (plus the examples and coverage phases). Deeper: PDZ_FUZZ_EXAMPLES=300 PDZ_FUZZ_SEED=7.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from schemathesis.config._auth import OpenAPIAuthConfig

from shared.config import Settings
from shared.http.auth import mint_dev_token
from shared.http.problems import PROBLEM_JSON

MAX_EXAMPLES = int(os.environ.get("PDZ_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("PDZ_FUZZ_SEED", "20260101"))
KEY = "openapi-fuzz-key-" + "o" * 32
EVERY_ROLE = ["operator", "auditor", "stakeholder"]

# Statuses a check must accept besides its defaults, and why the schema cannot tell them apart.
EXPECTED = {
    # Valid by the schema, refused by a rule it cannot state: check digits of tax codes, the ISTAT
    # list, the region's thematic areas, a stale ETag (412), If-Match once a profile exists (428).
    "positive_data_acceptance": ["412", "422", "428"],
    # A malformed If-Match is an ETag that does not match: 412 (RFC 9110 13.1.1), not a 4xx of the list.
    "negative_data_rejection": ["412"],
    # A missing If-Match is 428 Precondition Required (RFC 6585).
    "missing_required_header": ["428"],
}
DOCUMENTED_HEADERS = ("ETag", "Idempotent-Replayed", "Retry-After", "WWW-Authenticate")


def errors_are_problem_json(ctx, response, case):
    """Every 4xx/5xx is RFC 9457 application/problem+json."""
    if response.status_code >= 400:
        media_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
        assert media_type == PROBLEM_JSON, (
            f"{response.status_code} answered as {media_type!r}, not {PROBLEM_JSON}")


def sent_headers_are_documented(ctx, response, case):
    """A header a client acts on (ETag, Idempotent-Replayed, Retry-After, ...) is in the document."""
    definition = case.operation.definition.raw.get("responses", {})
    documented = definition.get(str(response.status_code)) or definition.get("default") or {}
    names = {name.lower() for name in documented.get("headers", {})}
    for name in DOCUMENTED_HEADERS:
        if response.headers.get(name.lower()) is not None:
            assert name.lower() in names, f"{response.status_code} sends {name}, undocumented for that status"


def conformance(schema, *, token: str, tenant: str, max_examples: int = MAX_EXAMPLES) -> None:
    """Configure `schema` for the run: credentials, the Ambito, bounds, and the checks' expected statuses."""
    schema.config.seed = SEED
    # The token goes through the document's bearerAuth scheme, so that schemathesis knows it is the
    # real credential: the ignored-auth check then resends without it and with a wrong one (401 expected).
    schema.config.auth.openapi = OpenAPIAuthConfig(schemes={"bearerAuth": {"bearer": token}})
    schema.config.update(parameters={"path.tenant": tenant})
    schema.config.generation.update(max_examples=max_examples, deterministic=True, database="none")
    for name, extra in EXPECTED.items():
        check = getattr(schema.config.checks, name)
        check.expected_statuses = list(dict.fromkeys([*check.expected_statuses, *extra]))


def call_and_check(case):
    """Send the case and run every check on the answer; the response, for logging."""
    response = case.call_and_validate(additional_checks=[errors_are_problem_json, sent_headers_are_documented])
    if os.environ.get("PDZ_FUZZ_LOG"):   # "operation<TAB>status" per request, to see how deep a run went
        with open(os.environ["PDZ_FUZZ_LOG"], "a") as log:
            log.write(f"{case.operation.label}\t{response.status_code}\n")
    return response


def token(key: str, tenant: str, roles=EVERY_ROLE) -> str:
    return mint_dev_token(key=key, subject="fuzz", roles=list(roles), tenants=[tenant])


SERVICES = ("reporting", "consultation", "budget")


def service_app(service: str, tenants, settings, catalogue_path):
    module = __import__(f"services.{service}.app", fromlist=["create_app"])
    app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                            kafka_bootstrap=settings.kafka_bootstrap)
    return module.create_app(settings=app_settings)


@pytest.fixture(params=SERVICES)
def service_schema(request, tenants, settings, tmp_path):
    app = service_app(request.param, tenants, settings, tmp_path / "tenants.yaml")
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    if not schema.raw_schema.get("paths"):
        # Platform endpoints only (their issue has not landed): nothing to fuzz yet, and the day the
        # service gets an operation this test covers it with no change here.
        pytest.skip(f"the {request.param} service documents no operation yet")
    slug = tenants.slugs()[0]
    conformance(schema, token=token(KEY, slug), tenant=slug)
    return schema


schema = schemathesis.pytest.from_fixture("service_schema")


@schema.parametrize()
def test_every_check_passes(case):
    call_and_check(case)


@pytest.mark.parametrize("service", SERVICES)
def test_the_document_is_public_and_valid_openapi(service, tenants, settings, tmp_path):
    app = service_app(service, tenants, settings, tmp_path / "tenants.yaml")
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    schemathesis.openapi.from_dict(response.get_json()).validate()
