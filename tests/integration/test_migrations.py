import threading

import psycopg
import pytest

from shared.cli.provision import ensure_database
from shared.db.migrations import MigrationError, apply_migrations, discover
from shared.tenants import database_url
from tests.conftest import random_database


@pytest.fixture
def fresh_db(settings):
    url = database_url(settings.database_url, random_database("mig"))
    assert ensure_database(url) is True
    assert ensure_database(url) is False
    return url


def _write(folder, name, sql):
    (folder / name).write_text(sql)


def test_applies_in_order_once_and_refuses_edited_history(fresh_db, tmp_path):
    _write(tmp_path, "001_first.sql", "CREATE TABLE a (id int);")
    _write(tmp_path, "002_second.sql", "ALTER TABLE a ADD COLUMN name text;")
    with psycopg.connect(fresh_db) as conn:
        assert apply_migrations(conn, discover(tmp_path, "x")) == ["001_first.sql", "002_second.sql"]
        assert apply_migrations(conn, discover(tmp_path, "x")) == []
        conn.execute("INSERT INTO a (id, name) VALUES (1, 'ok')")
    _write(tmp_path, "001_first.sql", "CREATE TABLE a (id bigint);")
    with psycopg.connect(fresh_db) as conn, pytest.raises(MigrationError, match="forward-only"):
        apply_migrations(conn, discover(tmp_path, "x"))


def test_a_failing_migration_leaves_nothing_half_done(fresh_db, tmp_path):
    _write(tmp_path, "001_ok.sql", "CREATE TABLE ok (id int);")
    _write(tmp_path, "002_broken.sql", "CREATE TABLE half (id int); SELECT no_such_function();")
    with psycopg.connect(fresh_db) as conn:
        with pytest.raises(psycopg.Error):
            apply_migrations(conn, discover(tmp_path, "x"))
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert "ok" in tables and "half" not in tables
    assert versions == ["x/001"]


def test_concurrent_runners_apply_each_file_once(fresh_db, tmp_path):
    _write(tmp_path, "001_t.sql", "CREATE TABLE t (id int);")
    results, errors = [], []

    def run():
        try:
            with psycopg.connect(fresh_db) as conn:
                results.append(apply_migrations(conn, discover(tmp_path, "x")))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(map(len, results)) == [0, 0, 0, 1]
