"""Security headers on every kind of answer; the request id; the access log; bounded metric labels;
/docs from the locally installed Swagger UI."""
import io
import json
import logging
import re

import pytest
from flask import Response
from flask.views import MethodView

from shared.config import Settings
from shared.http.app import create_service_app
from shared.http.auth import mint_dev_token
from shared.http.blueprint import Blueprint
from shared.http import logs
from shared.http.logs import JsonFormatter
from shared.http.metrics import REQUESTS
from tests.conftest import write_catalogue

KEY = "headers-test-key-" + "h" * 32


@pytest.fixture
def app(tmp_path):
    notes = Blueprint("notes", __name__, url_prefix="/v1/<tenant>/notes")
    public = Blueprint("open", __name__, url_prefix="/v1/<tenant>/public", public=True)

    @notes.route("")
    class Notes(MethodView):
        def get(self, tenant):
            return {"items": [{"name": "Mario Rossi"}]}

    @notes.route("/boom")
    class Boom(MethodView):
        def get(self, tenant):
            raise RuntimeError("unexpected")

    @public.route("/register.csv")
    class Register(MethodView):
        def get(self, tenant):
            return Response("name\n", mimetype="text/csv", headers={"Cache-Control": "public, max-age=60"})

    settings = Settings(tenants_file=write_catalogue(tmp_path, ["alpha"]), jwt_dev_key=KEY,
                        database_url="postgresql://nobody@127.0.0.1:1/none")
    return create_service_app(service="headers", title="Notes API", blueprints=[notes, public], settings=settings)


@pytest.fixture
def client(app):
    return app.test_client()


def auth():
    return {"Authorization": "Bearer " + mint_dev_token(key=KEY, subject="u", roles=["operator"],
                                                         tenants=["alpha"])}


ANSWERS = {
    "authenticated JSON": ("GET", "/v1/alpha/notes", True),
    "401": ("GET", "/v1/alpha/notes", False),
    "404 unknown tenant": ("GET", "/v1/nowhere/notes", True),
    "404 no route": ("GET", "/nothing/here", False),
    "405": ("DELETE", "/v1/alpha/notes", True),
    "500": ("GET", "/v1/alpha/notes/boom", True),
    "public export": ("GET", "/v1/alpha/public/register.csv", False),
    "livez": ("GET", "/livez", False),
    "metrics": ("GET", "/metrics", False),
    "openapi": ("GET", "/openapi.json", False),
    "docs": ("GET", "/docs", False),
    "docs asset": ("GET", "/docs/assets/swagger-ui-bundle.js", False),
}


@pytest.mark.parametrize("name", ANSWERS)
def test_every_answer_carries_the_security_headers(client, name):
    method, path, with_token = ANSWERS[name]
    response = client.open(path, method=method, headers=auth() if with_token else {})
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "Cache-Control" in headers


def test_json_answers_allow_nothing_to_run_and_are_not_stored(client):
    response = client.get("/v1/alpha/notes", headers=auth())
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none';")
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_errors_are_not_stored_either(client):
    assert client.get("/v1/alpha/notes").headers["Cache-Control"] == "no-store"
    assert client.get("/v1/alpha/notes/boom", headers=auth()).headers["Cache-Control"] == "no-store"


def test_a_view_keeps_its_own_caching(client):
    response = client.get("/v1/alpha/public/register.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"


# /docs: the pinned Swagger UI served by the service itself (finding 6: an unpinned CDN copy)

def local_references(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


def test_docs_reference_only_local_files_and_each_answers(client):
    response = client.get("/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<script>" not in page  # no inline script: the CSP allows scripts from 'self' only
    references = local_references(page)
    assert any(r.endswith("swagger-ui-bundle.js") for r in references)
    for url in references:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
    assert "http://" not in page and "https://" not in page


def test_the_docs_script_turns_the_validator_off_and_loads_the_local_document(client):
    page = client.get("/docs").get_data(as_text=True)
    assert 'data-spec-url="/openapi.json"' in page
    script = client.get("/docs/assets/init.js").get_data(as_text=True)
    assert "validatorUrl: null" in script and "http" not in script


def test_the_docs_page_may_run_its_own_scripts_only(client):
    csp = client.get("/docs").headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp and "connect-src 'self'" in csp


def test_only_the_listed_assets_are_served(client):
    assert client.get("/docs/assets/swagger-editor-bundle.js").status_code == 404
    assert client.get("/docs/assets/..%2F__init__.py").status_code == 404
    assert client.get("/static/app.py").status_code == 404


# X-Request-ID (finding 6: echoed unchecked up to 7 KB)

def test_a_safe_request_id_is_kept(client):
    response = client.get("/livez", headers={"X-Request-ID": "abc-123_x.y"})
    assert response.headers["X-Request-ID"] == "abc-123_x.y"


@pytest.mark.parametrize("sent", ["x" * 65, "a b", "id\r\nX-Evil: 1".replace("\r\n", ""), "ünïcode", "x" * 7000,
                                  '"><script>'], ids=["65 chars", "space", "header injection", "non-ASCII",
                                                      "7000 chars", "markup"])
def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(client, sent):
    response = client.get("/v1/alpha/notes", headers={**auth(), "X-Request-ID": sent})
    echoed = response.headers["X-Request-ID"]
    assert echoed != sent and re.fullmatch(r"[0-9a-f]{32}", echoed)


# The access log (finding 6: full query strings, request_id null)

@pytest.fixture
def access_lines(caplog):
    caplog.set_level(logging.INFO, logger="pdz.access")
    formatter = JsonFormatter()
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(formatter.format(record)))

    handler = Capture()
    logging.getLogger("pdz.access").addHandler(handler)
    yield lines
    logging.getLogger("pdz.access").removeHandler(handler)


def test_the_access_log_names_query_parameters_without_their_values(client, access_lines):
    client.get("/v1/alpha/notes?q=RSSMRA85T10A562S&access_token=eyJhbGciOi.secret&limit=5", headers=auth())
    line = access_lines[-1]
    text = json.dumps(line)
    assert "RSSMRA85T10A562S" not in text and "secret" not in text and "eyJ" not in text
    assert line["path"] == "/v1/alpha/notes"
    assert line["query"] == "q=…&access_token=…&limit=…"


def test_query_parameter_names_that_look_like_data_are_redacted_too():
    from werkzeug.datastructures import MultiDict
    query = logs.loggable_query(MultiDict([("RSSMRA85T10A562S", ""), ("rssmra85t10a562s", "1"), ("01234567890", "x"),
                                      ("mario.rossi@example.org", "y"), ("after", "czE")]))
    assert query == "…=…&…=…&…=…&…=…&after=…"


def test_the_access_log_carries_the_request_id_it_answered_with(client, access_lines):
    response = client.get("/v1/alpha/notes", headers={**auth(), "X-Request-ID": "trace-42"})
    assert access_lines[-1]["request_id"] == "trace-42" == response.headers["X-Request-ID"]
    response = client.get("/v1/alpha/notes")  # refused before authentication
    assert access_lines[-1]["request_id"] == response.headers["X-Request-ID"]
    assert access_lines[-1]["request_id"]
    response = client.post("/v1/alpha/notes", input_stream=io.BytesIO(b"x"), content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": str(50 * 1024 * 1024)})
    assert response.status_code == 413
    assert access_lines[-1]["request_id"] == response.headers["X-Request-ID"] and access_lines[-1]["request_id"]


# Prometheus labels (finding 3: any method name became a new series)

def series(service: str) -> set[tuple]:
    return {(s.labels["method"], s.labels["endpoint"]) for metric in REQUESTS.collect() for s in metric.samples
            if s.labels.get("service") == service and s.name.endswith("_total")}


def test_metric_labels_come_from_fixed_sets(client):
    for method in ("ANYTHING", "PROPFIND", "X" * 40, "get"):
        client.open("/v1/alpha/notes", method=method, headers=auth())
    client.get("/v1/alpha/notes/" + "a" * 30, headers=auth())
    client.get("/v1/alpha/notes", headers=auth())
    labels = series("headers")
    assert {m for m, _ in labels} <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    assert ("other", "unmatched") in labels  # a 405 matched no rule: the raw path is never a label
    assert ("GET", "/v1/<tenant>/notes") in labels
    assert all("aaaa" not in endpoint and "alpha" not in endpoint for _, endpoint in labels)
