"""Fixtures shared by every test layer.

Ids are random, so tests never see each other's data. Every random name is
made here and remembered (tenant slugs, extra databases, topic prefixes), and
at the end of the session the databases and Kafka topics of those names, and
only those, are dropped, and the login roles provisioning made for those
databases (see docs/testing.md; PDZ_TEST_KEEP=1 keeps them).
"""
from __future__ import annotations

import logging
import os
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from shared.cli.provision import TENANT_SERVICES
from shared.config import Settings, development_env
from shared.tenants import Tenant, load_catalogue


@pytest.fixture(autouse=True)
def _logging_as_it_was():
    """Undo, after each test, what configure_logging did to the logging configuration during it.

    Commands run in-process (revoke, republish, a consumer's main) call configure_logging: the root
    logger then wrote every INFO line to the captured stderr for the rest of the session, and a later
    test that counts memory (test_problem_memory) saw pytest's capture buffer grow. Only our own
    handlers are removed: pytest's log-capturing handlers come and go with each test phase.
    """
    from shared.http.logs import StderrHandler

    root = logging.getLogger()
    names = ("gunicorn.error", "gunicorn.access", "kafka")
    level = root.level
    others = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level, logging.getLogger(n).propagate)
              for n in names}
    ours = {id(h) for h in root.handlers if isinstance(h, StderrHandler)}
    yield
    added = [h for h in root.handlers if isinstance(h, StderrHandler) and id(h) not in ours]
    if added:
        for handler in added:
            root.removeHandler(handler)
        root.setLevel(level)
        for name, (handlers, logger_level, propagate) in others.items():
            logger = logging.getLogger(name)
            logger.handlers[:], logger.propagate = handlers, propagate
            logger.setLevel(logger_level)


# The tests run the suite in development mode (the dev token key), as `pdz run` does; the
# processes they spawn inherit it. Production's refusal to start so is tested on its own.
os.environ.update(development_env(os.environ))

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"

# What this session created (or may have): only these names are ever dropped.
_created: dict[str, set[str]] = {"slugs": set(), "databases": set(), "topic_prefixes": set()}
# Of those, the ones created since the current test module began: dropped when the module ends, because
# the whole suite creates thousands of databases (about 9 MB each) and the disk would not hold them all
# until the session's end. No fixture that creates databases is session-scoped (the widest is a module).
_this_module: dict[str, set[str]] = {"slugs": set(), "databases": set()}


def random_slug(prefix: str = "t") -> str:
    """A tenant slug of this session; its databases are dropped when the session ends."""
    slug = f"{prefix}-{uuid.uuid4().hex[:10]}"
    _created["slugs"].add(slug)
    _this_module["slugs"].add(slug)
    return slug


def random_database(prefix: str) -> str:
    """A database name of this session (e.g. a reporting database), dropped when the session ends."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    _created["databases"].add(name)
    _this_module["databases"].add(name)
    return name


def random_topic_prefix(prefix: str) -> str:
    """A PDZ_TOPIC_PREFIX of this session; the topics named with it are deleted when the session ends."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    _created["topic_prefixes"].add(name)
    return name


def databases_of(names: dict[str, set[str]]) -> set[str]:
    """Every database name these random names imply."""
    tenant_dbs = {Tenant(slug=slug, name=slug, region="").database_name(service)
                  for slug in names["slugs"] for service in TENANT_SERVICES}
    return tenant_dbs | names["databases"]


def session_databases() -> set[str]:
    """Every database name this session's random names imply."""
    return databases_of(_created)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a module's last test (its module fixtures finalised), drop the databases it created."""
    yield
    if nextitem is not None and nextitem.module is item.module:
        return
    names = databases_of(_this_module)
    for kind in _this_module.values():
        kind.clear()
    if not names or os.environ.get("PDZ_TEST_KEEP") == "1":
        return
    try:
        url = Settings.from_env().database_url
        _drop_databases(url, names)
        _drop_roles(url, names)
    except Exception as exc:  # noqa: BLE001 - cleanup never turns a run red; the session's end tries again
        sys.stderr.write(f"\n[pdz] module cleanup of {len(names)} databases failed: {type(exc).__name__}: {exc}\n")


def write_catalogue(folder: Path, slugs: list[str], *, reporting_db: str | None = None,
                    extra: list[dict] | None = None) -> Path:
    """A tenant catalogue file with the given tenants (and its own reporting database)."""
    document = {
        "tenants": [{"slug": s, "name": f"Ambito di prova {s}", "region": "basilicata"} for s in slugs]
        + (extra or []),
        "regional_databases": {"reporting": reporting_db or random_database("reporting")},
    }
    path = folder / "tenants.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture
def catalogue_factory(tmp_path, settings):
    def make(slugs: list[str], **kwargs):
        return load_catalogue(write_catalogue(tmp_path, slugs, **kwargs), settings.database_url)
    return make


def _drop_databases(server_url: str, names: set[str], *, workers: int = 4) -> int:
    """DROP DATABASE ... WITH (FORCE) for the names that exist; returns how many went."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as conn:
        existing = [row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)",
                                                   (sorted(names),))]

    def drop(share: list[str]) -> None:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as conn:
            for name in share:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # A few connections at once: each DROP waits for its files to go, the others need not wait for it.
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(drop, [existing[i::workers] for i in range(workers)]))
    return len(existing)


def _drop_roles(server_url: str, databases: set[str]) -> int:
    """DROP ROLE for the login roles of these databases (run after the databases went); returns how many."""
    import psycopg
    from psycopg import sql

    from shared.db.roles import database_role

    roles = sorted({database_role(name) for name in databases})
    with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as conn:
        existing = [row[0] for row in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (roles,))]
        for role in existing:
            # Its only grants were on its database, dropped already; a role whose database could not be
            # dropped still holds them, and DROP ROLE fails: that error is reported, not hidden.
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    return len(existing)


def _delete_topics(bootstrap: str, prefixes: set[str]) -> int:
    """Delete the topics named `<prefix>.…` for this session's prefixes; returns how many went."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="pdz-test-cleanup",
                             request_timeout_ms=10_000)
    try:
        mine = [t for t in admin.list_topics() if t.split(".", 1)[0] in prefixes]
        if mine:
            admin.delete_topics(mine)
        return len(mine)
    finally:
        admin.close()


def pytest_sessionfinish(session, exitstatus):
    """Drop the databases and topics of this session's random names (never any other)."""
    if os.environ.get("PDZ_TEST_KEEP") == "1" or not any(_created.values()):
        return
    settings = Settings.from_env()
    report = []
    for what, clean, target, names in (
            ("databases", _drop_databases, settings.database_url, session_databases()),
            ("roles", _drop_roles, settings.database_url, session_databases()),
            ("topics", _delete_topics, settings.kafka_bootstrap, _created["topic_prefixes"])):
        if not names:
            continue
        try:
            report.append(f"{clean(target, names)} {what}")
        except Exception as exc:  # noqa: BLE001 - cleanup must never turn a run red (e.g. the stack is down)
            report.append(f"{what} not cleaned ({type(exc).__name__}: {exc})")
    sys.stderr.write(f"\n[pdz] test session cleanup: {', '.join(report)}\n")
