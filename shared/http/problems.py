"""RFC 9457 problem details for every error a service returns."""
from __future__ import annotations

from flask import Response, current_app, has_app_context, json
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://pdz.example.org/problems/"


class Problem(HTTPException):
    """An error a view raises on purpose, with a title and optional extra members."""

    def __init__(self, status: int, title: str, detail: str = "", *, slug: str | None = None,
                 headers: dict | None = None, **extra):
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.detail = detail
        self.slug = slug or title.lower().replace(" ", "-")
        self.extra = extra
        self.extra_headers = headers or {}


def problem_response(status: int, title: str, detail: str = "", *, slug: str | None = None,
                     headers: dict | None = None, **extra) -> Response:
    """A problem+json response; `extra` adds members such as `errors` or `deadline`."""
    body = {"type": TYPE_BASE + (slug or title.lower().replace(" ", "-")), "title": title,
            "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages, prefix: str = "") -> list[dict]:
    """marshmallow's nested messages as a flat list of {field, message}."""
    errors = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            errors.extend(flatten_messages(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        errors.extend({"field": prefix or None, "message": m} for m in messages)
    elif isinstance(messages, list):
        for item in messages:
            errors.extend(flatten_messages(item, prefix))
    else:
        errors.append({"field": prefix or None, "message": str(messages)})
    return errors


def from_http_exception(exc: HTTPException) -> Response:
    """Turn any werkzeug/flask-smorest error into problem+json."""
    if isinstance(exc, Problem):
        return problem_response(exc.code, exc.title, exc.detail, slug=exc.slug,
                                headers=exc.extra_headers, **exc.extra)
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if status == 422 and messages:
        # webargs nests by location (json, query, …): name the field, not the location.
        errors = []
        for location, fields in messages.items():
            for error in flatten_messages(fields):
                errors.append({**error, "location": location})
        names = ", ".join(sorted({e["field"] for e in errors if e["field"]})) or "the request"
        return problem_response(422, "Invalid input", f"Invalid value for: {names}",
                                slug="validation-error", errors=errors)
    if status == 400 and messages:
        detail = "; ".join(e["message"] for e in flatten_messages(messages)) or exc.description
        return problem_response(400, "Malformed request", detail, slug="malformed-request")
    if status == 413:  # werkzeug's own (MAX_CONTENT_LENGTH), in the same words as shared/http/limits.py
        limit = current_app.config.get("MAX_CONTENT_LENGTH") if has_app_context() else None
        return problem_response(413, "Payload Too Large", f"The request body may be at most {limit} bytes."
                                if limit else "The request body is too large.", slug="payload-too-large")
    title = exc.name or "Error"
    detail = exc.description if status != 500 else "An unexpected error occurred."
    # What werkzeug's own answer would carry (Allow on a 405, Retry-After, ...), but not its HTML type.
    headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return problem_response(status, title, detail or "", headers=headers)


def invalid(*errors: tuple[str, str], location: str = "json") -> Problem:
    """A 422 naming each (field, message), for checks schemas cannot make alone."""
    names = ", ".join(sorted({field for field, _ in errors}))
    return Problem(422, "Invalid input", f"Invalid value for: {names}", slug="validation-error",
                   errors=[{"field": f, "message": m, "location": location} for f, m in errors])
