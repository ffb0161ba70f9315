"""Idempotency-Key on POST: a retried request gets the first answer, never a second creation.

The key is claimed (inserted) before the view runs, in its own short
transaction, so two concurrent requests with one key cannot both proceed: the
second gets 409 while the first is in flight, and the stored answer after.
A key reused for a different request (other path or body) is a 422. Only
successful answers are kept: a request that failed runs again when retried.

A claim is a lease: if the process dies between claiming and settling, the
key is not stuck on 409 for a day; once the lease is over, a retry of the same
request takes it over. Each claim carries its own id, so a request that
outlived its lease cannot overwrite or delete its successor's answer.
Keys live KEEP_HOURS; an older key counts as unused whether or not it has
been purged yet, and the purge runs now and then, not on every POST.
"""
from __future__ import annotations

import hashlib
import threading
import time
import uuid
from functools import wraps

import psycopg
from flask import Response, g, make_response, request
from psycopg.types.json import Jsonb

from shared.db.errors import DatabaseUnavailable
from shared.http.problems import Problem

KEEP_HOURS = 24
MAX_KEY_LENGTH = 200
# Longer than any request can run: gunicorn's worker timeout is 30 s (shared/http/serve.py), and the
# pool and statement timeouts are far below it. A shorter lease could let a retry run beside a slow
# first attempt.
LEASE_SECONDS = 30
# How often one process purges one database's day-old keys (on the POST that finds the purge due).
PURGE_EVERY_SECONDS = 600
PURGE_BATCH = 1000
REPLAYED_HEADERS = ("ETag", "Location")

_last_purge: dict[str, float] = {}
_purge_lock = threading.Lock()

# Inserts the claim, or takes over a key whose lease is over (same request only) or that is older
# than KEEP_HOURS (any request); otherwise leaves the row alone and returns nothing.
_CLAIM = """
INSERT INTO idempotency_keys (subject, key, fingerprint, claim, lease_until)
VALUES (%(subject)s, %(key)s, %(fingerprint)s, %(claim)s, now() + make_interval(secs => %(lease)s))
ON CONFLICT (subject, key) DO UPDATE
   SET fingerprint = EXCLUDED.fingerprint, claim = EXCLUDED.claim, lease_until = EXCLUDED.lease_until,
       created_at = now(), status = NULL, body = NULL, content_type = NULL, location = NULL, headers = NULL
 WHERE idempotency_keys.created_at < now() - make_interval(hours => %(keep)s)
    OR (idempotency_keys.status IS NULL AND idempotency_keys.lease_until < now()
        AND idempotency_keys.fingerprint = EXCLUDED.fingerprint)
RETURNING 1
"""


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def purge_expired(conn: psycopg.Connection, *, limit: int = PURGE_BATCH) -> int:
    """Delete up to `limit` keys older than KEEP_HOURS (uses the created_at index); returns how many."""
    return conn.execute(
        "DELETE FROM idempotency_keys WHERE (subject, key) IN (SELECT subject, key FROM idempotency_keys"
        " WHERE created_at < now() - make_interval(hours => %s) LIMIT %s)", (KEEP_HOURS, limit)).rowcount


def _purge_due(database: str) -> bool:
    """True at most once per PURGE_EVERY_SECONDS per database in this process."""
    now = time.monotonic()
    with _purge_lock:
        last = _last_purge.get(database)
        if last is not None and now - last < PURGE_EVERY_SECONDS:
            return False
        _last_purge[database] = now
        return True


def _claim(platform, tenant, subject: str, key: str, fingerprint: str, claim: uuid.UUID) -> Response | None:
    """Claim the key, or answer from it: a stored response, 409 in flight, 422 mismatch."""
    for _ in range(3):
        with platform.read(tenant) as conn:
            if _purge_due(f"{conn.info.host}:{conn.info.port}/{conn.info.dbname}"):
                purge_expired(conn)
            taken = conn.execute(_CLAIM, {"subject": subject, "key": key, "fingerprint": fingerprint,
                                          "claim": claim, "lease": LEASE_SECONDS, "keep": KEEP_HOURS}).fetchone()
            if taken:
                return None
            row = conn.execute("SELECT fingerprint, status, body, content_type, location, headers"
                               " FROM idempotency_keys WHERE subject = %s AND key = %s", (subject, key)).fetchone()
        if row is not None:
            break
        # The holder failed and deleted its claim between our two statements: claim again.
    else:
        raise Problem(409, "Request in progress", "This Idempotency-Key is changing hands; retry shortly.",
                      slug="idempotency-in-progress", headers={"Retry-After": "1"})
    stored_fingerprint, status, body, content_type, location, headers = row
    if stored_fingerprint != fingerprint:
        raise Problem(422, "Idempotency-Key reused",
                      "This Idempotency-Key was already used for a different request.",
                      slug="idempotency-key-reused")
    if status is None:
        raise Problem(409, "Request in progress",
                      "A request with this Idempotency-Key is still being processed; retry shortly.",
                      slug="idempotency-in-progress", headers={"Retry-After": "1"})
    response = Response(bytes(body), status=status, content_type=content_type)
    for name, value in (headers or ({"Location": location} if location else {})).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _settle(platform, tenant, subject: str, key: str, claim: uuid.UUID, response: Response | None) -> None:
    """Store a successful answer, or release the key after a failure; only while the claim is ours."""
    with platform.read(tenant) as conn:
        if response is None or response.status_code >= 400:
            conn.execute("DELETE FROM idempotency_keys WHERE subject = %s AND key = %s AND claim = %s",
                         (subject, key, claim))
        else:
            headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
            conn.execute("UPDATE idempotency_keys SET status = %s, body = %s, content_type = %s, location = %s,"
                         " headers = %s WHERE subject = %s AND key = %s AND claim = %s",
                         (response.status_code, response.get_data(), response.content_type,
                          response.headers.get("Location"), Jsonb(headers), subject, key, claim))


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
        tenant, subject, claim = g.tenant, g.principal.subject, uuid.uuid4()
        replay = _claim(platform, tenant, subject, key, _fingerprint(), claim)
        if replay is not None:
            return replay
        response = None
        try:
            response = make_response(view(*args, **kwargs))
        finally:
            try:
                _settle(platform, tenant, subject, key, claim, response)
            except (psycopg.Error, DatabaseUnavailable):
                pass  # the key stays claimed until its lease is over; the answer itself stands
        return response
    # Read by the shared Blueprint: the OpenAPI document gets the Idempotency-Key parameter, the
    # Idempotent-Replayed header and the 400/409/422 this decorator answers (shared/http/openapi.py).
    wrapper._apidoc = {**getattr(view, "_apidoc", {}), "pdz_idempotent": True}
    return wrapper
