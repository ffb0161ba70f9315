"""Forward-only SQL migrations, one folder of numbered files per service.

A small runner on purpose: files `NNN_description.sql` are applied in order,
each in its own transaction together with its row in `schema_migrations`, under
an advisory lock so two provisioning jobs never race. A file that was already
applied and has since been edited is refused (its checksum no longer matches):
migrations move forward only, a fix is a new file.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

FILE_RE = re.compile(r"^(\d{3,})_[a-z0-9_]+\.sql$")
LOCK_KEY = 7_285_001  # arbitrary, constant: "pdz migrations"


class MigrationError(RuntimeError):
    """The migration folder or the database's history is inconsistent."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


PLATFORM_FOLDER = Path(__file__).parent / "platform_migrations"


def discover(folder: Path, namespace: str) -> list[Migration]:
    """The migration files of a folder, in order, versioned as `namespace/NNN`."""
    migrations = []
    for path in sorted(Path(folder).glob("*.sql")):
        match = FILE_RE.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} must be named NNN_description.sql")
        migrations.append(Migration(f"{namespace}/{match.group(1)}", path.name,
                                    path.read_text(encoding="utf-8")))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a number in {folder}")
    return migrations


def service_migrations(service: str, folder: Path) -> list[Migration]:
    """Platform tables (outbox, processed events) first, then the service's own files."""
    return discover(PLATFORM_FOLDER, "platform") + discover(folder, service)


def apply_migrations(conn: psycopg.Connection, migrations: list[Migration]) -> list[str]:
    """Apply the pending migrations on an autocommit connection; returns the names applied."""
    conn.autocommit = True
    conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())")
        applied = {row[0]: row[1:] for row in
                   conn.execute("SELECT version, name, checksum FROM schema_migrations")}
        done = []
        for migration in migrations:
            if migration.version in applied:
                name, checksum = applied[migration.version]
                if checksum != migration.checksum:
                    raise MigrationError(
                        f"{migration.name} was changed after it was applied (as {name}); "
                        "migrations are forward-only: add a new file instead")
                continue
            with conn.transaction():
                conn.execute(migration.sql)
                conn.execute("INSERT INTO schema_migrations (version, name, checksum)"
                             " VALUES (%s, %s, %s)",
                             (migration.version, migration.name, migration.checksum))
            done.append(migration.name)
        return done
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
