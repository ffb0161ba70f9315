"""Request bodies: how large they may be, which methods may have one, and in which media type.

The limit is checked on the declared Content-Length before anything reads the body. A chunked
body (no Content-Length) is a 413 as soon as a reader gets past the limit. werkzeug alone does
not do that: with MAX_CONTENT_LENGTH and gunicorn's `wsgi.input_terminated` it stops reading at
the limit and hands the view the body cut short (a 400 "invalid JSON", or worse, valid JSON that
is not what was sent), since it cannot tell a body that ends there from a longer one. A body
sent with GET, HEAD, DELETE or OPTIONS means nothing here (none of those routes takes one), so it
is dropped unread. Every body a route takes is JSON: another media type is a 415, not a 422.
"""
from __future__ import annotations

import io

from flask import Flask, request

from shared.config import env_int
from shared.http.problems import Problem

# The largest legitimate body is a call with description and requirements of 20,000 characters
# each: about 480 KB if every character is sent as a JSON \\uXXXX surrogate pair. 1 MiB covers it.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
BODILESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
JSON = "application/json"


def max_body_bytes() -> int:
    """PDZ_MAX_BODY_BYTES, else 1 MiB."""
    value = env_int("PDZ_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
    if value < 1:
        raise ValueError(f"PDZ_MAX_BODY_BYTES must be positive, got {value}")
    return value


def too_large(limit: int) -> Problem:
    """The 413 problem for a body over `limit` bytes."""
    return Problem(413, "Payload Too Large", f"The request body may be at most {limit} bytes.",
                   slug="payload-too-large")


class CappedStream(io.RawIOBase):
    """A chunked request body that raises the 413 problem when it holds more than `limit` bytes."""

    def __init__(self, raw, limit: int):
        super().__init__()
        self._raw, self._limit, self._left = raw, limit, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(min(len(buffer), self._left)) if self._left else b""
        buffer[:len(data)] = data
        self._left -= len(data)
        if not self._left and self._raw.read(1):  # one byte past the limit: the body is too large
            raise too_large(self._limit)
        return len(data)


def _drop_body(environ: dict) -> None:
    """Make the request bodiless, so nothing downstream reads or parses what was sent."""
    environ["wsgi.input"] = io.BytesIO()
    environ["CONTENT_LENGTH"] = "0"
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def _has_body(environ: dict) -> bool:
    return bool(request.content_length) or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def json_body_operations(app: Flask) -> frozenset[tuple[str, str]]:
    """(endpoint, METHOD) of every operation whose flask-smorest arguments include a JSON body."""
    found = set()
    for endpoint, view in app.view_functions.items():
        view_class = getattr(view, "view_class", None)
        handlers = ({m: getattr(view_class, m.lower(), None) for m in (view_class.methods or ())}
                    if view_class else {m: view for m in ("POST", "PUT", "PATCH")})
        for method, handler in handlers.items():
            parameters = getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", [])
            if any(isinstance(p, dict) and p.get("in") == "json" for p in parameters):
                found.add((endpoint, method))
    return frozenset(found)


def refuse_oversized_bodies(app: Flask, *, limit: int) -> None:
    """Install the checks made before any other code of the request runs (register it first)."""
    app.config["MAX_CONTENT_LENGTH"] = limit

    @app.before_request
    def _limit_body():
        if request.method in BODILESS_METHODS:
            _drop_body(request.environ)
        elif (request.content_length or 0) > limit:
            raise too_large(limit)
        elif _has_body(request.environ) and request.content_length is None:  # chunked
            request.environ["wsgi.input"] = CappedStream(request.environ["wsgi.input"], limit)


def require_json_bodies(app: Flask) -> None:
    """415 for a body in another media type sent to an operation that takes JSON (after authentication)."""
    operations: list[frozenset] = []

    @app.before_request
    def _require_json():
        if request.method in BODILESS_METHODS or request.is_json or not _has_body(request.environ):
            return
        if not operations:  # the views are all registered by the first request
            operations.append(json_body_operations(app))
        if (request.endpoint, request.method) in operations[0]:
            sent = request.mimetype or "no media type"
            raise Problem(415, "Unsupported Media Type",
                          f"The body must be sent as {JSON} (this request sent {sent}).",
                          slug="unsupported-media-type", headers=_accept(request.method))


def _accept(method: str) -> dict:
    """RFC 9110 15.5.16: say which media types the method accepts (Accept-Post/-Patch exist)."""
    return {f"Accept-{method.title()}": JSON} if method in ("POST", "PATCH") else {}
