"""Rows a projector asks for, and the writer that applies them.

A projector is a pure function from an event to a list of row operations; it
is tested on its own, without a database. The runner applies the rows in the
same transaction as the processed-event records. Consecutive upserts of the
same shape (one table, the same columns) on distinct keys are one statement
(`INSERT ... SELECT FROM jsonb_populate_recordset(...)`: PostgreSQL converts each
value to its column's type), so a batch of a few hundred events costs a couple
of round trips. Distinct keys make the single statement equal to applying the
rows one after another; a run that touches one key twice (or deletes) goes as an
`executemany`, which psycopg pipelines, one statement per row, in order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
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


def _bulk(shape: tuple, params: list[list]) -> tuple[sql.Composed, list] | None:
    """One statement for a run of upserts on distinct keys, or None if the run cannot be one."""
    if shape[0] != "upsert":
        return None
    width = len(shape[2])
    if len({tuple(p[:width]) for p in params}) < len(params):
        return None  # a key twice: ON CONFLICT cannot touch a row twice in one statement
    bulk_shape = ("bulk",) + shape[1:]
    query = _QUERIES.get(bulk_shape)
    if query is None:
        query = _QUERIES[bulk_shape] = _bulk_upsert_query(*shape[1:])
    names = shape[2] + shape[3]
    document = json.dumps([dict(zip(names, p)) for p in params], default=_json_value, ensure_ascii=False)
    return query, [document]


def apply_rows(conn: psycopg.Connection, rows: list) -> None:
    """Write rows in order in the caller's transaction: runs of one shape as one statement where possible."""
    statements = [statement(row) for row in rows]
    with conn.cursor() as cur:
        for shape, run in groupby(statements, key=lambda s: s[0]):
            params = [p for _, p in run]
            bulk = _bulk(shape, params) if len(params) > 1 else None
            if bulk is not None:
                cur.execute(*bulk)
            elif len(params) == 1:
                cur.execute(_query(shape), params[0])
            else:
                cur.executemany(_query(shape), params)
