"""Progress records persistence: plain SQL."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

COLUMNS = ("intervention_id, year, quarter, seq, status, percentage, outputs, actual_start, note, source, revision,"
           " recorded_at, recorded_by")


def upsert(conn: psycopg.Connection, *, intervention_id, year: int, quarter: int, status: str, percentage,
           outputs: dict, actual_start, note: str, source: str, by: str) -> tuple[dict, bool]:
    """Record the period (replacing its record, revision + 1, if it had one); (the row, whether it is new)."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "INSERT INTO intervention_progress (intervention_id, year, quarter, status, percentage, outputs,"
            " actual_start, note, source, recorded_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (intervention_id, year, quarter) DO UPDATE SET status = EXCLUDED.status,"
            " percentage = EXCLUDED.percentage, outputs = EXCLUDED.outputs, actual_start = EXCLUDED.actual_start,"
            " note = EXCLUDED.note, source = EXCLUDED.source, recorded_by = EXCLUDED.recorded_by,"
            " recorded_at = now(), revision = intervention_progress.revision + 1"
            f" RETURNING {COLUMNS}",
            (intervention_id, year, quarter, status, percentage, Jsonb(outputs), actual_start, note, source,
             by)).fetchone()
    return row, row["revision"] == 1


def latest_period(conn: psycopg.Connection, intervention_id) -> tuple[int, int] | None:
    row = conn.execute("SELECT year, quarter FROM intervention_progress WHERE intervention_id = %s"
                       " ORDER BY year DESC, quarter DESC LIMIT 1", (intervention_id,)).fetchone()
    return (row[0], row[1]) if row else None


def of(conn: psycopg.Connection, intervention_id) -> list[dict]:
    """The intervention's records, oldest period first."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM intervention_progress WHERE intervention_id = %s"
                           " ORDER BY year, quarter", (intervention_id,)).fetchall()
