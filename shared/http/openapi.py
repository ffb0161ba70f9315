"""What every operation's OpenAPI description says about errors, preconditions and headers.

The services answer every error as RFC 9457 problem+json (shared/http/problems.py); the
platform adds errors of its own before a view runs (token, Ambito, unstorable text, body
limits) and after (database unavailable, unexpected error). `operation_facts` reads what a
view declares (its URL, `requires`, `arguments`, `idempotent`, the concurrency helpers it
calls) and `document` turns those facts into responses, parameters and headers, so a
service documents them by writing the view, not by repeating them per route
(shared/http/blueprint.py calls both; the components they refer to are in
shared/http/openapi_components.py; docs/api.md lists the problem types).
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

from shared.http.openapi_components import HEADERS, PROBLEM_REF, STATUSES, TENANT_SLUG
from shared.http.problems import PROBLEM_JSON, TYPE_BASE


@dataclass
class Facts:
    """What a view declares, as far as its documentation is concerned."""

    method: str = "get"
    path_parameters: list[str] = field(default_factory=list)
    public: bool = False
    roles: frozenset[str] | None = None
    body: bool = False
    query: bool = False
    idempotent: bool = False
    if_match: str | None = None      # "required", "optional" or None
    etag: bool = False
    after_merger: bool = False       # a write a merged Ambito still accepts (shared/http/sharing_api.py)


_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _names_used(func, depth: int = 2) -> set[str]:
    """Global names a view's code uses, and those of its module's functions it calls (`depth` deep)."""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None:
        return set()
    names = set(code.co_names)
    for const in code.co_consts:   # lambdas and nested functions of the view
        if inspect.iscode(const):
            names |= set(const.co_names)
    if depth:
        module_globals = getattr(func, "__globals__", {})
        for name in list(names):
            helper = module_globals.get(name)
            if inspect.isfunction(helper) and helper.__module__ == func.__module__:
                names |= _names_used(helper, depth - 1)
    return names


def operation_facts(rule: str, method: str, func, apidoc: dict, *, public: bool) -> Facts:
    """The facts of one operation: its URL rule and method, the view function and flask-smorest's `_apidoc`."""
    arguments = [p for p in apidoc.get("arguments", {}).get("parameters", []) if isinstance(p, dict)]
    manual = apidoc.get("pdz", {})
    names = _names_used(func)
    if_match = manual.get("if_match", "required" if "required_version" in names else None)
    return Facts(
        method=method.lower(), path_parameters=_PARAM.findall(rule), public=public,
        roles=getattr(func, "pdz_roles", None),
        body=any(p["in"] in ("json", "form", "files") for p in arguments),
        query=any(p["in"] == "query" for p in arguments),
        idempotent=bool(apidoc.get("pdz_idempotent")),
        if_match=if_match or None,
        etag=manual.get("etag", bool(if_match) or "etag" in names),
        after_merger=_allowed_after_merger(func),
    )


def _allowed_after_merger(func) -> bool:
    while func is not None:   # the mark of sharing_api.allowed_after_merger, on the view or what it wraps
        if getattr(func, "pdz_allowed_after_merger", False):
            return True
        func = getattr(func, "__wrapped__", None)
    return False


def statuses(facts: Facts) -> dict[int, list[str]]:
    """Each error status the operation can answer, with the problem types it carries."""
    tenant = "tenant" in facts.path_parameters
    records = [p for p in facts.path_parameters if p != "tenant"]
    found: dict[int, list[str]] = {}

    def add(status, *types):
        found.setdefault(status, [])
        found[status] += [t for t in types if t not in found[status]]

    if not facts.public:
        add(401, "unauthorized")
        add(403, "forbidden")
    if tenant:
        add(404, "unknown-tenant")
        add(422, "validation-error")   # unstorable text in any query value is refused before the view
    if records:
        add(404, "not-found")
    if facts.method in ("post", "put", "patch"):
        add(413, "payload-too-large")     # any body, before anything reads it (shared/http/limits.py)
        if tenant:
            add(400, "malformed-request")   # any JSON body nested too deeply (shared/http/storable.py)
    if facts.body:
        add(400, "malformed-request")
        add(415, "unsupported-media-type")
    if facts.body or facts.query:
        add(422, "validation-error")
    if facts.idempotent:
        add(400, "malformed-request")
        add(409, "idempotency-in-progress")
        add(422, "idempotency-key-reused")
    if facts.if_match:
        add(412, "stale-etag")
        add(428, "if-match-required")
    if tenant and facts.method in ("post", "put", "patch", "delete") and not facts.after_merger:
        add(409, "tenant-merged")   # a merged Ambito refuses every write (shared/http/sharing_api.py)
    add(503, "database-unavailable")
    return found


TYPES_PREFIX = "Problem types: "


def problem_response(status: int, types: list[str], description: str | None = None, *,
                     roles: frozenset[str] | None = None) -> dict:
    """An OpenAPI response: problem+json with the Problem schema, naming the problem types it carries."""
    title, _, meaning = STATUSES.get(status, ("Error", [], ""))
    listed = ", ".join(f"`{t}`" for t in types)
    response = {
        "description": f"{description or meaning}. {TYPES_PREFIX}{listed}." if types else (description or meaning),
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        "headers": {"X-Request-ID": "X-Request-ID"},
    }
    if status == 403 and roles:
        response["description"] += f" Roles allowed here: {', '.join(sorted(roles))}."
    if status == 401:
        response["headers"]["WWW-Authenticate"] = "WWW-Authenticate"
    if status == 503:
        response["headers"]["Retry-After"] = "Retry-After"
    if status == 409 and "idempotency-in-progress" in types:
        response["headers"]["Retry-After"] = {**HEADERS["Retry-After"], "required": False}
    return response


def problems(status: int, *types: tuple[str, str]) -> dict:
    """`Blueprint.alt_response(status, **problems(status, (slug, when), ...))`: a view's own problem types
    (the platform's of that status are added to the description)."""
    title = STATUSES[status][0]
    lines = "; ".join(f"`{slug}`: {when}" for slug, when in types)
    return {"content_type": PROBLEM_JSON, "schema": PROBLEM_REF, "description": f"{TYPES_PREFIX}{lines}.",
            "example": {"type": TYPE_BASE + types[0][0], "title": title, "status": status, "detail": types[0][1]}}


def conflicts(*types: tuple[str, str]) -> dict:
    """`Blueprint.alt_response(409, **conflicts((slug, when), ...))`: the view's domain conflicts."""
    return problems(409, *types)


def _has_parameter(operation: dict, location: str, name: str) -> bool:
    return any(isinstance(p, dict) and p.get("in") == location and p.get("name", "").lower() == name.lower()
               for p in operation.get("parameters", []))


def document(operation: dict, facts: Facts) -> dict:
    """`operation` (flask-smorest's doc of one operation) with its problems, parameters and headers."""
    responses = {str(code): value for code, value in operation.get("responses", {}).items()}
    # flask-smorest's own error references describe application/json {code, status, message}: not ours.
    responses = {code: value for code, value in responses.items()
                 if not (isinstance(value, str) and (code == "default" or code.startswith(("4", "5"))))}
    platform = statuses(facts)
    for code, theirs in list(responses.items()):
        # A view's own problem types (alt_response(status, **problems(...))) without the platform's:
        # the meaning of the status first.
        if (isinstance(theirs, dict) and int(code) not in platform and code in {str(s) for s in STATUSES}
                and theirs.get("description", "").startswith(TYPES_PREFIX)):
            theirs["description"] = f"{STATUSES[int(code)][2]}. {theirs['description']}"
    for status, types in platform.items():
        ours = problem_response(status, types, roles=facts.roles)
        theirs = responses.get(str(status))
        if isinstance(theirs, dict) and PROBLEM_JSON in theirs.get("content", {}):
            # The view's own (its example, its problem types) beside the platform's types.
            own = theirs.get("description", "")
            description = (f"{ours['description'].rstrip('.')}, {own.removeprefix(TYPES_PREFIX)}"
                           if own.startswith(TYPES_PREFIX) else f"{own} Also: {ours['description']}")
            ours = {**ours, **theirs, "headers": {**ours["headers"], **theirs.get("headers", {})},
                    "description": description}
        responses[str(status)] = ours
    # 500, not `default`: a `default` response would document every status, and hide the ones forgotten.
    responses.pop("default", None)
    responses["500"] = problem_response(500, ["internal-server-error"],
                                        "Unexpected error: reported with the request id (X-Request-ID)")
    for code, response in responses.items():
        if not isinstance(response, dict):
            continue
        headers = response.setdefault("headers", {})
        headers.setdefault("X-Request-ID", "X-Request-ID")
        if code.startswith(("2", "3")):
            if facts.etag:
                headers.setdefault("ETag", "ETag")
            if facts.idempotent:
                headers.setdefault("Idempotent-Replayed", "Idempotent-Replayed")
    operation["responses"] = dict(sorted(responses.items()))

    parameters = operation.setdefault("parameters", [])
    if "tenant" in facts.path_parameters and not _has_parameter(operation, "path", "tenant"):
        parameters.append({"in": "path", "name": "tenant", "required": True,
                           "description": "The Ambito's slug, as in the tenant catalogue (e.g. potenza)",
                           "schema": {"type": "string", "pattern": TENANT_SLUG}})
    if facts.idempotent and not _has_parameter(operation, "header", "Idempotency-Key"):
        parameters.append("IdempotencyKey")
    if facts.if_match and not _has_parameter(operation, "header", "If-Match"):
        parameters.append("IfMatchRequired" if facts.if_match == "required" else "IfMatch")
    if not parameters:
        del operation["parameters"]
    if facts.public:
        operation["security"] = []
    return operation
