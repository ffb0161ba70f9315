import subprocess
import sys
from pathlib import Path

import pytest

from shared.config import DEV_JWT_KEY, LOCAL_DATABASE_URL, Settings


def test_defaults_point_at_the_local_stack(monkeypatch):
    for name in ("PDZ_DATABASE_URL", "PDZ_KAFKA_BOOTSTRAP", "PDZ_JWT_JWKS_URL", "PDZ_JWT_DEV_KEY",
                 "PDZ_POOL_MAX_TENANTS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.database_url == LOCAL_DATABASE_URL
    assert settings.kafka_bootstrap == "127.0.0.1:59092"
    assert settings.jwt_dev_key == DEV_JWT_KEY
    assert settings.pool_max_tenants == 50


def test_environment_overrides_and_a_jwks_url_turns_the_dev_key_off(monkeypatch):
    monkeypatch.setenv("PDZ_DATABASE_URL", "postgresql://app@db.example:5432/postgres")
    monkeypatch.setenv("PDZ_JWT_JWKS_URL", "https://idp.example/realms/basilicata/protocol/openid-connect/certs")
    monkeypatch.delenv("PDZ_JWT_DEV_KEY", raising=False)
    monkeypatch.setenv("PDZ_POOL_MAX_TENANTS", "300")
    settings = Settings.from_env()
    assert settings.database_url.startswith("postgresql://app@db.example")
    assert settings.jwt_dev_key is None
    assert settings.pool_max_tenants == 300


def test_a_malformed_number_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PDZ_POOL_MAX_TENANTS", "many")
    with pytest.raises(ValueError, match="PDZ_POOL_MAX_TENANTS must be an integer"):
        Settings.from_env()


def test_stack_up_starts_nothing_when_servers_are_given(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PDZ_HOME": str(tmp_path),
           "PDZ_DATABASE_URL": "postgresql://x@127.0.0.1:1/postgres", "PDZ_KAFKA_BOOTSTRAP": "127.0.0.1:1"}
    result = subprocess.run([str(Path(sys.executable).parent / "pdz"), "stack", "up"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "PostgreSQL: using PDZ_DATABASE_URL, nothing started" in result.stdout
    assert "Kafka: using PDZ_KAFKA_BOOTSTRAP, nothing started" in result.stdout
    assert not (tmp_path / "state.json").exists()
