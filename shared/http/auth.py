"""JWT bearer authentication and per-Ambito authorisation.

A token says which roles its holder has in which Ambito, and which regional
roles it has (none of them lists Ambiti, so tokens stay small):

    {"sub": "...", "exp": 1767225600,
     "roles": ["regional-admin"],                         # regional roles
     "tenants": {"potenza": ["operator"], "fasano": ["auditor"]}}

Keycloak tokens say the same with its own claims: regional roles as realm roles
(`realm_access.roles`), per-Ambito roles as group paths (`groups`:
`/ambiti/potenza/operator`). A role counts only in the Ambito it is given for;
the regional admin reads every Ambito and writes in none unless a role of that
Ambito says so. Locally and in tests an HS256 key signs tokens (`pdz token`,
only with PDZ_ENV=development); in production RS256 tokens are verified
against the identity provider's JWKS URL.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import wraps
from types import MappingProxyType
from typing import Mapping

import jwt
from flask import g

from shared.http.problems import Problem

REGIONAL_ADMIN = "regional-admin"  # the Region: reads every Ambito
OPERATOR = "operator"              # Ufficio di Piano operator
COORDINATOR = "coordinator"        # coordinates consultation tables (the table names which account)
STAKEHOLDER = "stakeholder"        # stakeholder representative
AUDITOR = "auditor"                # read-only
# The Region's review of a plan (budget: return with remarks / accept), in every Ambito; no other write.
REGIONAL_REVIEWER = "regional-reviewer"
ROLES = (REGIONAL_ADMIN, OPERATOR, COORDINATOR, STAKEHOLDER, AUDITOR, REGIONAL_REVIEWER)
REGIONAL_ROLES = frozenset({REGIONAL_ADMIN, REGIONAL_REVIEWER})
TENANT_ROLES = frozenset({OPERATOR, COORDINATOR, STAKEHOLDER, AUDITOR})
GROUP_PREFIX = "/ambiti/"          # Keycloak group path: /ambiti/<tenant>/<role>
MAX_LIFETIME_SECONDS = 31 * 24 * 3600  # an `exp` further away than this is a forged or broken token

_NO_ROLES: frozenset[str] = frozenset()


class InvalidClaims(ValueError):
    """A signed token whose claims do not say who the caller is and what they may do."""


@dataclass(frozen=True)
class Principal:
    """Who is calling and what they may do where, as the token says."""

    subject: str
    regional_roles: frozenset[str] = _NO_ROLES
    grants: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))

    def roles_in(self, tenant: str) -> frozenset[str]:
        """The roles that count in this Ambito: its own, plus the regional ones."""
        return self.grants.get(tenant, _NO_ROLES) | self.regional_roles

    def may_act_on(self, tenant: str) -> bool:
        return bool(self.roles_in(tenant))


def _string_list(value, claim: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidClaims(f"the {claim} claim must be a list of strings")
    return value


def principal_from_claims(claims: Mapping, *, now: float | None = None) -> Principal:
    """The principal the verified claims describe; InvalidClaims when they are malformed."""
    now = time.time() if now is None else now
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise InvalidClaims("the sub claim must be a non-empty string")
    exp = claims.get("exp")
    # PyJWT accepts "exp": "1767225600" and 1e308; neither is a token we issued.
    if type(exp) is not int or exp > now + MAX_LIFETIME_SECONDS:
        raise InvalidClaims(f"the exp claim must be an integer time at most "
                            f"{MAX_LIFETIME_SECONDS // 86400} days ahead")
    realm_access = claims.get("realm_access")
    if realm_access is not None and not isinstance(realm_access, dict):
        raise InvalidClaims("the realm_access claim must be an object")
    named = _string_list(claims.get("roles"), "roles") + _string_list(
        (realm_access or {}).get("roles"), "realm_access.roles")
    grants: dict[str, set[str]] = {}
    tenants = claims.get("tenants")
    if tenants is not None:
        if not isinstance(tenants, dict):
            raise InvalidClaims('the tenants claim must be an object such as {"potenza": ["operator"]}')
        for slug, roles in tenants.items():
            grants.setdefault(slug, set()).update(_string_list(roles, f"tenants.{slug}"))
    for path in _string_list(claims.get("groups"), "groups"):
        slug, _, role = path[len(GROUP_PREFIX):].partition("/") if path.startswith(GROUP_PREFIX) else ("", "", "")
        if slug and role and "/" not in role:
            grants.setdefault(slug, set()).add(role)
    # Names outside the vocabulary grant nothing (identity providers add their own, e.g. offline_access).
    return Principal(
        subject=subject,
        regional_roles=frozenset(named) & REGIONAL_ROLES,
        grants=MappingProxyType({slug: frozenset(roles & TENANT_ROLES)
                                 for slug, roles in grants.items() if roles & TENANT_ROLES}),
    )


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


def unauthorized(detail: str = "The bearer token is not valid.") -> Problem:
    """A fresh 401 problem (a shared instance would keep every raise's traceback alive)."""
    return Problem(401, "Unauthorized", detail, slug="unauthorized",
                   headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class TokenVerifier:
    """Verifies bearer tokens: RS256 against a JWKS URL, or HS256 with a development key.

    One of the two, never both: a deployment given a JWKS URL accepts no
    HS256 token, whatever keys it was also given (see `shared.config.check_auth`).
    """

    def __init__(self, *, dev_key: str | None, jwks_url: str | None = None,
                 issuer: str | None = None, audience: str | None = None):
        if not dev_key and not jwks_url:
            raise ValueError("set PDZ_JWT_JWKS_URL (production) or PDZ_JWT_DEV_KEY (local)")
        self.dev_key = None if jwks_url else dev_key
        # The JWKS client refetches on an unknown kid; cache_jwk_set with a lifespan bounds how often.
        self.jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self.issuer = issuer
        self.audience = audience
        self._verified = _VerifiedTokens()
        self._unknown_kids = _UnknownKids()

    def verify(self, token: str) -> Principal:
        """The token's principal; 401 problem if it is not valid (answers from the cache when it can)."""
        principal = self._verified.get(token)
        if principal is None:
            principal, exp = self._verify(token)
            self._verified.put(token, principal, exp)
        return principal

    def _key(self, token: str):
        """The key that must have signed this token, and its algorithm."""
        header = jwt.get_unverified_header(token)
        if self.jwks is None:
            return self.dev_key, "HS256"
        kid = header.get("kid")
        if not isinstance(kid, str) or self._unknown_kids.recent(kid):
            raise jwt.InvalidKeyError("unknown signing key")
        try:
            return self.jwks.get_signing_key(kid).key, "RS256"
        except jwt.PyJWKClientError:
            # PyJWKClient refetches the whole JWKS on every unknown kid: remember the miss a while.
            self._unknown_kids.add(kid)
            raise

    def _verify(self, token: str) -> tuple[Principal, int]:
        options = {"require": ["exp", "sub"], "verify_aud": bool(self.audience)}
        try:
            key, algorithm = self._key(token)
            claims = jwt.decode(token, key, algorithms=[algorithm], options=options,
                                issuer=self.issuer, audience=self.audience)
            return principal_from_claims(claims), claims["exp"]
        except jwt.PyJWTError as exc:
            raise unauthorized() from exc
        except InvalidClaims as exc:
            raise unauthorized(f"The bearer token is not valid: {exc}.") from exc


class _UnknownKids:
    """Key ids the JWKS did not have lately (bounded), so a flood of them cannot make us refetch it."""

    def __init__(self, *, seconds: float = 60.0, size: int = 256):
        self.seconds = seconds
        self.size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def recent(self, kid: str) -> bool:
        with self._lock:
            seen = self._seen.get(kid)
            return seen is not None and time.monotonic() - seen < self.seconds

    def add(self, kid: str) -> None:
        with self._lock:
            self._seen[kid] = time.monotonic()
            self._seen.move_to_end(kid)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)


def dev_claims(*, subject: str, roles: list[str] = (), tenants: list[str] = (),
               grants: Mapping[str, list[str]] | None = None) -> dict:
    """The role claims of a development token: each of `roles` in each of `tenants`, plus `grants`.

    `regional-admin` among `roles` is a regional role and lists no Ambito.
    """
    unknown = [r for r in [*roles, *[r for rs in (grants or {}).values() for r in rs]] if r not in ROLES]
    if unknown:
        raise ValueError(f"unknown roles {unknown}; known: {', '.join(ROLES)}")
    regional = [r for r in roles if r in REGIONAL_ROLES]
    per_tenant = [r for r in roles if r in TENANT_ROLES]
    if per_tenant and not tenants:
        raise ValueError(f"the roles {per_tenant} need at least one Ambito (--tenant)")
    mapping: dict[str, list[str]] = {slug: list(per_tenant) for slug in tenants} if per_tenant else {}
    for slug, extra in (grants or {}).items():
        mapping.setdefault(slug, [])
        mapping[slug] += [r for r in extra if r not in mapping[slug]]
    claims: dict = {"sub": subject, "tenants": mapping}
    if regional:
        claims["roles"] = regional
    return claims


def mint_dev_token(*, key: str, subject: str, roles: list[str] = (), tenants: list[str] = (),
                   grants: Mapping[str, list[str]] | None = None, ttl_seconds: int = 8 * 3600,
                   issuer: str | None = None, audience: str | None = None) -> str:
    """An HS256 token for local use and tests (see `dev_claims` for what it grants)."""
    now = int(time.time())
    claims = dev_claims(subject=subject, roles=list(roles), tenants=list(tenants), grants=grants)
    claims.update(iat=now, exp=now + ttl_seconds)
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, key, algorithm="HS256")


def requires(*roles: str):
    """View decorator: the caller must hold one of `roles` in the request's Ambito."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not g.roles.intersection(roles):
                raise Problem(403, "Forbidden", "Your role in this Ambito does not allow this action.",
                              slug="forbidden")
            return view(*args, **kwargs)
        wrapper.pdz_roles = frozenset(roles)
        # The OpenAPI document says who may call the operation (x-pdz-roles); the authorisation
        # test reads the matrix from there. flask-smorest keeps a view's documentation in _apidoc.
        apidoc = dict(getattr(view, "_apidoc", {}))
        apidoc["manual_doc"] = {**apidoc.get("manual_doc", {}), "x-pdz-roles": sorted(roles)}
        wrapper._apidoc = apidoc
        return wrapper
    return decorate


READERS = (REGIONAL_ADMIN, OPERATOR, AUDITOR)
WRITERS = (OPERATOR,)
