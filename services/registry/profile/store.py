"""Profile persistence: plain SQL on the tenant's registry database."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

PROFILE_COLUMNS = ("name", "region", "capofila_istat", "ente_gestore", "asl_district", "version",
                   "created_at", "updated_at")
PROFILE = ", ".join(PROFILE_COLUMNS)
COMUNE = ("istat_code", "name", "province", "population", "population_date")


def lock_for_save(conn: psycopg.Connection) -> None:
    """Serialise saves (readers go on): two first saves must not both see 'no profile yet'."""
    conn.execute("LOCK TABLE ambito_profile IN SHARE ROW EXCLUSIVE MODE")


def get_profile(conn: psycopg.Connection) -> dict | None:
    """The profile with its comuni in order, or None."""
    # One statement, so the profile and its comuni come from one snapshot.
    columns = ", ".join([f"p.{column}" for column in PROFILE_COLUMNS]
                        + [f"c.{column} AS comune_{column}" for column in COMUNE])
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {columns}"
            " FROM ambito_profile p LEFT JOIN ambito_comuni c ON true ORDER BY c.position").fetchall()
    if not rows:
        return None
    profile = {column: rows[0][column] for column in PROFILE_COLUMNS}
    profile["comuni"] = [{column: row[f"comune_{column}"] for column in COMUNE}
                         for row in rows if row["comune_istat_code"] is not None]
    return profile


def insert_profile(conn: psycopg.Connection, *, name, region, capofila_istat, ente_gestore,
                   asl_district) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO ambito_profile (name, region, capofila_istat, ente_gestore, asl_district)"
            f" VALUES (%s, %s, %s, %s, %s) RETURNING {PROFILE}",
            (name, region, capofila_istat, ente_gestore, asl_district)).fetchone()


def update_profile(conn: psycopg.Connection, *, name, region, capofila_istat, ente_gestore,
                   asl_district) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "UPDATE ambito_profile SET name = %s, region = %s, capofila_istat = %s, ente_gestore = %s,"
            " asl_district = %s, version = version + 1, updated_at = now()"
            f" RETURNING {PROFILE}",
            (name, region, capofila_istat, ente_gestore, asl_district)).fetchone()


def replace_comuni(conn: psycopg.Connection, comuni: list[dict]) -> None:
    conn.execute("DELETE FROM ambito_comuni")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ambito_comuni (position, istat_code, name, province, population, population_date)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(position, *(c[column] for column in COMUNE)) for position, c in enumerate(comuni)])
