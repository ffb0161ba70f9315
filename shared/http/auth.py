"""JWT bearer authentication and tenant/role authorisation.

Claims: `sub`, `roles` (list) and `tenants` (list of slugs the caller may act
on; a regional admin acts on every tenant). Locally and in tests an HS256 dev
key signs tokens (`pdz token`); in production RS256 tokens are verified
against the identity provider's JWKS URL (Keycloak).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

import jwt
from flask import g

from shared.http.problems import Problem

REGIONAL_ADMIN = "regional-admin"
OPERATOR = "operator"          # Ufficio di Piano operator, per tenant
STAKEHOLDER = "stakeholder"    # stakeholder representative
AUDITOR = "auditor"            # read-only
ROLES = (REGIONAL_ADMIN, OPERATOR, STAKEHOLDER, AUDITOR)


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the token says."""

    subject: str
    roles: frozenset[str]
    tenants: frozenset[str]

    def may_act_on(self, tenant: str) -> bool:
        return REGIONAL_ADMIN in self.roles or tenant in self.tenants


class _VerifiedTokens:
    """The principals of tokens verified lately, until their `exp` (bounded, LRU).

    Verifying a signature costs about 2 ms; a client sends the same token on
    every request. The key is the whole token, so a cached answer is the one
    verification would give, until the token expires or `max_age` passes (so
    a key removed from the JWKS stops being honoured soon after).
    """

    def __init__(self, *, size: int = 2048, max_age: float = 300.0):
        self.size = size
        self.max_age = max_age
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            if time.time() >= entry[0]:
                del self._entries[token]
                return None
            self._entries.move_to_end(token)
            return entry[1]

    def put(self, token: str, principal: Principal, exp: float) -> None:
        with self._lock:
            self._entries[token] = (min(float(exp), time.time() + self.max_age), principal)
            self._entries.move_to_end(token)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class TokenVerifier:
    """Verifies bearer tokens with the dev key (HS256) or a JWKS URL (RS256)."""

    def __init__(self, *, dev_key: str | None, jwks_url: str | None = None,
                 issuer: str | None = None, audience: str | None = None):
        if not dev_key and not jwks_url:
            raise ValueError("set PDZ_JWT_JWKS_URL (production) or PDZ_JWT_DEV_KEY (local)")
        self.dev_key = dev_key
        self.jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self.issuer = issuer
        self.audience = audience
        self._verified = _VerifiedTokens()

    def verify(self, token: str) -> Principal:
        """The token's principal; 401 problem if it is not valid (answers from the cache when it can)."""
        principal = self._verified.get(token)
        if principal is None:
            principal, exp = self._verify(token)
            self._verified.put(token, principal, exp)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        options = {"require": ["exp", "sub"], "verify_aud": bool(self.audience)}
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") == "HS256" and self.dev_key:
                claims = jwt.decode(token, self.dev_key, algorithms=["HS256"], options=options,
                                    issuer=self.issuer, audience=self.audience)
            elif self.jwks is not None:
                key = self.jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(token, key, algorithms=["RS256"], options=options,
                                    issuer=self.issuer, audience=self.audience)
            else:
                raise jwt.InvalidAlgorithmError("signing algorithm not accepted")
        except jwt.PyJWTError as exc:
            raise Problem(401, "Unauthorized", "The bearer token is not valid.", slug="unauthorized",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc
        roles = claims.get("roles") or claims.get("realm_access", {}).get("roles") or []
        tenants = claims.get("tenants") or []
        if not isinstance(roles, list) or not isinstance(tenants, list):
            raise Problem(401, "Unauthorized", "The token's roles and tenants must be lists.",
                          slug="unauthorized")
        principal = Principal(str(claims["sub"]), frozenset(map(str, roles)), frozenset(map(str, tenants)))
        return principal, claims["exp"]


def mint_dev_token(*, key: str, subject: str, roles: list[str], tenants: list[str],
                   ttl_seconds: int = 8 * 3600, issuer: str | None = None,
                   audience: str | None = None) -> str:
    """An HS256 token for local use and tests."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValueError(f"unknown roles {unknown}; known: {', '.join(ROLES)}")
    now = int(time.time())
    claims = {"sub": subject, "roles": roles, "tenants": tenants, "iat": now, "exp": now + ttl_seconds}
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, key, algorithm="HS256")


def requires(*roles: str):
    """View decorator: the caller must hold one of `roles` (the tenant was checked already)."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal: Principal = g.principal
            if not principal.roles.intersection(roles):
                raise Problem(403, "Forbidden", "Your role does not allow this action.", slug="forbidden")
            return view(*args, **kwargs)
        return wrapper
    return decorate


READERS = (REGIONAL_ADMIN, OPERATOR, AUDITOR)
WRITERS = (OPERATOR,)
