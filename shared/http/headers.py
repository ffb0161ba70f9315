"""Security headers on every answer of a service (API, errors, /docs, /metrics, exports).

JSON answers get a Content-Security-Policy that allows nothing at all (they are never rendered
as pages); a view that serves a page (/docs) sets its own. Answers are `Cache-Control: no-store`
unless the view says otherwise: most carry personal data or are per-caller, and the public
exports set their own caching. Strict-Transport-Security belongs to the ingress that terminates
TLS (docs/deployment.md), not to a process that speaks plain HTTP behind it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the relay's and consumer's operations port uses the constants without Flask
    from flask import Flask, Response

JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
NO_STORE = "no-store"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def secure(response: Response) -> Response:
    """Add the security headers a view has not set itself."""
    for name, value in ALWAYS.items():
        response.headers[name] = value
    response.headers.setdefault("Content-Security-Policy", JSON_CSP)
    response.headers.setdefault("Cache-Control", NO_STORE)
    return response


def secure_every_answer(app: Flask) -> None:
    """Register `secure` for every answer, errors included (Flask runs after_request for them too)."""
    app.after_request(secure)
