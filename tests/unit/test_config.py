import subprocess
import sys
from pathlib import Path

import pytest

from shared.config import DEV_JWT_KEY, LOCAL_DATABASE_URL, Settings, check_auth, development_env

JWKS = "https://idp.example/realms/basilicata/protocol/openid-connect/certs"


def test_defaults_point_at_the_local_stack_but_are_production_for_tokens(monkeypatch):
    for name in ("PDZ_DATABASE_URL", "PDZ_KAFKA_BOOTSTRAP", "PDZ_JWT_JWKS_URL", "PDZ_JWT_DEV_KEY",
                 "PDZ_POOL_MAX_TENANTS", "PDZ_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.database_url == LOCAL_DATABASE_URL
    assert settings.kafka_bootstrap == "127.0.0.1:59092"
    # Finding 5: the public dev key was the default, so a deployment that forgot PDZ_JWT_JWKS_URL
    # accepted tokens anyone could mint. Now nothing is accepted until configured.
    assert settings.env == "production" and settings.jwt_dev_key is None
    with pytest.raises(ValueError, match="no way to verify tokens"):
        check_auth(settings)
    assert settings.pool_max_tenants == 1000
    assert settings.pool_max_connections == 700


def test_environment_overrides_and_a_jwks_url_turns_the_dev_key_off(monkeypatch):
    monkeypatch.setenv("PDZ_DATABASE_URL", "postgresql://app@db.example:5432/postgres")
    monkeypatch.setenv("PDZ_JWT_JWKS_URL", "https://idp.example/realms/basilicata/protocol/openid-connect/certs")
    monkeypatch.delenv("PDZ_JWT_DEV_KEY", raising=False)
    monkeypatch.setenv("PDZ_POOL_MAX_TENANTS", "300")
    settings = Settings.from_env()
    assert settings.database_url.startswith("postgresql://app@db.example")
    assert settings.jwt_dev_key is None
    assert settings.pool_max_tenants == 300


@pytest.mark.parametrize("env, dev_key, jwks, refusal", [
    ("production", None, None, "no way to verify tokens"),
    ("production", DEV_JWT_KEY, None, "accepted only with PDZ_ENV=development"),
    ("production", DEV_JWT_KEY, JWKS, "both set"),
    ("development", DEV_JWT_KEY, JWKS, "both set"),
    ("development", None, None, "no way to verify tokens"),
    ("development", "short", None, "at least 32 characters"),
    ("staging", DEV_JWT_KEY, None, "PDZ_ENV must be"),
    ("production", None, "file:///etc/passwd", "http"),
    ("production", None, JWKS, None),
    ("development", None, JWKS, None),
    ("development", DEV_JWT_KEY, None, None),
])
def test_token_configuration_fails_closed(monkeypatch, env, dev_key, jwks, refusal):
    for name, value in (("PDZ_ENV", env), ("PDZ_JWT_DEV_KEY", dev_key), ("PDZ_JWT_JWKS_URL", jwks)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    if refusal is None:
        check_auth(settings)
    else:
        with pytest.raises(ValueError, match=refusal):
            check_auth(settings)


def test_an_api_process_refuses_to_start_without_a_way_to_verify_tokens(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PDZ_HOME": str(tmp_path), "PDZ_BIND": "127.0.0.1:1",
           "PDZ_JWT_DEV_KEY": DEV_JWT_KEY}  # a dev key, but no PDZ_ENV=development
    result = subprocess.run([str(Path(sys.executable).parent / "pdz-budget-api")], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "refusing to start" in result.stderr and "PDZ_ENV=development" in result.stderr


def test_local_tools_default_to_development_unless_a_jwks_url_is_set():
    assert development_env({}) == {"PDZ_ENV": "development", "PDZ_JWT_DEV_KEY": DEV_JWT_KEY}
    assert development_env({"PDZ_JWT_JWKS_URL": JWKS}) == {"PDZ_JWT_JWKS_URL": JWKS}
    assert development_env({"PDZ_ENV": "production"})["PDZ_ENV"] == "production"


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


def test_pg_and_kafka_ports_move_the_local_defaults(monkeypatch):
    for name in ("PDZ_DATABASE_URL", "PDZ_KAFKA_BOOTSTRAP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PDZ_PG_PORT", "25432")
    monkeypatch.setenv("PDZ_KAFKA_PORT", "29092")
    settings = Settings.from_env()
    assert settings.database_url == "postgresql://pdz@127.0.0.1:25432/postgres"
    assert settings.kafka_bootstrap == "127.0.0.1:29092"


def test_explicit_servers_win_over_the_local_ports(monkeypatch):
    monkeypatch.setenv("PDZ_PG_PORT", "25432")
    monkeypatch.setenv("PDZ_KAFKA_PORT", "29092")
    monkeypatch.setenv("PDZ_DATABASE_URL", "postgresql://app@db.example:5432/postgres")
    monkeypatch.setenv("PDZ_KAFKA_BOOTSTRAP", "kafka.example:9092")
    settings = Settings.from_env()
    assert settings.database_url == "postgresql://app@db.example:5432/postgres"
    assert settings.kafka_bootstrap == "kafka.example:9092"


def test_a_malformed_port_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("PDZ_DATABASE_URL", raising=False)
    monkeypatch.setenv("PDZ_PG_PORT", "fifty")
    with pytest.raises(ValueError, match="PDZ_PG_PORT must be an integer"):
        Settings.from_env()


def test_stack_status_looks_at_the_ports_it_is_given(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PDZ_HOME": str(tmp_path), "PDZ_PG_PORT": "1", "PDZ_KAFKA_PORT": "3"}
    result = subprocess.run([str(Path(sys.executable).parent / "pdz"), "stack", "status"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stderr  # nothing listens there
    assert "postgresql=down (127.0.0.1:1) kafka=down (127.0.0.1:3)" in result.stdout


def test_a_second_stack_keeps_its_postgres_data_apart(tmp_path):
    from shared.cli.stack import DEFAULT_HOME, fallback_pg_dir
    first, second = fallback_pg_dir(tmp_path / "a"), fallback_pg_dir(tmp_path / "b")
    assert first != second != fallback_pg_dir(DEFAULT_HOME)
    assert fallback_pg_dir(DEFAULT_HOME) == fallback_pg_dir(DEFAULT_HOME)


def test_a_second_stack_reuses_the_default_folders_kafka_jars(tmp_path, monkeypatch):
    import hashlib

    from shared.cli import stack
    default = tmp_path / "default"
    jars = default / "kafka" / "jars"
    jars.mkdir(parents=True)
    (jars / ".pom-sha1").write_text(hashlib.sha1(stack.KAFKA_POM.read_bytes()).hexdigest())
    monkeypatch.setattr(stack, "DEFAULT_HOME", default)
    monkeypatch.setenv("PDZ_HOME", str(tmp_path / "second"))
    monkeypatch.setenv("PATH", "/nonexistent")  # no Maven: fetching again would fail
    assert stack._kafka_jars() == jars
