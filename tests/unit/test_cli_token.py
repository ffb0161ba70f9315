"""`pdz token`: says its defaults, mints per-Ambito grants, refuses what it cannot mint."""
import jwt
import pytest

from shared.cli.main import main
from shared.config import DEV_JWT_KEY


def test_help_says_the_default_subject_and_lifetime(capsys):
    with pytest.raises(SystemExit):
        main(["token", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default: dev-user" in text and "8 hours" in text and "AMBITO=ROLE" in text


def test_roles_hold_in_each_tenant_and_grants_add_one_role_in_one_ambito(capsys, monkeypatch):
    monkeypatch.delenv("PDZ_JWT_JWKS_URL", raising=False)
    monkeypatch.setenv("PDZ_JWT_DEV_KEY", DEV_JWT_KEY)
    assert main(["token", "--role", "operator", "--tenant", "pollino", "--grant", "potenza=auditor",
                 "--role", "regional-admin", "--subject", "mario"]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), DEV_JWT_KEY, algorithms=["HS256"])
    assert claims["sub"] == "mario" and claims["roles"] == ["regional-admin"]
    assert claims["tenants"] == {"pollino": ["operator"], "potenza": ["auditor"]}


@pytest.mark.parametrize("argv, message", [
    (["token", "--role", "operator"], "need at least one Ambito"),
    (["token", "--grant", "potenza"], "AMBITO=ROLE"),
    (["token"], "at least one --role or --grant"),
    (["token", "--role", "root", "--tenant", "a"], "unknown roles"),
])
def test_what_cannot_be_minted_is_a_clear_error(capsys, argv, message):
    assert main(argv) == 1
    assert message in capsys.readouterr().err
