"""The database side of a replay: a fresh reporting database, and swapping it in by renaming.

The rebuilt database is made as provisioning makes the live one (shared/cli/provision.py: the
reporting migrations, the rows granted to a login role), but for the LIVE database's role: the
processes log in with the role of the name they connect to (shared/db/roles.py), so once renamed
to the live name the rebuilt database is reachable exactly as the old one was. CONNECT is a
database's own privilege and follows it through a rename.
"""
from __future__ import annotations

import time

import psycopg
from psycopg import sql

from shared.cli.provision import migrate_and_grant
from shared.db.grants import ROLE_LOCK_KEY
from shared.db.roles import database_role
from shared.tenants import database_url

MAX_NAME_BYTES = 63  # PostgreSQL would silently truncate a longer database name


def _maintenance(server_url: str) -> psycopg.Connection:
    return psycopg.connect(server_url, dbname="postgres", autocommit=True)


def exists(server_url: str, name: str) -> bool:
    with _maintenance(server_url) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def create_rebuild(*, server_url: str, name: str, live: str) -> str:
    """Create `name` (it must not exist), migrate it, give its rows and CONNECT to `live`'s role; its URL."""
    if len(name.encode()) > MAX_NAME_BYTES:
        raise ValueError(f"database name {name!r} is longer than {MAX_NAME_BYTES} bytes")
    role = database_role(live)
    with _maintenance(server_url) as admin:
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
            raise RuntimeError(f"role {role} of the reporting database {live} does not exist: "
                               "run `pdz tenants provision` first")
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            raise RuntimeError(f"database {name} exists already: give another name, or --resume it") from None
        with admin.transaction():
            admin.execute("SELECT pg_advisory_xact_lock(%s)", (ROLE_LOCK_KEY,))  # as grants.py: one at a time
            database = sql.Identifier(name)
            admin.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
            admin.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, sql.Identifier(role)))
    url = database_url(server_url, name)
    migrate_and_grant(url, "reporting", role=role)
    return url


def carry_over(*, server_url: str, live: str, rebuild: str, tables: tuple[str, ...]) -> dict[str, int]:
    """Copy `tables` (those in both databases) from `live` into `rebuild`, replacing what is there; rows each."""
    copied: dict[str, int] = {}
    if not exists(server_url, live):
        return copied
    with psycopg.connect(server_url, dbname=live) as source, psycopg.connect(server_url, dbname=rebuild) as target:
        for table in tables:
            if not all(c.execute("SELECT to_regclass(%s)", (f"public.{table}",)).fetchone()[0]
                       for c in (source, target)):
                continue
            name = sql.Identifier(table)
            target.execute(sql.SQL("DELETE FROM {}").format(name))
            # Same migrations, same column order: the binary stream goes across as it is.
            with source.cursor().copy(sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(name)) as out, \
                    target.cursor().copy(sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(name)) as into:
                for data in out:
                    into.write(data)
            copied[table] = target.execute(sql.SQL("SELECT count(*) FROM {}").format(name)).fetchone()[0]
        target.commit()
    return copied


def _allow(admin, name: str, allowed: bool) -> None:
    admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
        sql.Identifier(name), sql.SQL("true" if allowed else "false")))


def _terminate(admin, names: list[str]) -> None:
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                  " WHERE datname = ANY(%s) AND pid <> pg_backend_pid()", (names,))


def swap(*, server_url: str, live: str, rebuild: str, previous: str, attempts: int = 5) -> bool:
    """Rename `live` to `previous` and `rebuild` to `live`, both or neither; False if there was no live one.

    The live database first refuses new connections (the API's pools reconnect lazily and get a 503
    meanwhile), its sessions are ended, then both renames run in one transaction.
    """
    if len(previous.encode()) > MAX_NAME_BYTES:
        raise ValueError(f"database name {previous!r} is longer than {MAX_NAME_BYTES} bytes")
    with _maintenance(server_url) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (live,)).fetchone() is None:
            admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(rebuild),
                                                                         sql.Identifier(live)))
            return False
        _allow(admin, live, False)
        renamed = False
        try:
            for attempt in range(attempts):
                _terminate(admin, [live, rebuild])
                try:
                    with admin.transaction():
                        admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                            sql.Identifier(live), sql.Identifier(previous)))
                        admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                            sql.Identifier(rebuild), sql.Identifier(live)))
                    renamed = True
                    break
                except psycopg.errors.ObjectInUse:
                    # A session that outlived the terminate (PostgreSQL waits 5 s for it): end it again.
                    if attempt == attempts - 1:
                        raise
                    time.sleep(0.5)
        finally:
            # The old database stays connectable under its new name (to compare, or to swap back).
            _allow(admin, previous if renamed else live, True)
    return True
