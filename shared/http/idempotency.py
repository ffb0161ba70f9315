"""Idempotency-Key on POST: a retried request gets the first answer, never a second creation.

The key is claimed (inserted) before the view runs, in its own short
transaction, so two concurrent requests with one key cannot both proceed: the
second gets 409 while the first is in flight, and the stored answer after.
A key reused for a different request (other path or body) is a 422. Only
successful answers are kept: a request that failed runs again when retried.
"""
from __future__ import annotations

import hashlib
from functools import wraps

import psycopg
from flask import Response, g, make_response, request

from shared.http.problems import Problem

KEEP_HOURS = 24
MAX_KEY_LENGTH = 200


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _claim(platform, subject: str, key: str, fingerprint: str) -> Response | None:
    """Insert the key, or answer from it: a stored response, 409 in flight, 422 mismatch."""
    with platform.read(g.tenant) as conn:
        conn.execute("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => %s)",
                     (KEEP_HOURS,))
        inserted = conn.execute(
            "INSERT INTO idempotency_keys (subject, key, fingerprint) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING", (subject, key, fingerprint)).rowcount
        if inserted:
            return None
        row = conn.execute("SELECT fingerprint, status, body, content_type, location FROM idempotency_keys"
                           " WHERE subject = %s AND key = %s", (subject, key)).fetchone()
    stored_fingerprint, status, body, content_type, location = row
    if stored_fingerprint != fingerprint:
        raise Problem(422, "Idempotency-Key reused",
                      "This Idempotency-Key was already used for a different request.",
                      slug="idempotency-key-reused")
    if status is None:
        raise Problem(409, "Request in progress",
                      "A request with this Idempotency-Key is still being processed; retry shortly.",
                      slug="idempotency-in-progress")
    response = Response(bytes(body), status=status, content_type=content_type)
    if location:
        response.headers["Location"] = location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _settle(platform, subject: str, key: str, response: Response | None) -> None:
    with platform.read(g.tenant) as conn:
        if response is None or response.status_code >= 400:
            conn.execute("DELETE FROM idempotency_keys WHERE subject = %s AND key = %s", (subject, key))
        else:
            conn.execute("UPDATE idempotency_keys SET status = %s, body = %s, content_type = %s, location = %s"
                         " WHERE subject = %s AND key = %s",
                         (response.status_code, response.get_data(), response.content_type,
                          response.headers.get("Location"), subject, key))


def idempotent(view):
    """View decorator (outermost): honour an optional Idempotency-Key header."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise Problem(400, "Bad Request", f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
                          slug="malformed-request")
        from shared.http.app import current_platform
        platform = current_platform()
        subject = g.principal.subject
        replay = _claim(platform, subject, key, _fingerprint())
        if replay is not None:
            return replay
        response = None
        try:
            response = make_response(view(*args, **kwargs))
        finally:
            try:
                _settle(platform, subject, key, response)
            except psycopg.Error:
                pass  # the key stays "in progress" until it expires; the creation itself stands
        return response
    return wrapper
