"""A test session drops the login roles provisioning made for its databases, as it drops the databases."""
from __future__ import annotations

import psycopg

from shared.db.roles import database_role
from tests.integration.test_session_cleanup import run_inner_session


def existing_roles(server_url: str, names: list[str]) -> set[str]:
    with psycopg.connect(server_url, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (names,))}


def test_the_roles_of_a_sessions_databases_go_with_them(tmp_path, settings):
    made = run_inner_session(tmp_path)  # provisions one random Ambito in a session of its own
    roles = [database_role(name) for name in made["databases"]]
    assert len(roles) == 3
    assert existing_roles(settings.database_url, roles) == set(), made["stderr"][-2000:]
    assert "roles" in made["stderr"]
