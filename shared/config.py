"""Configuration from the environment, read once per process."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Local-stack defaults: non-default loopback ports so nothing collides with a
# PostgreSQL or Kafka the developer already runs. PDZ_PG_PORT / PDZ_KAFKA_PORT
# move them, so a second local stack (another PDZ_HOME) can run beside the first
# (the fault tests stop their own servers, never the shared ones).
LOCAL_PG_PORT = 55432
LOCAL_KAFKA_PORT = 59092
LOCAL_DATABASE_URL = f"postgresql://pdz@127.0.0.1:{LOCAL_PG_PORT}/postgres"
LOCAL_KAFKA_BOOTSTRAP = f"127.0.0.1:{LOCAL_KAFKA_PORT}"
DEV_JWT_KEY = "pdz-local-development-key-not-for-production"


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment; a clear error names a malformed one."""
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    """A number setting from the environment; a clear error names a malformed one."""
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def local_pg_port() -> int:
    """The local stack's PostgreSQL port: PDZ_PG_PORT, else 55432."""
    return env_int("PDZ_PG_PORT", LOCAL_PG_PORT)


def local_kafka_port() -> int:
    """The local stack's Kafka port: PDZ_KAFKA_PORT, else 59092 (the KRaft controller takes the next one)."""
    return env_int("PDZ_KAFKA_PORT", LOCAL_KAFKA_PORT)


def local_database_url() -> str:
    return f"postgresql://pdz@127.0.0.1:{local_pg_port()}/postgres"


def local_kafka_bootstrap() -> str:
    return f"127.0.0.1:{local_kafka_port()}"


KAFKA_SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
KAFKA_SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def kafka_security(environ) -> dict:
    """kafka-python keyword arguments for the broker's listener: {} (plaintext) unless configured.

    PDZ_KAFKA_SECURITY_PROTOCOL (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL); with SASL,
    PDZ_KAFKA_SASL_MECHANISM (SCRAM-SHA-512 by default) and PDZ_KAFKA_SASL_USERNAME /
    PDZ_KAFKA_SASL_PASSWORD (in Kubernetes: the KafkaUser's name and its Secret); with SSL,
    PDZ_KAFKA_SSL_CAFILE (the cluster CA, else the system's CAs). A half-configured SASL is an
    error at start, never a silent fall-back to an anonymous connection.
    """
    protocol = (environ.get("PDZ_KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT").strip().upper()
    if protocol not in KAFKA_SECURITY_PROTOCOLS:
        raise ValueError(f"PDZ_KAFKA_SECURITY_PROTOCOL must be one of {', '.join(KAFKA_SECURITY_PROTOCOLS)}, "
                         f"got {protocol!r}")
    if protocol == "PLAINTEXT":
        return {}
    kwargs: dict = {"security_protocol": protocol}
    if protocol.startswith("SASL_"):
        mechanism = (environ.get("PDZ_KAFKA_SASL_MECHANISM") or "SCRAM-SHA-512").strip().upper()
        if mechanism not in KAFKA_SASL_MECHANISMS:
            raise ValueError(f"PDZ_KAFKA_SASL_MECHANISM must be one of {', '.join(KAFKA_SASL_MECHANISMS)}, "
                             f"got {mechanism!r}")
        username, password = environ.get("PDZ_KAFKA_SASL_USERNAME"), environ.get("PDZ_KAFKA_SASL_PASSWORD")
        if not username or not password:
            raise ValueError(f"PDZ_KAFKA_SECURITY_PROTOCOL={protocol} needs PDZ_KAFKA_SASL_USERNAME "
                             "and PDZ_KAFKA_SASL_PASSWORD")
        kwargs.update(sasl_mechanism=mechanism, sasl_plain_username=username, sasl_plain_password=password)
    if protocol.endswith("SSL") and environ.get("PDZ_KAFKA_SSL_CAFILE"):
        kwargs["ssl_cafile"] = environ["PDZ_KAFKA_SSL_CAFILE"]
    return kwargs


DB_ROLE_SECRET_PREFIX = "PDZ_DB_ROLE_SECRET_"


def db_role_secrets(environ) -> dict[str, str]:
    """{service: secret} from the PDZ_DB_ROLE_SECRET_<SERVICE> variables that are set."""
    return {name[len(DB_ROLE_SECRET_PREFIX):].lower(): value for name, value in environ.items()
            if name.startswith(DB_ROLE_SECRET_PREFIX) and value}


@dataclass(frozen=True)
class Settings:
    """Everything a PdZ process needs to know about its environment."""

    database_url: str = LOCAL_DATABASE_URL
    kafka_bootstrap: str = LOCAL_KAFKA_BOOTSTRAP
    tenants_file: Path = REPO_ROOT / "deploy" / "local" / "tenants.yaml"
    regions_file: Path = REPO_ROOT / "deploy" / "local" / "regions.yaml"
    # The dataclass defaults describe the local stack (tests build Settings directly);
    # processes read Settings.from_env, which defaults to production and no dev key.
    env: str = "development"
    jwt_dev_key: str | None = DEV_JWT_KEY
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    pool_max_per_tenant: int = 4
    pool_max_tenants: int = 1000
    pool_max_connections: int = 700
    pool_idle_seconds: float = 300.0
    pool_timeout_seconds: float = 3.0
    statement_timeout_ms: int = 5000
    relay_sweep_seconds: float = 5.0
    relay_batch_size: int = 500
    relay_full_sweep_seconds: float = 3600.0
    relay_max_attempts: int = 5
    relay_tenants_per_flush: int = 32
    log_level: str = "INFO"
    # PDZ_DB_ROLE_SECRET_<SERVICE>, by service: what the database role passwords derive from
    # (shared/db/credentials.py; unset in development means the development secret).
    db_role_secrets: dict = field(default_factory=dict, repr=False)
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        return cls(
            env=(env.get("PDZ_ENV") or "production").strip().lower(),
            database_url=env.get("PDZ_DATABASE_URL") or local_database_url(),
            kafka_bootstrap=env.get("PDZ_KAFKA_BOOTSTRAP") or local_kafka_bootstrap(),
            tenants_file=Path(env.get("PDZ_TENANTS_FILE") or cls.tenants_file),
            regions_file=Path(env.get("PDZ_REGIONS_FILE") or cls.regions_file),
            jwt_dev_key=env.get("PDZ_JWT_DEV_KEY") or None,
            jwt_jwks_url=env.get("PDZ_JWT_JWKS_URL") or None,
            jwt_issuer=env.get("PDZ_JWT_ISSUER") or None,
            jwt_audience=env.get("PDZ_JWT_AUDIENCE") or None,
            pool_max_per_tenant=env_int("PDZ_POOL_MAX_PER_TENANT", 4),
            pool_max_tenants=env_int("PDZ_POOL_MAX_TENANTS", 1000),
            pool_max_connections=env_int("PDZ_POOL_MAX_CONNECTIONS", 700),
            pool_idle_seconds=env_float("PDZ_POOL_IDLE_SECONDS", 300.0),
            pool_timeout_seconds=env_float("PDZ_POOL_TIMEOUT_SECONDS", 3.0),
            statement_timeout_ms=env_int("PDZ_STATEMENT_TIMEOUT_MS", 5000),
            relay_sweep_seconds=env_float("PDZ_RELAY_SWEEP_SECONDS", 5.0),
            relay_batch_size=env_int("PDZ_RELAY_BATCH_SIZE", 500),
            relay_full_sweep_seconds=env_float("PDZ_RELAY_FULL_SWEEP_SECONDS", 3600.0),
            relay_max_attempts=env_int("PDZ_RELAY_MAX_ATTEMPTS", 5),
            relay_tenants_per_flush=env_int("PDZ_RELAY_TENANTS_PER_FLUSH", 32),
            log_level=(env.get("PDZ_LOG_LEVEL") or "INFO").upper(),
            db_role_secrets=db_role_secrets(env),
        )


MIN_DEV_KEY_LENGTH = 32


def check_auth(settings: Settings) -> None:
    """Refuse a token configuration that would fail open (ValueError naming the variables).

    Production verifies RS256 tokens against the identity provider's JWKS; the
    HS256 development key, which anyone with this repository can sign with, is
    accepted only when asked for explicitly with PDZ_ENV=development, and never
    beside a JWKS URL.
    """
    development = settings.env == "development"
    if settings.env not in ("development", "production"):
        raise ValueError(f"PDZ_ENV must be 'production' or 'development', got {settings.env!r}")
    if settings.jwt_jwks_url and settings.jwt_dev_key:
        raise ValueError("PDZ_JWT_JWKS_URL and PDZ_JWT_DEV_KEY are both set: a deployment verifying "
                         "the identity provider's tokens must not accept development tokens; unset one")
    if settings.jwt_jwks_url:
        if not settings.jwt_jwks_url.startswith(("https://", "http://")):
            raise ValueError(f"PDZ_JWT_JWKS_URL must be an http(s) URL, got {settings.jwt_jwks_url!r}")
        return
    if not settings.jwt_dev_key:
        raise ValueError("no way to verify tokens: set PDZ_JWT_JWKS_URL (the identity provider's JWKS), "
                         "or for local development PDZ_ENV=development and PDZ_JWT_DEV_KEY")
    if not development:
        raise ValueError("PDZ_JWT_DEV_KEY is a development key: it is accepted only with "
                         "PDZ_ENV=development; production needs PDZ_JWT_JWKS_URL")
    if len(settings.jwt_dev_key) < MIN_DEV_KEY_LENGTH:
        raise ValueError(f"PDZ_JWT_DEV_KEY must be at least {MIN_DEV_KEY_LENGTH} characters")


def development_env(environ: dict) -> dict:
    """`environ` with the local development defaults (PDZ_ENV, the dev key) where nothing says otherwise.

    For the local tools only (`pdz run`, `pdz demo`, `pdz token`, the tests and
    benchmarks): never used by the processes a deployment starts.
    """
    environ = dict(environ)
    if not environ.get("PDZ_JWT_JWKS_URL"):
        environ.setdefault("PDZ_ENV", "development")
        environ.setdefault("PDZ_JWT_DEV_KEY", DEV_JWT_KEY)
    return environ
