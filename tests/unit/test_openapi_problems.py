"""Every service's OpenAPI document describes the errors, preconditions and headers the service really uses.

What a view declares (its URL, `requires`, `arguments`, `idempotent`, the concurrency helpers it
calls) decides its documented problems (shared/http/openapi.py); these tests read the documents of
every service and of small apps built for the purpose. Whether the service answers as documented
is schemathesis' part (tests/integration/test_*_openapi.py).
"""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.views import MethodView
from flask_smorest import Api
from marshmallow import Schema, fields

from shared.config import Settings
from shared.http import openapi, openapi_components
from shared.http.auth import OPERATOR, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import PROBLEM_JSON, Problem
from tests.conftest import write_catalogue

from services.budget.app import create_app as budget_app
from services.consultation.app import create_app as consultation_app
from services.registry.app import create_app as registry_app
from services.reporting.app import create_app as reporting_app

FACTORIES = {"registry": registry_app, "consultation": consultation_app, "budget": budget_app,
             "reporting": reporting_app}
KEY = "openapi-doc-key-" + "d" * 32
METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("openapi")
    settings = Settings(tenants_file=write_catalogue(folder, ["alpha"]), jwt_dev_key=KEY)
    return {name: factory(settings=settings).test_client().get("/openapi.json").get_json()
            for name, factory in FACTORIES.items()}


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def every_operation(documents):
    return [(name, path, method, op) for name, doc in documents.items() for path, method, op in operations(doc)]


def parameter_names(operation, document, location):
    names = set()
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        if parameter["in"] == location:
            names.add(parameter["name"].lower())
    return names


def test_every_error_response_is_problem_json_with_the_problem_schema(documents):
    checked = 0
    for name, path, method, operation in every_operation(documents):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                assert list(response["content"]) == [PROBLEM_JSON], (name, method, path, status)
                assert response["content"][PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}
                checked += 1
        # 500, never `default`: a `default` would document every status and hide a forgotten one.
        assert "500" in operation["responses"] and "default" not in operation["responses"], (name, method, path)
    assert checked > 100


def test_no_document_keeps_flask_smorests_json_error_schema(documents):
    for name, document in documents.items():
        schemas = document.get("components", {}).get("schemas", {})
        if document["paths"]:   # (a service without operations yet has no component of ours)
            assert "Error" not in schemas, name
            problem = schemas["Problem"]
            assert set(problem["required"]) == {"type", "title", "status"}
            assert {"type", "title", "status", "detail", "instance", "errors", "field", "deadline",
                    "current_etag"} <= set(problem["properties"])
            assert schemas["ProblemError"]["required"] == ["field", "location", "message"]


def test_authenticated_operations_document_401_and_403_and_public_ones_neither(documents):
    for name, path, method, operation in every_operation(documents):
        public = operation.get("security") == []
        assert ("401" in operation["responses"]) is not public, (name, method, path)
        assert ("403" in operation["responses"]) is not public, (name, method, path)
        if not public:
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


def test_every_operation_of_an_ambito_documents_404_422_and_503_with_retry_after(documents):
    for name, path, method, operation in every_operation(documents):
        if "{tenant}" in path:
            for status in ("404", "422", "503"):
                assert status in operation["responses"], (name, method, path, status)
            assert "Retry-After" in operation["responses"]["503"]["headers"]
            tenant = [p for p in operation["parameters"] if p.get("name") == "tenant"]
            assert tenant and tenant[0]["schema"]["pattern"] == openapi_components.TENANT_SLUG


def test_if_match_and_its_statuses_go_together_and_updates_require_it(documents):
    for name, path, method, operation in every_operation(documents):
        document = documents[name]
        if_match = "if-match" in parameter_names(operation, document, "header")
        if if_match:
            assert "412" in operation["responses"], (name, method, path)
        if "428" in operation["responses"]:
            assert if_match, (name, method, path)
        if method == "patch":
            assert if_match, (name, method, path)
            assert "ETag" in operation["responses"]["200"]["headers"]


def test_idempotent_posts_document_the_key_the_replay_header_and_their_conflicts(documents):
    registry = documents["registry"]
    idempotent_posts = [("/v1/{tenant}/calls", "post"), ("/v1/{tenant}/applications", "post"),
                        ("/v1/{tenant}/stakeholders", "post"), ("/v1/{tenant}/privacy/erasures", "post")]
    for path, method in idempotent_posts:
        assert "idempotency-key" in parameter_names(registry["paths"][path][method], registry, "header"), path
    # Every operation of every service that takes the key is a creating POST and says what a replay
    # and a clash answer (consultation's and budget's included, whatever they add).
    for name, path, method, operation in every_operation(documents):
        if "idempotency-key" in parameter_names(operation, documents[name], "header"):
            assert method == "post", (name, path)
            created = operation["responses"].get("201") or operation["responses"]["200"]
            assert "Idempotent-Replayed" in created["headers"], (name, path)
            assert "`idempotency-in-progress`" in operation["responses"]["409"]["description"], (name, path)
            assert "`idempotency-key-reused`" in operation["responses"]["422"]["description"], (name, path)


def test_domain_conflicts_are_documented_beside_the_platforms(documents):
    paths = documents["registry"]["paths"]
    applying = paths["/v1/{tenant}/applications"]["post"]["responses"]["409"]["description"]
    for slug in ("call-closed", "duplicate-application", "idempotency-in-progress"):
        assert f"`{slug}`" in applying
    assert "`call-state`" in paths["/v1/{tenant}/calls/{call_id}/publish"]["post"]["responses"]["409"]["description"]
    assert "`duplicate-tax-code`" in paths["/v1/{tenant}/stakeholders"]["post"]["responses"]["409"]["description"]
    assert "`unknown-tenant`, `not-found`" in paths["/v1/{tenant}/profile"]["get"]["responses"]["404"]["description"]


def test_every_response_documents_x_request_id(documents):
    for name, path, method, operation in every_operation(documents):
        for status, response in operation["responses"].items():
            assert response["headers"]["X-Request-ID"] == {"$ref": "#/components/headers/X-Request-ID"}, (
                name, method, path, status)


def test_domain_formats_are_patterns(documents):
    registry = documents["registry"]
    schemas = registry["components"]["schemas"]
    assert schemas["StakeholderIn"]["properties"]["tax_code"]["pattern"].startswith("^(?:[0-9]{11}|")
    assert schemas["PersonIn"]["properties"]["tax_code"]["pattern"].startswith("^[A-Za-z]{6}")
    assert schemas["StakeholderIn"]["properties"]["seat_istat"]["pattern"] == "^[0-9]{6}$"
    assert schemas["ComuneIn"]["properties"]["istat_code"]["pattern"] == "^[0-9]{6}$"
    cursors = [p for _, _, op in operations(registry) for p in op.get("parameters", []) if p.get("name") == "after"]
    assert cursors and all(p["schema"]["pattern"] == openapi_components.CURSOR for p in cursors)
    pages = [schema for schema in schemas.values() if "next_cursor" in schema.get("properties", {})]
    assert len(pages) >= 4 and all(page["properties"]["next_cursor"]["pattern"] == openapi_components.CURSOR for page in pages)


# -- derivation, on an app of its own ---------------------------------------------------------------

class Thing(Schema):
    name = fields.String(required=True)


def _document(blp: Blueprint) -> dict:
    app = Flask("t")
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX="/")
    Api(app).register_blueprint(blp)
    return app.test_client().get("/openapi.json").get_json()


def test_what_a_view_declares_decides_its_problems():
    blp = Blueprint("things", __name__, url_prefix="/v1/<tenant>/things")

    @blp.route("/<uuid:thing_id>")
    class ThingById(MethodView):
        @requires(OPERATOR)
        @blp.arguments(Thing)
        @blp.response(200, Thing)
        def patch(self, body, tenant, thing_id):
            required_version()   # If-Match: 412/428, and its answers carry an ETag
            return body

    @blp.route("")
    class Things(MethodView):
        @requires(OPERATOR)
        @idempotent
        @blp.arguments(Thing)
        @blp.response(201, Thing)
        def post(self, body, tenant):
            return body, 201, {"ETag": etag(1)}

    paths = _document(blp)["paths"]
    patch = paths["/v1/{tenant}/things/{thing_id}"]["patch"]
    assert set(patch["responses"]) == {"200", "400", "401", "403", "404", "409", "412", "413", "415", "422",
                                       "428", "500", "503"}
    assert "`tenant-merged`" in patch["responses"]["409"]["description"]   # every write at a merged Ambito
    assert {"$ref": "#/components/parameters/IfMatchRequired"} in patch["parameters"]
    assert "ETag" in patch["responses"]["200"]["headers"]
    assert "Roles allowed here: operator" in patch["responses"]["403"]["description"]
    post = paths["/v1/{tenant}/things"]["post"]
    assert set(post["responses"]) == {"201", "400", "401", "403", "404", "409", "413", "415", "422", "500",
                                      "503"}
    assert {"$ref": "#/components/parameters/IdempotencyKey"} in post["parameters"]
    assert {"ETag", "Idempotent-Replayed", "X-Request-ID"} <= set(post["responses"]["201"]["headers"])


def test_a_public_blueprint_documents_no_credentials_and_a_view_can_say_what_its_code_does_not():
    blp = Blueprint("open", __name__, url_prefix="/v1/<tenant>/public", public=True)

    @blp.route("/list")
    class Listing(MethodView):
        @blp.doc(if_match="optional", etag=True)
        @blp.response(200, Thing)
        def put(self, tenant):
            return {"name": "x"}

    put = _document(blp)["paths"]["/v1/{tenant}/public/list"]["put"]
    assert put["security"] == []
    assert "401" not in put["responses"] and "403" not in put["responses"]
    assert {"$ref": "#/components/parameters/IfMatch"} in put["parameters"]
    assert "ETag" in put["responses"]["200"]["headers"]


def test_statuses_follow_from_the_facts():
    facts = openapi.Facts(method="get", path_parameters=["tenant"], public=True)
    assert openapi.statuses(facts) == {404: ["unknown-tenant"], 422: ["validation-error"],
                                       503: ["database-unavailable"]}
    facts = openapi.Facts(method="post", path_parameters=["tenant", "call_id"], body=True, idempotent=True,
                          if_match="required")
    found = openapi.statuses(facts)
    assert found[404] == ["unknown-tenant", "not-found"]
    assert found[422] == ["validation-error", "idempotency-key-reused"]
    assert found[409] == ["idempotency-in-progress", "tenant-merged"]
    assert {400, 401, 403, 412, 413, 415, 428, 503} <= set(found)


def matches(pattern: str, value: str) -> bool:
    """As a JSON Schema pattern matches (ECMA 262: `$` is the end, not also before a final newline)."""
    return re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value) is not None


@pytest.mark.parametrize("cursor", ["c!zE", "c zE", "czE=", "cz.E", "czE\n"])
def test_a_cursor_outside_the_documented_pattern_is_refused(cursor):
    # base64 decoding skips characters outside its alphabet and accepts padding: "c!zE" read as "czE"
    # (the cursor of seq 1), so the document's pattern was not what the service held to.
    assert not matches(openapi_components.CURSOR, cursor)
    with pytest.raises(Problem) as refused:
        decode_cursor(cursor)
    assert refused.value.code == 422


def test_every_cursor_the_service_makes_matches_the_documented_pattern():
    for seq in (0, 1, 63, 64, 10**6, 2**63 - 1):
        cursor = encode_cursor(seq)
        assert matches(openapi_components.CURSOR, cursor) and decode_cursor(cursor) == seq
    assert decode_cursor("") == 0 and matches(openapi_components.CURSOR, "")   # empty: the first page
