"""`pdz tenants provision`: every (service, tenant) database, migrated; idempotent.

This is also what the Kubernetes provisioning Job runs.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.db.migrations import apply_migrations, service_migrations
from shared.tenants import Catalogue

TENANT_SERVICES = ("registry", "consultation", "budget")
REGIONAL_SERVICES = ("reporting",)


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


def provision(catalogue: Catalogue, *, report=print) -> dict[str, list[str]]:
    """Create and migrate every database the catalogue implies; returns what was applied."""
    applied: dict[str, list[str]] = {}
    targets = [(catalogue.url_for(t, s), s, f"{s}/{t.slug}") for t in catalogue for s in TENANT_SERVICES]
    targets += [(catalogue.regional_url(s), s, f"{s}/(regional)") for s in REGIONAL_SERVICES]
    for url, service, label in targets:
        created = ensure_database(url)
        done = migrate(url, service)
        applied[label] = done
        if created or done:
            report(f"[pdz] {label}: {'created, ' if created else ''}{len(done)} migration(s) applied")
    report(f"[pdz] provisioned {len(targets)} databases for {len(catalogue)} tenants")
    return applied
