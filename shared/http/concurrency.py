"""Optimistic concurrency over HTTP: ETag carries a row's version, If-Match must name it.

A resource row has an integer `version`, bumped by every update. GET answers
`ETag: "<version>"`; an update must send `If-Match: "<version>"`: without it
the answer is 428, with a stale one 412, so two operators never overwrite
each other silently.
"""
from __future__ import annotations

import re

from flask import request

from shared.http.problems import Problem

_ETAG_RE = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def required_version() -> int:
    """The version the client says it is updating, from If-Match; 428 if absent, 412 if unreadable."""
    header = request.headers.get("If-Match")
    if not header:
        raise Problem(428, "Precondition Required",
                      "Send If-Match with the ETag you read, so that no one else's change is overwritten.",
                      slug="if-match-required")
    match = _ETAG_RE.match(header)
    if not match:
        raise Problem(412, "Precondition Failed", "If-Match must be an ETag this API returned.",
                      slug="stale-etag")
    return int(match.group(1))


def stale(current_version: int | None = None) -> Problem:
    """The 412 to raise when the row's version is not the one the client read."""
    extra = {"current_etag": etag(current_version)} if current_version is not None else {}
    return Problem(412, "Precondition Failed",
                   "The resource was changed by someone else since you read it: read it again.",
                   slug="stale-etag", **extra)
