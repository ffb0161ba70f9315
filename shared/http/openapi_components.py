"""The parts every service's OpenAPI document shares: the Problem schema, headers, parameters, patterns.

shared/http/openapi.py refers to them from each operation; `register_components` puts them in a
document once, and the apispec attribute functions give every pagination cursor its pattern.
"""
from __future__ import annotations

from shared.http.pagination import CURSOR_RE
from shared.http.problems import TYPE_BASE

# Patterns of the platform's identifiers (the domain's, such as tax codes, live in the services' schemas).
TENANT_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"          # shared/tenants.py SLUG_RE
CURSOR = rf"^{CURSOR_RE.pattern}$"                    # unpadded base64url of "s<seq>"
ETAG = r'^\s*(?:W/)?"[0-9]+"\s*$'                     # shared/http/concurrency.py _ETAG_RE

PROBLEM = "Problem"
PROBLEM_REF = {"$ref": f"#/components/schemas/{PROBLEM}"}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details. `type` names the problem; clients branch on it, not on `title`.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri", "example": TYPE_BASE + "validation-error",
                 "description": f"{TYPE_BASE}<slug>; the slugs of each status are listed in its response"},
        "title": {"type": "string", "description": "Short, the same for every problem of this type"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status"},
        "detail": {"type": "string", "description": "What went wrong in this request, for a person to read"},
        "instance": {"type": "string", "format": "uri-reference"},
        "errors": {"type": "array", "description": "validation-error: one entry per refused value",
                   "items": {"$ref": "#/components/schemas/ProblemError"}},
        "field": {"type": "string", "description": "duplicate-*: the field whose value is already taken"},
        "deadline": {"type": "string", "format": "date-time",
                     "description": "call-closed: when the call stopped (or starts) accepting applications"},
        "current_etag": {"type": "string", "pattern": ETAG,
                         "description": "stale-etag: the ETag of the version stored now"},
        "standing_protocol_number": {"type": "string",
                                     "description": "duplicate-application: the protocol number of the"
                                                    " organisation's standing application to the call"},
        "merged_into": {"type": "string", "description": "tenant-merged: the Ambito this one was merged into"},
        "merged_on": {"type": "string", "format": "date", "nullable": True,
                      "description": "tenant-merged: the day of the merger (null if the catalogue has none)"},
    },
    "additionalProperties": True,
}
PROBLEM_ERROR_SCHEMA = {
    "type": "object",
    "required": ["field", "location", "message"],
    "properties": {
        "field": {"type": "string", "nullable": True,
                  "description": "Dotted path of the value (`organisation.tax_code`, `comuni.0.istat_code`);"
                                 " null when the whole request is refused"},
        "location": {"type": "string", "description": "Where the value was: json, query, headers or path"},
        "message": {"type": "string"},
    },
    "additionalProperties": False,
}

HEADERS = {
    "X-Request-ID": {"description": "The request's id (the one sent in X-Request-ID if it matches this"
                                    " pattern, else a new one): quote it when reporting a problem; it is in"
                                    " the service's logs",
                     "required": True, "schema": {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,64}$"}},
    "ETag": {"description": 'The version of the resource, e.g. "3": send it back in If-Match to change it',
             "required": True, "schema": {"type": "string", "pattern": ETAG}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored answer to an earlier request with"
                                           " the same Idempotency-Key (nothing was done again)",
                            "required": False, "schema": {"type": "string", "enum": ["true"]}},
    "Retry-After": {"description": "Seconds to wait before retrying", "required": True,
                    "schema": {"type": "integer", "minimum": 0}},
    "WWW-Authenticate": {"description": "`Bearer`, with `error=\"invalid_token\"` when a token was sent",
                         "required": True, "schema": {"type": "string", "pattern": "^Bearer"}},
}

PARAMETERS = {
    "IdempotencyKey": {
        "in": "header", "name": "Idempotency-Key", "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
        "description": "Any unique string (a UUID): a retry with the same key and body gets the first answer"
                       " (with Idempotent-Replayed: true) instead of doing it twice; kept 24 hours."
                       " 409 while the first is in progress, 422 if reused for another request"},
    "IfMatchRequired": {
        "in": "header", "name": "If-Match", "required": True, "schema": {"type": "string", "pattern": ETAG},
        "description": "The ETag you read: 428 without it, 412 if someone changed the resource since"},
    "IfMatch": {
        "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string", "pattern": ETAG},
        "description": "The ETag you read (required once the resource exists: 428 without it, 412 if stale)"},
}

# Each status the platform answers: what it means and which problem types it carries.
STATUSES = {
    400: ("Malformed request", ["malformed-request"], "The body is not JSON, is nested too deeply, or a header"
                                                      " (Idempotency-Key) is malformed"),
    401: ("Unauthorized", ["unauthorized"], "No bearer token, or one that is not valid"),
    403: ("Forbidden", ["forbidden"], "The token grants no role in this Ambito, or not a role allowed here"),
    404: ("Not Found", ["unknown-tenant", "not-found"], "No Ambito with this slug (or no such record)"),
    409: ("Conflict", ["idempotency-in-progress"], "The request conflicts with the state of the resource"),
    412: ("Precondition Failed", ["stale-etag"], "If-Match does not name the stored version: read it again"),
    413: ("Payload Too Large", ["payload-too-large"], "The body is larger than the service accepts"
                                                      " (PDZ_MAX_BODY_BYTES, 1 MiB by default)"),
    415: ("Unsupported Media Type", ["unsupported-media-type"], "The body must be sent as application/json"),
    422: ("Invalid input", ["validation-error"], "A value is refused; `errors` names each field"),
    428: ("Precondition Required", ["if-match-required"], "Send If-Match with the ETag you read"),
    503: ("Service Unavailable", ["database-unavailable"], "The database cannot serve the request now;"
                                                           " nothing was changed: retry after Retry-After"),
}


def cursor_parameter(converter, field, ret: dict, **_kwargs) -> dict:
    """apispec parameter attribute function: every query `after` is a cursor of shared/http/pagination.py."""
    schema = ret.get("schema", {})
    if ret.get("in") != "query" or ret.get("name") != "after" or schema.get("type") != "string":
        return {}
    return {"schema": {**schema, "pattern": schema.get("pattern", CURSOR)},
            "description": ret.get("description", "The `next_cursor` of the previous page (empty: the first)")}


def cursor_property(converter, field, ret: dict, **_kwargs) -> dict:
    """apispec attribute function: every `next_cursor` a page answers is one of ours (or null)."""
    if getattr(field, "name", None) != "next_cursor" or ret.get("type") != "string" or "pattern" in ret:
        return {}
    return {"pattern": CURSOR, "description": ret.get("description", "Send it as `after` for the next page;"
                                                                     " null on the last page")}


def register_components(spec) -> None:
    """The Problem schema, and the shared headers and parameters (lazily: if used), once per document."""
    components = spec.components
    if PROBLEM in components.schemas:
        return
    components.schema(PROBLEM, component=PROBLEM_SCHEMA)
    components.schema("ProblemError", component=PROBLEM_ERROR_SCHEMA)
    # flask-smorest registers an application/json Error schema {code, status, message, errors} for
    # its own error responses: `document` replaces every reference to them, so it would only mislead.
    components.schemas.pop("Error", None)
    for name, header in HEADERS.items():
        components.header(name, header, lazy=True)
    for name, parameter in PARAMETERS.items():
        components.parameter(name, parameter["in"], {k: v for k, v in parameter.items() if k != "in"},
                             lazy=True)
