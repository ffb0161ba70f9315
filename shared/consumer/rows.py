"""Rows a projector asks for, and the writer that applies them.

A projector is a pure function from an event to a list of row operations; it
is tested on its own, without a database. The runner applies the rows in the
same transaction as the processed-event records. Consecutive operations of the
same shape (one table, the same columns) go to PostgreSQL as one `executemany`,
which psycopg pipelines: a batch of a few hundred events costs a few round trips,
while each row is still its own statement, so the order of the rows is kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

import psycopg
from psycopg import sql


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


def _delete_query(table: str, keys: tuple) -> sql.Composed:
    where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in keys)
    return sql.SQL("DELETE FROM {} WHERE ").format(sql.Identifier(table)) + where


def statement(row) -> tuple[tuple, list]:
    """(shape, parameters) of one row operation; rows of one shape share one SQL statement."""
    if isinstance(row, Upsert):
        shape = ("upsert", row.table, tuple(row.key), tuple(row.values), row.newer_than)
        return shape, [*row.key.values(), *row.values.values()]
    if isinstance(row, Delete):
        return ("delete", row.table, tuple(row.key)), list(row.key.values())
    raise TypeError(f"unknown row operation {row!r}")


def _query(shape: tuple) -> sql.Composed:
    query = _QUERIES.get(shape)
    if query is None:
        query = _upsert_query(*shape[1:]) if shape[0] == "upsert" else _delete_query(*shape[1:])
        _QUERIES[shape] = query
    return query


def apply_rows(conn: psycopg.Connection, rows: list) -> None:
    """Write rows in order in the caller's transaction, runs of one shape as one executemany."""
    statements = [statement(row) for row in rows]
    with conn.cursor() as cur:
        for shape, run in groupby(statements, key=lambda s: s[0]):
            params = [p for _, p in run]
            if len(params) == 1:
                cur.execute(_query(shape), params[0])
            else:
                cur.executemany(_query(shape), params)
