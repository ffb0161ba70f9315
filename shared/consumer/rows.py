"""Rows a projector asks for, and the writer that applies them.

A projector is a pure function from an event to a list of row operations; it
is tested on its own, without a database. The runner applies the rows of a
whole batch in the same transaction as the processed-event records, and the
result must be the one of applying them one after another, in order.

To cost a couple of round trips a batch, the rows are planned into groups of
one shape (one kind, one table, the same columns): each group of upserts is
one statement (`INSERT ... SELECT FROM jsonb_populate_recordset(...)`:
PostgreSQL converts each value to its column's type), a group of deletes one
pipelined `executemany`. Projectors often write two tables per event
(stakeholder_facts and stakeholder_history), so a batch alternates shapes: a
row joins the latest group of its shape, i.e. is written earlier than where
it stood, only if every row it so overtakes is independent of it:

- same table: both upserts on the same key columns and another key (a delete
  never overtakes, nor is overtaken by, anything of its own table);
- another table, unrelated: no foreign key between the two, and neither has a
  trigger or a rule (what those touch is unknown);
- a parent table's upsert may overtake its children's upserts, if the key it
  conflicts on holds the referenced columns (an upsert never changes its key,
  so no child loses its parent); a child never overtakes its parent's rows.

A row whose key is already in its group starts a new group, so a group's
upserts have distinct keys and its single statement equals applying them one
after another (ON CONFLICT cannot touch a row twice in one statement). Groups
are written in the order of their first row, so a table first seen earlier
stays earlier, and a `newer_than` guard or a delete-then-upsert of one key
sees its rows in their order.

Projectors declare nothing: the foreign keys, triggers and rules are read
from the database's catalogue, once per database and process, so a process
running when a migration adds one must be restarted (until then a child
written before its parent makes the batch fail, and apply.py applies its
events one at a time, each in its rows' order). What projectors must keep: a
row that needs another row of the batch comes after it, as before.
Dependencies the catalogue does not show are not seen: a CHECK or default
calling a function that reads another table, or two shapes of one table on
different keys competing for a value of a further unique index.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row


@dataclass(frozen=True)
class Upsert:
    """Insert a row, or update its non-key columns if the key exists."""

    table: str
    key: dict
    values: dict = field(default_factory=dict)
    # Only overwrite a row whose `newer_than` column is lower than the incoming value:
    # a stale or replayed snapshot never undoes a newer one.
    newer_than: str | None = None


@dataclass(frozen=True)
class Delete:
    table: str
    key: dict


@dataclass(frozen=True)
class Links:
    """What a database's catalogue says about tables whose rows may depend on each other's."""

    # child table -> parent table -> the parent's columns its foreign keys reference
    parents: dict = field(default_factory=dict)
    # tables with a trigger or a rule
    opaque: frozenset = frozenset()

    def references(self, child: str, parent: str) -> bool:
        return parent in self.parents.get(child, ())

    def referenced(self, child: str, parent: str) -> frozenset | None:
        return self.parents.get(child, {}).get(parent)


NO_LINKS = Links()

_FOREIGN_KEYS = """
SELECT child.relname, parent.relname,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.confrelid AND a.attnum = ANY(c.confkey))
FROM pg_constraint c
JOIN pg_class child ON child.oid = c.conrelid
JOIN pg_class parent ON parent.oid = c.confrelid
WHERE c.contype = 'f' AND pg_table_is_visible(c.conrelid)
"""

_OPAQUE = """
SELECT c.relname FROM pg_class c
WHERE pg_table_is_visible(c.oid)
  AND (c.relhasrules OR EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal))
"""

_LINKS: dict[tuple, Links] = {}


def read_links(conn: psycopg.Connection) -> Links:
    """The foreign keys, triggers and rules of the tables `conn` sees."""
    parents: dict = {}
    with conn.cursor(row_factory=tuple_row) as cur:  # whatever the connection's own row factory
        for child, parent, columns in cur.execute(_FOREIGN_KEYS).fetchall():
            known = parents.setdefault(child, {}).get(parent, frozenset())
            parents[child][parent] = known | frozenset(columns)  # several keys: all their columns
        opaque = frozenset(name for (name,) in cur.execute(_OPAQUE).fetchall())
    return Links(parents=parents, opaque=opaque)


def links_of(conn: psycopg.Connection) -> Links:
    """The database's links, read once per database: every batch needs them, they change only with a migration."""
    info = conn.info
    where = (info.host, info.port, info.dbname)
    links = _LINKS.get(where)
    if links is None:
        links = _LINKS[where] = read_links(conn)
    return links


_QUERIES: dict[tuple, sql.Composed] = {}


def _upsert_query(table: str, keys: tuple, values: tuple, newer_than: str | None) -> sql.Composed:
    columns = keys + values
    conflict = sql.SQL(", ").join(map(sql.Identifier, keys))
    if values:
        action = sql.SQL("DO UPDATE SET ") + sql.SQL(", ").join(
            sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in values)
        if newer_than:
            action += sql.SQL(" WHERE {0}.{1} < EXCLUDED.{1}").format(
                sql.Identifier(table), sql.Identifier(newer_than))
    else:
        action = sql.SQL("DO NOTHING")
    return sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) ").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)), conflict) + action


def _bulk_upsert_query(table: str, keys: tuple, values: tuple, newer_than: str | None) -> sql.Composed:
    columns = sql.SQL(", ").join(map(sql.Identifier, keys + values))
    single = _upsert_query(table, keys, values, newer_than).as_string(None)
    action = single[single.index(" ON CONFLICT "):]
    return sql.SQL("INSERT INTO {t} ({c}) SELECT {c} FROM jsonb_populate_recordset(NULL::{t}, %s::jsonb)").format(
        t=sql.Identifier(table), c=columns) + sql.SQL(action)


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)  # UUID, Decimal: their text form is PostgreSQL's input form


def _delete_query(table: str, keys: tuple) -> sql.Composed:
    where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in keys)
    return sql.SQL("DELETE FROM {} WHERE ").format(sql.Identifier(table)) + where


def statement(row) -> tuple[tuple, list]:
    """(shape, parameters) of one row operation; rows of one shape share one SQL statement.

    shape[1] is the table and shape[2] the key columns, whatever the kind; the parameters start with the key.
    """
    if isinstance(row, Upsert):
        shape = ("upsert", row.table, tuple(row.key), tuple(row.values), row.newer_than)
        return shape, [*row.key.values(), *row.values.values()]
    if isinstance(row, Delete):
        return ("delete", row.table, tuple(row.key)), list(row.key.values())
    raise TypeError(f"unknown row operation {row!r}")


@dataclass
class _Group:
    shape: tuple
    params: list = field(default_factory=list)
    keys: set = field(default_factory=set)


def _may_overtake(shape: tuple, key: tuple, earlier: _Group, links: Links) -> bool:
    """May a row of `shape` and `key` be written before the rows of `earlier`, which came before it?"""
    table, other = shape[1], earlier.shape[1]
    if table in links.opaque or other in links.opaque:
        return False
    both_upserts = shape[0] == earlier.shape[0] == "upsert"
    if table == other:
        return (both_upserts and shape[2] == earlier.shape[2] and key not in earlier.keys
                and not links.references(table, table))
    if links.references(table, other):
        return False  # the row may reference one `earlier` writes
    referenced = links.referenced(other, table)
    if referenced is None:
        return True
    return both_upserts and referenced <= set(shape[2])  # a parent's upsert keeps what children reference


def plan(statements: list[tuple[tuple, list]], links: Links = NO_LINKS) -> list[tuple[tuple, list[list]]]:
    """The statements as groups of one shape, in an order whose result is the one of the statements in order."""
    groups: list[_Group] = []
    latest: dict[tuple, int] = {}  # shape -> index of its latest group
    for shape, params in statements:
        key = tuple(params[:len(shape[2])])
        index = latest.get(shape)
        if (index is None or key in groups[index].keys
                or not all(_may_overtake(shape, key, later, links) for later in groups[index + 1:])):
            index = latest[shape] = len(groups)
            groups.append(_Group(shape))
        groups[index].params.append(params)
        groups[index].keys.add(key)
    return [(group.shape, group.params) for group in groups]


def _query(shape: tuple) -> sql.Composed:
    query = _QUERIES.get(shape)
    if query is None:
        query = _upsert_query(*shape[1:]) if shape[0] == "upsert" else _delete_query(*shape[1:])
        _QUERIES[shape] = query
    return query


def _bulk(shape: tuple, params: list[list]) -> tuple[sql.Composed, list]:
    """One statement for a group of upserts (distinct keys, see plan)."""
    bulk_shape = ("bulk",) + shape[1:]
    query = _QUERIES.get(bulk_shape)
    if query is None:
        query = _QUERIES[bulk_shape] = _bulk_upsert_query(*shape[1:])
    names = shape[2] + shape[3]
    document = json.dumps([dict(zip(names, p)) for p in params], default=_json_value, ensure_ascii=False)
    return query, [document]


def _execute(cur: psycopg.Cursor, shape: tuple, params: list[list]) -> None:
    if len(params) == 1:
        cur.execute(_query(shape), params[0])
    elif shape[0] == "upsert":
        cur.execute(*_bulk(shape, params))
    else:
        cur.executemany(_query(shape), params)


def apply_rows(conn: psycopg.Connection, rows: list) -> None:
    """Write rows in the caller's transaction as if one after another: each group of `plan` as one statement."""
    if not rows:
        return
    groups = plan([statement(row) for row in rows], links_of(conn))
    with conn.cursor() as cur:
        for shape, params in groups:
            _execute(cur, shape, params)
