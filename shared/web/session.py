"""Who is logged in, kept in the one signed session cookie every service shares.

The cookie holds the principal as the identity provider's claims made it (shared.http.auth's
mapping, the same the API uses for a token), how the login happened, and two times: the login
(absolute lifetime) and the last request (idle lifetime). Roles are those of the login: a role
given or taken away in Keycloak counts from the next login (at most the absolute lifetime away).
"""
from __future__ import annotations

import time
from types import MappingProxyType

from flask import session

from shared.http.auth import Principal

KEY = "pdz"
TOUCH_SECONDS = 60   # the idle clock is written back at most once a minute (fewer new cookies)


def log_in(principal: Principal, *, via: str, now: float | None = None) -> None:
    """Start a session for `principal` (a fresh one: nothing of an earlier session survives)."""
    now = time.time() if now is None else now
    session.clear()
    session.permanent = True
    session[KEY] = {
        "sub": principal.subject,
        "regional": sorted(principal.regional_roles),
        "grants": {slug: sorted(roles) for slug, roles in principal.grants.items()},
        "via": via, "login": int(now), "seen": int(now),
    }


def log_out() -> None:
    session.clear()


def login_method() -> str | None:
    data = session.get(KEY)
    return data.get("via") if isinstance(data, dict) else None


def current_principal(*, idle_seconds: int, absolute_seconds: int, now: float | None = None) -> Principal | None:
    """The logged-in principal, or None (never logged in, or the session lapsed: then it is cleared)."""
    data = session.get(KEY)
    if not isinstance(data, dict):
        return None
    now = time.time() if now is None else now
    login, seen = data.get("login", 0), data.get("seen", 0)
    if now - login > absolute_seconds or now - seen > idle_seconds:
        session.clear()
        return None
    if now - seen >= TOUCH_SECONDS:
        session[KEY] = {**data, "seen": int(now)}
    return Principal(subject=data["sub"], regional_roles=frozenset(data.get("regional", ())),
                     grants=MappingProxyType({slug: frozenset(roles) for slug, roles in data.get("grants", {}).items()}))
