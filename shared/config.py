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


@dataclass(frozen=True)
class Settings:
    """Everything a PdZ process needs to know about its environment."""

    database_url: str = LOCAL_DATABASE_URL
    kafka_bootstrap: str = LOCAL_KAFKA_BOOTSTRAP
    tenants_file: Path = REPO_ROOT / "deploy" / "local" / "tenants.yaml"
    regions_file: Path = REPO_ROOT / "deploy" / "local" / "regions.yaml"
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
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        jwks = env.get("PDZ_JWT_JWKS_URL") or None
        # A JWKS URL means production: the dev key is then off unless set explicitly.
        dev_key = env.get("PDZ_JWT_DEV_KEY", None if jwks else DEV_JWT_KEY) or None
        return cls(
            database_url=env.get("PDZ_DATABASE_URL") or local_database_url(),
            kafka_bootstrap=env.get("PDZ_KAFKA_BOOTSTRAP") or local_kafka_bootstrap(),
            tenants_file=Path(env.get("PDZ_TENANTS_FILE") or cls.tenants_file),
            regions_file=Path(env.get("PDZ_REGIONS_FILE") or cls.regions_file),
            jwt_dev_key=dev_key,
            jwt_jwks_url=jwks,
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
        )
