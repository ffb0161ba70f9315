"""apply_rows on the real PostgreSQL: an interleaved batch, grouped, ends as the rows applied one by one.

The tables are the test's own, in a database of its own: a parent and a child with a foreign key
(ON DELETE CASCADE), a read model guarded by `newer_than`, and a plain table where the last write wins.
"""
from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from shared.consumer.rows import Delete, Upsert, apply_rows, links_of
from tests.conftest import random_database

SCHEMA = """
CREATE TABLE parents (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parents (id) ON DELETE CASCADE,
                       note text NOT NULL);
CREATE TABLE facts (id int PRIMARY KEY, version int NOT NULL, label text NOT NULL);
CREATE TABLE plain (id int PRIMARY KEY, v text NOT NULL);
INSERT INTO parents VALUES (0, 'already there');
"""
TABLES = ("parents", "children", "facts", "plain")


def parent(i, name="p"):
    return Upsert("parents", key={"id": i}, values={"name": f"{name}{i}"})


def child(i, parent_id, note="c"):
    return Upsert("children", key={"id": i}, values={"parent_id": parent_id, "note": note})


def fact(i, version):
    return Upsert("facts", key={"id": i}, values={"version": version, "label": f"v{version}"}, newer_than="version")


def plain(i, v):
    return Upsert("plain", key={"id": i}, values={"v": v})


# As a batch of events would give them: tables alternate, a child's table first appears before its
# parent's (so grouping by first appearance alone would write child 2 before parent 1), a stale fact
# after a newer one, a delete then an upsert of one key, one key written twice, a cascading delete.
BATCH = [
    child(1, 0), fact(1, 2), parent(1), child(2, 1),
    fact(1, 1), plain(1, "a"), parent(2), child(3, 2),
    fact(2, 1), Delete("plain", key={"id": 1}), plain(1, "b"), fact(2, 3),
    plain(2, "c"), parent(3), child(4, 3), plain(2, "d"),
    Delete("parents", key={"id": 3}), child(5, 1), parent(4), child(6, 4),
    parent(1, "renamed"), fact(3, 1), child(2, 1, "again"), plain(3, "e"),
]


@pytest.fixture
def conn(settings):
    name = random_database("rows")
    with psycopg.connect(settings.database_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(settings.database_url, dbname=name) as conn:
        conn.execute(SCHEMA)
        conn.commit()
        yield conn


class CountingCursor(psycopg.Cursor):
    """Counts the statements sent: one per execute, one per executemany parameter set."""

    sent = 0

    def execute(self, query, params=None, **kwargs):
        CountingCursor.sent += 1
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs):
        params_seq = list(params_seq)
        CountingCursor.sent += len(params_seq)
        return super().executemany(query, params_seq, **kwargs)


def counted_batch(conn) -> None:
    conn.cursor_factory, CountingCursor.sent = CountingCursor, 0
    try:
        apply_rows(conn, BATCH)
    finally:
        conn.cursor_factory = psycopg.Cursor


def state(conn) -> dict:
    return {t: conn.execute(sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(t))).fetchall()
            for t in TABLES}


def final_state(conn, apply) -> dict:
    """The tables after `apply(conn)`, then rolled back for the next way of applying."""
    with conn.transaction(force_rollback=True):
        apply(conn)
        return state(conn)


def test_an_interleaved_batch_ends_as_its_rows_one_by_one_in_few_statements(conn):
    one_by_one = final_state(conn, lambda c: [apply_rows(c, [row]) for row in BATCH])

    links_of(conn)  # read the catalogue first: only the batch's own statements are counted
    batched = final_state(conn, counted_batch)

    assert batched == one_by_one
    assert one_by_one["facts"] == [(1, 2, "v2"), (2, 3, "v3"), (3, 1, "v1")]  # the guard kept the newest
    assert one_by_one["plain"] == [(1, "b"), (2, "d"), (3, "e")]
    assert [row[0] for row in one_by_one["children"]] == [1, 2, 3, 5, 6]  # 4 went with parent 3
    assert one_by_one["parents"][1] == (1, "renamed1")
    # 24 rows in 14 statements (one by one: 24): children 1 | facts 1 | parents 1,2,3 | children 2,3,4 |
    # facts 1,2 | plain 1 | delete plain 1 | plain 1,2 | facts 2,3 | plain 2,3 | delete parents 3 |
    # children 5 | parents 4,1 | children 6,2. A key seen again starts a new statement of its shape;
    # no row crosses the delete of its own table, nor a child its parent's rows.
    assert CountingCursor.sent == 14
