"""Rows a projector asks for, and the writer that applies them.

A projector is a pure function from an event to a list of row operations; it
is tested on its own, without a database. The runner applies the rows in the
same transaction as the processed-event record.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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


def apply_rows(conn: psycopg.Connection, rows: list) -> None:
    """Write a projector's rows in the caller's transaction."""
    for row in rows:
        if isinstance(row, Upsert):
            columns = list(row.key) + list(row.values)
            params = list(row.key.values()) + list(row.values.values())
            conflict = sql.SQL(", ").join(map(sql.Identifier, row.key))
            if row.values:
                action = sql.SQL("DO UPDATE SET ") + sql.SQL(", ").join(
                    sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in row.values)
                if row.newer_than:
                    action += sql.SQL(" WHERE {0}.{1} < EXCLUDED.{1}").format(
                        sql.Identifier(row.table), sql.Identifier(row.newer_than))
            else:
                action = sql.SQL("DO NOTHING")
            query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) ").format(
                sql.Identifier(row.table), sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join(sql.Placeholder() * len(columns)), conflict) + action
            conn.execute(query, params)
        elif isinstance(row, Delete):
            where = sql.SQL(" AND ").join(
                sql.SQL("{} = %s").format(sql.Identifier(c)) for c in row.key)
            conn.execute(sql.SQL("DELETE FROM {} WHERE ").format(sql.Identifier(row.table)) + where,
                         list(row.key.values()))
        else:
            raise TypeError(f"unknown row operation {row!r}")
