"""`pdz tenants provision`: every (service, tenant) database, migrated, with its own login role; idempotent.

This is also what the Kubernetes provisioning Job runs. It connects as the
admin of PDZ_DATABASE_URL (a superuser, or a role with CREATEDB and
CREATEROLE) and, for each database: creates it if missing, applies the
migrations, then gives it its login role, which alone (besides the admin)
may connect to it (shared/db/grants.py). Each service also gets its role for
the maintenance database of every server it uses. Role passwords derive from
PDZ_DB_ROLE_SECRET_<SERVICE> (shared/db/credentials.py). Running it again
changes nothing, except that it upgrades databases provisioned before the
roles existed and sets the passwords again (a rotated secret takes effect).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Mapping

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.db.grants import ensure_service_role, grant_database, grant_rows
from shared.db.migrations import LOCK_KEY, apply_migrations, service_migrations
from shared.db.roles import database_role, role_password, service_role
from shared.tenants import Catalogue

TENANT_SERVICES = ("registry", "consultation", "budget")
REGIONAL_SERVICES = ("reporting",)
SERVICES = TENANT_SERVICES + REGIONAL_SERVICES


def migrations_folder(service: str) -> Path:
    """services/<service>/migrations, located without importing the service's code."""
    spec = importlib.util.find_spec(f"services.{service}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"service package services.{service} not found")
    return Path(list(spec.submodule_search_locations)[0]) / "migrations"


def ensure_database(url: str) -> bool:
    """Create the database named in `url` on its server if it is missing; True if created."""
    dbname = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            return False
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        except psycopg.errors.DuplicateDatabase:
            return False  # another provisioner won the race
        return True


def migrate(url: str, service: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return apply_migrations(conn, service_migrations(service, migrations_folder(service)))


def migrate_and_grant(url: str, service: str, *, role: str) -> list[str]:
    """Apply the migrations, then let `role` use the rows (one admin connection); the names applied."""
    with psycopg.connect(url, autocommit=True) as conn:
        done = apply_migrations(conn, service_migrations(service, migrations_folder(service)))
        grant_rows(conn, role=role, lock_key=LOCK_KEY)
        return done


def default_secrets() -> dict[str, str]:
    """Every service's secret from the environment (development: the development secrets)."""
    from shared.config import Settings
    from shared.db.credentials import role_secrets
    return role_secrets(Settings.from_env(), SERVICES)


def provision(catalogue: Catalogue, *, secrets: Mapping[str, str] | None = None,
              report=print) -> dict[str, list[str]]:
    """Create, migrate and give its role to every database the catalogue implies; returns what was applied.

    `secrets` maps each service to its role secret (default: PDZ_DB_ROLE_SECRET_<SERVICE>); `catalogue`
    must carry the admin's URLs (no login).
    """
    if catalogue.login is not None:
        raise ValueError("provisioning needs the admin's catalogue, not a service's logins")
    secrets = dict(secrets) if secrets is not None else default_secrets()
    applied: dict[str, list[str]] = {}
    targets = [(catalogue.url_for(t, s), s, f"{s}/{t.slug}") for t in catalogue for s in TENANT_SERVICES]
    targets += [(catalogue.regional_url(s), s, f"{s}/(regional)") for s in REGIONAL_SERVICES]
    servers = _ServerAdmins()
    try:
        for service in SERVICES:
            for server in {catalogue.server_for(t, service) for t in catalogue} | {catalogue.default_server}:
                role = service_role(service)
                ensure_service_role(servers.on(server), role=role, password=role_password(secrets[service], role))
        for url, service, label in targets:
            created = ensure_database(url)
            dbname = conninfo_to_dict(url)["dbname"]
            role = database_role(dbname)
            new_role = grant_database(servers.on(url), dbname=dbname, role=role,
                                      password=role_password(secrets[service], role))
            done = migrate_and_grant(url, service, role=role)
            applied[label] = done
            if created or done or new_role:
                report(f"[pdz] {label}: {'created, ' if created else ''}{len(done)} migration(s) applied"
                       f"{', role ' + role + ' created' if new_role else ''}")
    finally:
        servers.close()
    report(f"[pdz] provisioned {len(targets)} databases for {len(catalogue)} tenants")
    return applied


class _ServerAdmins:
    """One admin connection per server, on its `postgres` database, for the role and database grants."""

    def __init__(self):
        self._conns: dict[tuple[str, str], psycopg.Connection] = {}

    def on(self, url: str) -> psycopg.Connection:
        params = conninfo_to_dict(url)
        key = (str(params.get("host", "")), str(params.get("port", "5432")))
        conn = self._conns.get(key)
        if conn is None or conn.closed:
            conn = self._conns[key] = psycopg.connect(url, dbname="postgres", autocommit=True)
        return conn

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
