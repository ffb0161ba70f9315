"""The web layer's settings (session cookie, login, links across services), from PDZ_WEB_* / PDZ_OIDC_*.

Read once per app. Tests and tools may pass a WebSettings in `Settings.extra["web"]` instead of the
environment. Like the token settings (shared.config.check_auth), the session settings fail closed:
outside PDZ_ENV=development a process serving pages refuses to start without a real secret, with a
cookie that is not Secure, or without the identity provider to log in with.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from shared.config import Settings

DEV_WEB_SECRET = "pdz-local-web-session-secret-not-for-production"
MIN_SECRET_LENGTH = 32
# The local stack's API ports (shared/cli/run.py): each service serves its pages on its API port.
LOCAL_URLS = {"registry": "http://127.0.0.1:58081", "consultation": "http://127.0.0.1:58082",
              "budget": "http://127.0.0.1:58083", "reporting": "http://127.0.0.1:58084"}
SERVICES = tuple(LOCAL_URLS)


def _flag(raw: str | None, default: bool | None, name: str) -> bool | None:
    if raw in (None, ""):
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class WebSettings:
    """What the pages need: the session cookie, the identity provider, each service's public URL."""

    secret: str | None = None
    cookie_secure: bool | None = None   # None: Secure, except in development (the local stack speaks http)
    cookie_domain: str | None = None
    cookie_name: str = "pdz_sessione"
    idle_minutes: int = 30
    absolute_hours: int = 10
    oidc_discovery_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_scopes: str = "openid profile email"
    urls: Mapping[str, str] = field(default_factory=lambda: dict(LOCAL_URLS))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "WebSettings":
        urls = {s: (environ.get(f"PDZ_WEB_URL_{s.upper()}") or LOCAL_URLS[s]).rstrip("/") for s in SERVICES}
        return cls(
            secret=environ.get("PDZ_WEB_SECRET") or None,
            cookie_secure=_flag(environ.get("PDZ_WEB_COOKIE_SECURE"), None, "PDZ_WEB_COOKIE_SECURE"),
            cookie_domain=environ.get("PDZ_WEB_COOKIE_DOMAIN") or None,
            idle_minutes=_int(environ, "PDZ_WEB_IDLE_MINUTES", 30),
            absolute_hours=_int(environ, "PDZ_WEB_ABSOLUTE_HOURS", 10),
            oidc_discovery_url=environ.get("PDZ_OIDC_DISCOVERY_URL") or None,
            oidc_client_id=environ.get("PDZ_OIDC_CLIENT_ID") or None,
            oidc_client_secret=environ.get("PDZ_OIDC_CLIENT_SECRET") or None,
            oidc_scopes=environ.get("PDZ_OIDC_SCOPES") or "openid profile email",
            urls=urls,
        )

    @classmethod
    def of(cls, settings: Settings) -> "WebSettings":
        """The web settings a process uses: `settings.extra["web"]` if given, else the environment."""
        given = settings.extra.get("web") if settings.extra else None
        return given if isinstance(given, WebSettings) else cls.from_env()

    @property
    def oidc(self) -> bool:
        return bool(self.oidc_discovery_url)


def checked(web: WebSettings, *, env: str) -> WebSettings:
    """`web` with the secret to sign with; ValueError naming the variable when it would fail open.

    In development a missing secret means the development one, and the cookie is not Secure unless
    PDZ_WEB_COOKIE_SECURE=true (the local stack speaks plain http); anywhere else the secret must be set, long, and not the development one, the cookie
    Secure, and the identity provider named (there is no other way to log in).
    """
    development = env == "development"
    if web.idle_minutes <= 0 or web.absolute_hours <= 0:
        raise ValueError("PDZ_WEB_IDLE_MINUTES and PDZ_WEB_ABSOLUTE_HOURS must be positive")
    if web.oidc and not web.oidc_client_id:
        raise ValueError("PDZ_OIDC_DISCOVERY_URL is set but PDZ_OIDC_CLIENT_ID is not")
    if web.oidc and not web.oidc_discovery_url.startswith(("https://", "http://")):
        raise ValueError(f"PDZ_OIDC_DISCOVERY_URL must be an http(s) URL, got {web.oidc_discovery_url!r}")
    if development:
        return _replace(web, secret=web.secret or DEV_WEB_SECRET,
                        cookie_secure=False if web.cookie_secure is None else web.cookie_secure)
    if not web.secret:
        raise ValueError("PDZ_WEB_SECRET is not set: the session cookie of the pages must be signed "
                         f"with a secret of at least {MIN_SECRET_LENGTH} characters, the same in every service")
    if web.secret == DEV_WEB_SECRET:
        raise ValueError("PDZ_WEB_SECRET is the development secret published in this repository; "
                         "it is accepted only with PDZ_ENV=development")
    if len(web.secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"PDZ_WEB_SECRET must be at least {MIN_SECRET_LENGTH} characters")
    if web.cookie_secure is False:
        raise ValueError("PDZ_WEB_COOKIE_SECURE=false is for development over plain http only")
    if not web.oidc:
        raise ValueError("PDZ_OIDC_DISCOVERY_URL is not set: outside development the pages log in "
                         "through the identity provider only (PDZ_OIDC_DISCOVERY_URL, PDZ_OIDC_CLIENT_ID)")
    return _replace(web, cookie_secure=True)


def _replace(web: WebSettings, **changes) -> WebSettings:
    from dataclasses import replace
    return replace(web, **changes)
