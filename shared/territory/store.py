"""The territory replica's queries: plain SQL on a service's tenant database (read only here)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row


def profile(conn: psycopg.Connection, origin: str) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT origin, name, region, capofila_istat, ente_gestore, asl_district,"
                           " total_population, version, as_of FROM territory_profiles WHERE origin = %s",
                           (origin,)).fetchone()


def comuni(conn: psycopg.Connection, origin: str) -> list[dict]:
    """The comuni of the origin's profile now, in the order the Ufficio di Piano gave."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT istat_code, name, province, population, population_date"
                           " FROM territory_comuni_now WHERE origin = %s ORDER BY position, istat_code",
                           (origin,)).fetchall()


def origins(conn: psycopg.Connection) -> list[str]:
    """Every Ambito whose profile this database holds (its own, and those of the former Ambiti sharing it)."""
    return [row[0] for row in conn.execute("SELECT origin FROM territory_profiles ORDER BY origin").fetchall()]
