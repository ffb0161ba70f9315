"""Login roles per database: their names, their derived passwords, and the URLs a service connects with.

Defence in depth for tenant isolation: every (service, tenant) database, and
the regional reporting one, is reached with its own LOGIN role, which may
connect to that database only (provisioning revokes CONNECT from PUBLIC and
grants it to the role; shared/db/grants.py). A bug that builds the wrong URL
then meets "permission denied", not another Ambito's data.

No password is stored per role: each is HMAC-SHA256(the service's secret,
the role name), so a process holding registry's secret can log in to
registry's databases only, and 1,800 roles need four secrets. Besides its
database roles, each service has one role without access to any tenant
database, for the server's maintenance database (relay wake-ups: NOTIFY,
LISTEN, pg_stat_database; /readyz).

Pure functions: no I/O here.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field

from psycopg.conninfo import conninfo_to_dict, make_conninfo

# PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes: longer names would silently collide.
MAX_ROLE_BYTES = 63
ROLE_PREFIX = "pdz_"
SERVICE_ROLE_PREFIX = "pdz_svc_"
_HASH_CHARS = 16
# Enough for a password of 256 random bits (see scram_verifier); PostgreSQL accepts any count >= 1.
SCRAM_ITERATIONS = 16


class ForeignDatabase(PermissionError):
    """A process asked for a login to a database of a service whose secret it does not hold."""


def _fit(name: str) -> str:
    """`name` if it fits in 63 bytes, else its first bytes and a hash of the whole (still unique)."""
    raw = name.encode()
    if len(raw) <= MAX_ROLE_BYTES:
        return name
    digest = hashlib.sha256(raw).hexdigest()[:_HASH_CHARS]
    head = raw[:MAX_ROLE_BYTES - _HASH_CHARS - 1].decode(errors="ignore")
    return f"{head}_{digest}"


def database_role(dbname: str) -> str:
    """The login role of one database, e.g. pdz_registry__potenza (hashed when too long)."""
    return _fit(ROLE_PREFIX + dbname)


def service_role(service: str) -> str:
    """The service's role for the maintenance database, e.g. pdz_svc_registry (no tenant database)."""
    return _fit(SERVICE_ROLE_PREFIX + service)


def role_password(secret: str, role: str) -> str:
    """The role's password: HMAC-SHA256 of its name under the service's secret, in hex."""
    if not secret:
        raise ValueError("a role password needs a non-empty secret")
    return hmac.new(secret.encode(), f"pdz-db-role:{role}".encode(), hashlib.sha256).hexdigest()


def scram_verifier(password: str, *, iterations: int = SCRAM_ITERATIONS, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 secret PostgreSQL stores for `password` (RFC 5802/7677), as CREATE ROLE accepts it.

    Computed here rather than by libpq because of the iteration count: libpq 15 always uses 4096,
    which protects a guessable password but costs every new connection about 8 ms of client CPU
    (measured on the local stack: a connect took 12.4 ms, against 4.7 ms without a password and
    3.7 ms with 16 iterations). A derived password is 256 random bits, beyond any guessing at any
    count, so a few iterations lose nothing and keep a cold Ambito's first request fast.
    """
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731 - three uses, one line
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def dbname_of(url: str) -> str:
    """The database a connection string names."""
    name = conninfo_to_dict(url).get("dbname")
    if not name:
        raise ValueError("the database URL names no database")
    return str(name)


def login_url(url: str, role: str, password: str) -> str:
    """`url` (server and database) with the role's user name and password in place of its own."""
    return make_conninfo(url, user=role, password=password)


@dataclass(frozen=True)
class ServiceLogin:
    """The database logins one service's processes hold: its roles' passwords, derived from its secret."""

    service: str
    secret: str = field(repr=False)

    def database_url(self, url: str, service: str) -> str:
        """The URL of one of the service's databases, as that database's role."""
        self._check(service)
        role = database_role(dbname_of(url))
        return login_url(url, role, role_password(self.secret, role))

    def server_url(self, url: str, service: str) -> str:
        """A server's maintenance-database URL, as the service's role."""
        self._check(service)
        role = service_role(service)
        return login_url(url, role, role_password(self.secret, role))

    def _check(self, service: str) -> None:
        if service != self.service:
            # Not a configuration error to work around: code asked for another service's database.
            raise ForeignDatabase(f"this process holds the database logins of {self.service}, not of {service}")
