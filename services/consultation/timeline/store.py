"""Milestones persistence: plain SQL."""
from __future__ import annotations

from datetime import date

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

COLUMNS = ("id, seq, plan_year, phase, table_id, title, note, planned_start, planned_end, actual_start,"
           " actual_end, status, template_key, version, created_at, created_by, updated_at")
# Late as domain.lateness says, in SQL, for the list filter: still to finish and past its planned end.
LATE = "(status IN ('planned', 'in_progress') AND planned_end < %(today)s)"


def insert(conn: psycopg.Connection, **values) -> dict | None:
    """The new row; None if the year already holds this template milestone."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO timeline_milestones (id, plan_year, phase, table_id, title, note, planned_start,"
            " planned_end, template_key, created_by) VALUES (%(id)s, %(plan_year)s, %(phase)s, %(table_id)s,"
            " %(title)s, %(note)s, %(planned_start)s, %(planned_end)s, %(template_key)s, %(created_by)s)"
            f" ON CONFLICT (plan_year, template_key) WHERE template_key IS NOT NULL DO NOTHING RETURNING {COLUMNS}",
            values).fetchone()


def get(conn: psycopg.Connection, milestone_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM timeline_milestones WHERE id = %s{lock}",
                           (milestone_id,)).fetchone()


def update(conn: psycopg.Connection, milestone_id, changes: dict) -> dict:
    """Set `changes`, bump the version (the ETag) and the update time; the row after."""
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
    query = sql.SQL("UPDATE timeline_milestones SET {} WHERE id = %(__id)s RETURNING ").format(
        sql.SQL(", ").join(sets)) + sql.SQL(COLUMNS)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {**changes, "__id": milestone_id}).fetchone()


def lock_year(conn: psycopg.Connection, year: int) -> None:
    """Serialise additions to one year, so that two at once cannot pass the per-year bound together."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('timeline_milestones'), %s)", (year,))


def count_year(conn: psycopg.Connection, year: int) -> int:
    return conn.execute("SELECT count(*) FROM timeline_milestones WHERE plan_year = %s", (year,)).fetchone()[0]


def of_year(conn: psycopg.Connection, year: int) -> list[dict]:
    """A year's milestones in the order of the calendar (bounded by domain.MAX_PER_YEAR)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM timeline_milestones WHERE plan_year = %s"
                           " ORDER BY planned_start, planned_end, seq", (year,)).fetchall()


def table_exists(conn: psycopg.Connection, table_id) -> bool:
    return conn.execute("SELECT 1 FROM consultation_tables WHERE id = %s", (table_id,)).fetchone() is not None


def page(conn: psycopg.Connection, *, after_seq: int, limit: int, today: date, year: int | None = None,
         phase: str | None = None, status: str | None = None, table_id=None, late: bool | None = None) -> list[dict]:
    where = ["seq > %(after)s"]
    for name, value, clause in (("year", year, "plan_year = %(year)s"), ("phase", phase, "phase = %(phase)s"),
                                ("status", status, "status = %(status)s"),
                                ("table_id", table_id, "table_id = %(table_id)s")):
        if value is not None:
            where.append(clause)
    if late is not None:
        where.append(LATE if late else f"NOT {LATE}")
    params = {"after": after_seq, "limit": limit, "today": today, "year": year, "phase": phase,
              "status": status, "table_id": table_id}
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM timeline_milestones WHERE {' AND '.join(where)}"
                           " ORDER BY seq LIMIT %(limit)s", params).fetchall()
