"""Co-financing rows and the territory replica they read: plain SQL."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

COLUMNS = "intervention_id, year, total, population_as_of, version, created_at, created_by"


def profile(conn: psycopg.Connection, origin: str) -> dict | None:
    """The Ambito's current profile (its own origin) from the territory replica."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT origin, as_of, version FROM territory_profiles WHERE origin = %s",
                           (origin,)).fetchone()


def comuni(conn: psycopg.Connection, origin: str) -> list[dict]:
    """The comuni of the Ambito's current profile with their population and its date."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT istat_code, name, population, population_date FROM territory_comuni_now"
                           " WHERE origin = %s ORDER BY position", (origin,)).fetchall()


def get(conn: psycopg.Connection, intervention_id, year: int, *, lock: bool = False) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"SELECT {COLUMNS} FROM cofinancing WHERE intervention_id = %s AND year = %s"
                          + (" FOR UPDATE" if lock else ""), (intervention_id, year)).fetchone()
    return None if row is None else {**row, "shares": shares(conn, intervention_id, year)}


def shares(conn: psycopg.Connection, intervention_id, year: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT istat_code, population, population_date, amount FROM cofinancing_shares"
                           " WHERE intervention_id = %s AND year = %s ORDER BY istat_code",
                           (intervention_id, year)).fetchall()


def of_intervention(conn: psycopg.Connection, intervention_id) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {COLUMNS} FROM cofinancing WHERE intervention_id = %s ORDER BY year",
                           (intervention_id,)).fetchall()
    return [{**row, "shares": shares(conn, intervention_id, row["year"])} for row in rows]


def save(conn: psycopg.Connection, *, intervention_id, year: int, total, population_as_of, by: str,
         shares_rows: list[dict], replace: bool) -> None:
    """Insert or replace the co-financing and all its shares (the version moves on a replacement)."""
    if replace:
        conn.execute("UPDATE cofinancing SET total = %s, population_as_of = %s, version = version + 1"
                     " WHERE intervention_id = %s AND year = %s", (total, population_as_of, intervention_id, year))
        conn.execute("DELETE FROM cofinancing_shares WHERE intervention_id = %s AND year = %s", (intervention_id, year))
    else:
        conn.execute("INSERT INTO cofinancing (intervention_id, year, total, population_as_of, created_by)"
                     " VALUES (%s, %s, %s, %s, %s)", (intervention_id, year, total, population_as_of, by))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO cofinancing_shares (intervention_id, year, istat_code, population,"
                        " population_date, amount) VALUES (%s, %s, %s, %s, %s, %s)",
                        [(intervention_id, year, s["istat_code"], s["population"], s["population_date"], s["amount"])
                         for s in shares_rows])
