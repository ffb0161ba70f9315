"""Creating the login roles and giving each its one database (provisioning runs this as the admin).

Per (service, tenant) database, and for the regional one:
- its role (shared/db/roles.py) exists, LOGIN NOINHERIT, with the derived
  password (sent as a SCRAM verifier computed here, so the clear text never
  reaches the server's logs); created, or its password set again, which is
  how a rotated secret takes effect;
- CONNECT and TEMPORARY on the database are revoked from PUBLIC and CONNECT
  granted to its role only: no other role but the owner (the admin) gets in;
- inside it, the role may read and write rows (SELECT, INSERT, UPDATE,
  DELETE on every table, USAGE/SELECT/UPDATE on every sequence), read but not
  change `schema_migrations`, and nothing else: the admin owns the tables,
  so the role cannot ALTER, DROP or TRUNCATE them, nor CREATE in the schema.
  Tables of later migrations are covered twice: default privileges of the
  admin role, and these grants applied again on every provisioning run
  (which is also what upgrades a database provisioned before roles existed).

Role and database-level changes touch shared catalogs, so they run one at a
time per server under an advisory lock on the `postgres` database
(concurrent GRANTs on one role fail with "tuple concurrently updated").
"""
from __future__ import annotations

import psycopg
from psycopg import sql

from shared.db.roles import scram_verifier

ROLE_LOCK_KEY = 7_285_002  # arbitrary, constant: "pdz roles" (beside migrations' 7_285_001)
ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT, UPDATE"


class RoleError(RuntimeError):
    """A role exists with more power than a service's login must have."""


def _verifier(conn: psycopg.Connection, role: str, password: str) -> str:
    return scram_verifier(password)


def ensure_login_role(admin: psycopg.Connection, *, role: str, password: str) -> bool:
    """Create `role` (LOGIN, nothing else) or set its password again; True if it was created.

    `admin` is an autocommit connection; the caller holds ROLE_LOCK_KEY in an open transaction.
    """
    row = admin.execute("SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls"
                        " FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if row and row[0]:
        raise RoleError(f"role {role} exists with administrative attributes; a service login must not have "
                        "them: remove them (ALTER ROLE) or drop the role, then provision again")
    verb = sql.SQL("ALTER ROLE" if row else "CREATE ROLE")
    admin.execute(sql.SQL("{} {} WITH LOGIN NOINHERIT PASSWORD {}").format(
        verb, sql.Identifier(role), sql.Literal(_verifier(admin, role, password))))
    return row is None


def grant_database(admin: psycopg.Connection, *, dbname: str, role: str, password: str) -> bool:
    """On the server (`admin`: autocommit, on its `postgres` database): the role, and CONNECT to `dbname` for it only.

    True if the role was created now.
    """
    with admin.transaction():
        admin.execute("SELECT pg_advisory_xact_lock(%s)", (ROLE_LOCK_KEY,))
        created = ensure_login_role(admin, role=role, password=password)
        database = sql.Identifier(dbname)
        admin.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
        admin.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, sql.Identifier(role)))
    return created


def ensure_service_role(admin: psycopg.Connection, *, role: str, password: str) -> bool:
    """The service's role for the maintenance database (wake-ups, /readyz): a login and no grant."""
    with admin.transaction():
        admin.execute("SELECT pg_advisory_xact_lock(%s)", (ROLE_LOCK_KEY,))
        return ensure_login_role(admin, role=role, password=password)


def grant_rows(conn: psycopg.Connection, *, role: str, lock_key: int) -> None:
    """Inside one database (`conn`: the admin, autocommit): the role may use the rows, never the schema.

    `lock_key` is the migrations' advisory lock, so grants never interleave with a migration.
    """
    who = sql.Identifier(role)
    rows, sequences = sql.SQL(ROW_PRIVILEGES), sql.SQL(SEQUENCE_PRIVILEGES)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key,))
        for statement in (
                # PostgreSQL 15 no longer lets PUBLIC create in `public`; older servers did, so say it.
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                "GRANT USAGE ON SCHEMA public TO {who}",
                "GRANT {rows} ON ALL TABLES IN SCHEMA public TO {who}",
                "GRANT {sequences} ON ALL SEQUENCES IN SCHEMA public TO {who}",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {rows} ON TABLES TO {who}",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {sequences} ON SEQUENCES TO {who}"):
            conn.execute(sql.SQL(statement).format(who=who, rows=rows, sequences=sequences))
        if conn.execute("SELECT to_regclass('public.schema_migrations')").fetchone()[0]:
            # What was applied is the provisioner's record: the service may read it, never rewrite it.
            conn.execute(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM {}").format(who))
