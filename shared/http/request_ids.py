"""The request id: the caller's X-Request-ID when it is short and safe, else a fresh one.

The id is echoed in the answer and written in every log line of the request, so an unchecked
one could carry kilobytes, control characters or log-forging text into both.
"""
from __future__ import annotations

import re
import uuid

from flask import Flask, g, request

SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def accept_request_id(environ: dict) -> str:
    """The request's id; an absent or unsafe X-Request-ID is replaced in `environ` by a fresh one,
    so whatever reads the header later reads the id this request really has."""
    sent = environ.get("HTTP_X_REQUEST_ID", "")
    if SAFE_REQUEST_ID.fullmatch(sent):
        return sent
    fresh = uuid.uuid4().hex
    environ["HTTP_X_REQUEST_ID"] = fresh
    return fresh


def identify_requests(app: Flask) -> None:
    """Give every request its id before anything else runs (register first: a 413 has one too)."""
    @app.before_request
    def _request_id():
        g.request_id = accept_request_id(request.environ)
