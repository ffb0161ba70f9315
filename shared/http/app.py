"""The app factory every service's `create_app` builds on (Flask + flask-smorest)."""
from __future__ import annotations

import logging
import uuid

import psycopg

from flask import Flask, g, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from shared.config import Settings
from shared.db.errors import DatabaseUnavailable
from shared.db.readiness import MigrationReadiness
from shared.http.docs_ui import serve_docs
from shared.http.headers import secure_every_answer
from shared.http.limits import max_body_bytes, refuse_oversized_bodies, require_json_bodies
from shared.http.logs import loggable_query
from shared.http.metrics import instrument, metrics_on_api_port, metrics_response
from shared.http.platform import Platform
from shared.http.problems import Problem, from_http_exception, problem_response
from shared.http.request_ids import identify_requests
from shared.http.sharing_api import blp as sharing_blueprint, refuse_writes_when_merged
from shared.http.storable import refuse_unstorable_text

log = logging.getLogger(__name__)
access_log = logging.getLogger("pdz.access")


class ProblemApi(Api):
    """flask-smorest's Api, answering every error as RFC 9457 problem+json."""

    def handle_http_exception(self, error: HTTPException):
        return from_http_exception(error)


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "A bearer token is required.", slug="unauthorized",
                      headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def create_service_app(*, service: str, title: str, blueprints: list, settings: Settings | None = None,
                       platform: Platform | None = None, pages: list | None = None) -> Flask:
    """A Flask app with OpenAPI, problem+json errors, auth, health and metrics.

    `pages`: shared.web.PageBlueprints (HTML pages under /{tenant}/, session login, CSRF): outside the
    OpenAPI document and the bearer-token check; shared/web/install.py sets them up (docs/console.md).
    """
    settings = settings or Settings.from_env()
    platform = platform or Platform.from_settings(service, settings)
    app = Flask(f"pdz-{service}", static_folder=None)  # no /static/ route serving the working directory
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
            "security": [{"bearerAuth": []}],
        },
        JSON_SORT_KEYS=False,
    )
    app.extensions["pdz"] = platform
    # First of all, before anything can read the body: the request's id, then the body limit.
    identify_requests(app)
    refuse_oversized_bodies(app, limit=max_body_bytes())
    api = ProblemApi(app)
    # Every service answers GET /v1/{tenant}/sharing: what the catalogue says its Ambito gives and receives.
    blueprints = [*blueprints, sharing_blueprint]
    for blueprint in blueprints:
        api.register_blueprint(blueprint)

    # The services' blueprints need a token, with or without an Ambito in their path (fail closed),
    # unless declared public (transparency pages, D.Lgs. 33/2013). The platform's own routes
    # (/livez, /readyz, /metrics, /openapi.json, /docs) are outside them.
    service_blueprints = {b.name: getattr(b, "public", False) for b in blueprints}

    @app.before_request
    def _identify_and_authorise():
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        if request.blueprint not in service_blueprints:
            return None
        public = service_blueprints[request.blueprint]
        # Order matters: who are you (401), does the Ambito exist (404), may you act on it (403),
        # may it still be written (409 at a merged Ambito).
        g.principal = None if public else platform.verifier.verify(_bearer_token())
        slug = (request.view_args or {}).get("tenant")
        if slug is None:
            g.tenant, g.roles = None, (frozenset() if public else g.principal.regional_roles)
            return None
        tenant = platform.catalogue.get(slug)
        if tenant is None:
            raise Problem(404, "Not Found", f"There is no Ambito '{slug}'.", slug="unknown-tenant")
        g.roles = frozenset() if public else g.principal.roles_in(slug)
        if not public and not g.roles:
            raise Problem(403, "Forbidden", "Your token grants no role in this Ambito.", slug="forbidden")
        g.tenant = tenant
        # A merged Ambito stays readable and refuses writes (409 tenant-merged): after 401, 404, 403.
        refuse_writes_when_merged(tenant, request.method, request.endpoint)
        # Text PostgreSQL cannot store (NUL, lone surrogates) is a 422 here, not a 500 in the view.
        refuse_unstorable_text(request)
        return None

    require_json_bodies(app)  # after authentication: a caller learns the media type only when allowed

    @app.after_request
    def _echo_and_log(response):
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        access_log.info("request", extra={"method": request.method, "path": request.path,
                                          "query": loggable_query(request.args),
                                          "status": response.status_code})
        return response

    @app.errorhandler(DatabaseUnavailable)
    def _database_unavailable(error):
        # Known at once (server down, pool exhausted): "retry later", never a 500 after a long wait.
        log.warning("database unavailable", extra={"error": str(error)})
        return problem_response(503, "Service Unavailable",
                                "The database cannot serve this request now; retry shortly.",
                                slug="database-unavailable", headers={"Retry-After": str(error.retry_after)})

    @app.errorhandler(psycopg.OperationalError)
    def _database_failed(error):
        # A connection lost mid-request, a statement timeout, a lock or serialisation failure:
        # nothing was committed, and the same request may succeed when retried.
        timed_out = isinstance(error, psycopg.errors.QueryCanceled)
        log.warning("database error", extra={"error": type(error).__name__})
        detail = ("The database took too long to answer; retry shortly." if timed_out
                  else "The database cannot serve this request now; retry shortly.")
        return problem_response(503, "Service Unavailable", detail, slug="database-unavailable",
                                headers={"Retry-After": "2"})

    @app.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):
            return from_http_exception(error)
        log.exception("unhandled error")
        return problem_response(500, "Internal Server Error", "An unexpected error occurred.")

    @app.get("/livez")
    def livez():
        return jsonify(status="ok")

    migrations = MigrationReadiness.for_service(service, platform.catalogue, platform.pools)

    @app.get("/readyz")
    def readyz():
        try:
            # A fresh short connection: a probe must answer fast, not queue on a pool.
            # As the service's role, on the maintenance database: the processes hold no admin login.
            with psycopg.connect(platform.catalogue.server_url(service), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
        except Exception as exc:  # readiness reports, it does not crash
            log.warning("not ready", extra={"error": str(exc)})
            return problem_response(503, "Service Unavailable", "The database is not reachable.")
        # Every tenant database (reporting: the regional one) migrated to this release (shared/db/readiness.py).
        waiting = migrations.not_ready()
        if waiting:
            log.warning("not ready", extra={"databases_not_migrated": len(waiting)})
            return problem_response(503, "Service Unavailable",
                                    f"{len(waiting)} database(s) not migrated to this release yet.",
                                    slug="not-migrated", not_ready=waiting)
        return jsonify(status="ready", tenants=len(platform.catalogue))

    if metrics_on_api_port():  # else on the metrics port only, out of the Ingress's reach (metrics.py)
        @app.get("/metrics")
        def metrics():
            return metrics_response()

    serve_docs(app, title=title)  # Swagger UI from the pinned local package, not from a CDN
    if pages:   # after the API's error handlers: a browser's unknown path gets an Italian page (install.py)
        from shared.web.install import install_web
        install_web(app, service=service, pages=pages, settings=settings, platform=platform)
    secure_every_answer(app)
    instrument(app, service)
    return app


def current_platform() -> Platform:
    from flask import current_app
    return current_app.extensions["pdz"]
